// People facing the camera rendered through sharp's SVG renderer: hair, face, neck, shoulders over plain or striped walls, or as white silhouettes.
import sharp from 'sharp';
import type { RgbaImage } from '../../src/tasks/segment/index.ts';

/** A person facing the camera: hair, face with eyes, brows, nose and mouth, neck, shoulders and torso to the bottom edge. */
export interface PersonSpec { cx: number; cy: number; r: number }

function personSvg({ cx, cy, r }: PersonSpec, height: number, silhouette: boolean): string {
  const f = (c: string) => (silhouette ? 'white' : c);
  const rx = r * 0.78, eyeY = cy - r * 0.15, neckTop = cy + r * 0.7, sh = cy + r * 1.5;
  const features = silhouette ? '' : [-1, 1].map((s) => `<ellipse cx="${cx + s * rx * 0.4}" cy="${eyeY}" rx="${rx * 0.17}" ry="${r * 0.08}" fill="white"/>`
    + `<circle cx="${cx + s * rx * 0.4}" cy="${eyeY}" r="${r * 0.06}" fill="#2a1a10"/>`
    + `<rect x="${cx + s * rx * 0.4 - rx * 0.2}" y="${cy - r * 0.33}" width="${rx * 0.4}" height="${r * 0.05}" fill="#4a2e1c"/>`).join('')
    + `<path d="M ${cx} ${cy - r * 0.1} L ${cx - rx * 0.12} ${cy + r * 0.22} L ${cx + rx * 0.12} ${cy + r * 0.22} Z" fill="#c98d6e"/>`
    + `<ellipse cx="${cx}" cy="${cy + r * 0.5}" rx="${rx * 0.35}" ry="${r * 0.08}" fill="#a0453c"/>`;
  return `<rect x="${cx - r * 0.3}" y="${neckTop}" width="${r * 0.6}" height="${r * 0.9}" fill="${f('#d49c7a')}"/>`
    + `<path d="M ${cx - r * 2.2} ${height} L ${cx - r * 2.0} ${sh + r * 0.5} Q ${cx - r * 1.8} ${sh} ${cx - r * 0.6} ${sh - r * 0.1} L ${cx + r * 0.6} ${sh - r * 0.1} Q ${cx + r * 1.8} ${sh} ${cx + r * 2.0} ${sh + r * 0.5} L ${cx + r * 2.2} ${height} Z" fill="${f('#2f5d8a')}"/>`
    + `<ellipse cx="${cx}" cy="${cy - r * 0.55}" rx="${rx * 1.08}" ry="${r * 0.6}" fill="${f('#3b2414')}"/>`
    + `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${r}" fill="${f('#e0ac8a')}"/>` + features;
}

/** A scene as SVG. Background: a plain colour, or vertical stripes of two colours (a textured wall); `silhouette`: people white on black. */
export function sceneSvg(width: number, height: number, background: string, people: PersonSpec[], silhouette = false): string {
  const bg = silhouette ? '<rect width="100%" height="100%" fill="black"/>'
    : background === 'stripes'
      ? `<rect width="100%" height="100%" fill="#c8c0a8"/>${Array.from({ length: Math.ceil(width / 24) }, (_, i) => `<rect x="${i * 24}" y="0" width="10" height="${height}" fill="#a89878"/>`).join('')}`
      : `<rect width="100%" height="100%" fill="${background}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${bg}${people.map((p) => personSvg(p, height, silhouette)).join('')}</svg>`;
}

/** An SVG rendered to RGBA pixels (the shape of a canvas ImageData). */
export async function rgba(svg: string): Promise<RgbaImage> {
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}
