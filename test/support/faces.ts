// Cartoon faces rendered through sharp's SVG renderer (skin ellipse, hair, eyes, brows, nose, mouth) as BlazeFace input.
import sharp from 'sharp';

/** One face: centre and vertical radius in pixels of the canvas; its width is 0.78 of its height. */
export interface FaceSpec {
  cx: number;
  cy: number;
  r: number;
}

/** Where a rendered face is, normalised to the canvas: the skin ellipse's bounding box and the eye centres. */
export interface FaceTruth {
  box: { xmin: number; ymin: number; xmax: number; ymax: number };
  /** Eye centres on the image's left and right (BlazeFace keypoints 0 and 1: the subject's right and left eye). */
  leftEye: { x: number; y: number };
  rightEye: { x: number; y: number };
  mouth: { x: number; y: number };
}

function faceSvg({ cx, cy, r }: FaceSpec): string {
  const rx = r * 0.78;
  const ry = r;
  const eyeY = cy - ry * 0.15;
  return `<ellipse cx="${cx}" cy="${cy - ry * 0.55}" rx="${rx * 1.08}" ry="${ry * 0.6}" fill="#3b2414"/>`
    + `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="#e0ac8a"/>`
    + [-1, 1].map((s) => `<ellipse cx="${cx + s * rx * 0.4}" cy="${eyeY}" rx="${rx * 0.17}" ry="${ry * 0.08}" fill="white"/>`
      + `<circle cx="${cx + s * rx * 0.4}" cy="${eyeY}" r="${ry * 0.06}" fill="#2a1a10"/>`
      + `<rect x="${cx + s * rx * 0.4 - rx * 0.2}" y="${cy - ry * 0.33}" width="${rx * 0.4}" height="${ry * 0.05}" fill="#4a2e1c"/>`).join('')
    + `<path d="M ${cx} ${cy - ry * 0.1} L ${cx - rx * 0.12} ${cy + ry * 0.22} L ${cx + rx * 0.12} ${cy + ry * 0.22} Z" fill="#c98d6e"/>`
    + `<ellipse cx="${cx}" cy="${cy + ry * 0.5}" rx="${rx * 0.35}" ry="${ry * 0.08}" fill="#a0453c"/>`;
}

/** The ground truth of a face drawn on a `size`×`size` canvas. */
export function faceTruth({ cx, cy, r }: FaceSpec, size: number): FaceTruth {
  const rx = r * 0.78;
  return {
    box: { xmin: (cx - rx) / size, ymin: (cy - r) / size, xmax: (cx + rx) / size, ymax: (cy + r) / size },
    leftEye: { x: (cx - rx * 0.4) / size, y: (cy - r * 0.15) / size },
    rightEye: { x: (cx + rx * 0.4) / size, y: (cy - r * 0.15) / size },
    mouth: { x: cx / size, y: (cy + r * 0.5) / size },
  };
}

/** An SVG canvas `size`×`size` with a background colour and the given faces. */
export function faceSceneSvg(faces: readonly FaceSpec[], size: number, background: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${background}"/>`
    + `${faces.map(faceSvg).join('')}</svg>`;
}

/** An SVG rendered and resized to `side`×`side`, as NHWC float32 in [-1, 1] (MediaPipe's face detector input). */
export async function svgToNhwc(svg: string, side: number): Promise<Float32Array> {
  const { data } = await sharp(Buffer.from(svg)).resize(side, side).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = new Float32Array(side * side * 3);
  for (let i = 0; i < x.length; i++) x[i] = data[i] / 127.5 - 1;
  return x;
}
