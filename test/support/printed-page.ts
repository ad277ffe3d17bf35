// Printed pages: several text lines of different sizes (one slightly rotated) in DejaVu Sans on light paper, with each line's ink box.
import sharp from 'sharp';
import { mulberry32 } from '../../src/util/random.ts';

/** One rendered line: its text, font size, rotation (degrees, clockwise) and the axis-aligned box of its ink in page pixels. */
export interface PageLine {
  text: string;
  size: number;
  angle: number;
  ink: { xmin: number; ymin: number; xmax: number; ymax: number };
}

/** A page as 8-bit RGB HWC pixels and its lines, top to bottom. */
export interface PrintedPage {
  width: number;
  height: number;
  rgb: Uint8Array;
  lines: PageLine[];
}

const WORDS = ('ondevice runs your model on the phone offline private fast quantize compile evaluate deploy camera photo text '
  + 'line page scan receipt invoice total amount date name address street city number order ticket price tax card paid '
  + 'thank you welcome hello world model accuracy latency memory size battery network server account cloud local').split(' ');

interface Placed { text: string; size: number; x: number; y: number; angle: number; ink: string; }

function svgOf(width: number, height: number, paper: string, lines: readonly Placed[]): string {
  const body = lines.map((l) => {
    const turn = l.angle ? ` transform="rotate(${l.angle} ${l.x} ${l.y})"` : '';
    return `<text x="${l.x}" y="${l.y}" font-family="DejaVu Sans" font-size="${l.size}" fill="${l.ink}"${turn}>${l.text}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${paper}"/>${body}</svg>`;
}

async function rgbOf(svg: string): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * A `width`×`height` page from `seed`: lines of random words and numbers at font sizes 16–40, random paper and dark ink;
 * the line with index `rotatedLine` is turned by `angle` degrees about its start. Each line's ink box comes from rendering it alone.
 */
export async function renderPage(seed: number, width = 800, height = 600, rotatedLine = 2, angle = 4): Promise<PrintedPage> {
  const rand = mulberry32(seed);
  const paper = `rgb(${230 + Math.floor(rand() * 20)},${226 + Math.floor(rand() * 20)},${210 + Math.floor(rand() * 25)})`;
  const placed: Placed[] = [];
  let top = 24;
  for (let i = 0; ; i++) {
    const size = 16 + Math.floor(rand() * 25);
    const turned = i === rotatedLine ? angle : 0;
    // DejaVu Sans averages ~0.6 em a character; a turned line is kept shorter so it stays clear of its neighbours.
    const room = (turned ? 0.55 : 0.9) * width - 40 - rand() * 0.3 * width;
    const words: string[] = [];
    for (;;) {
      const next = rand() < 0.15 ? String(Math.floor(rand() * 10000)) : WORDS[Math.floor(rand() * WORDS.length)];
      if (words.length && [...words, next].join(' ').length * 0.6 * size > room) break;
      words.push(next);
    }
    const slack = turned ? Math.sin((Math.abs(turned) * Math.PI) / 180) * room : 0;
    const y = Math.round(top + size + slack);
    if (y + size * 0.4 > height - 16) break;
    const ink = `rgb(${Math.floor(rand() * 60)},${Math.floor(rand() * 50)},${Math.floor(rand() * 80)})`;
    placed.push({ text: words.join(' '), size, x: 20 + Math.floor(rand() * 40), y, angle: turned, ink });
    top = y + size * 0.4 + size * (0.5 + rand() * 0.6) + slack;
  }
  const rgb = await rgbOf(svgOf(width, height, paper, placed));
  const lines: PageLine[] = [];
  for (const l of placed) {
    const alone = await rgbOf(svgOf(width, height, 'rgb(255,255,255)', [{ ...l, ink: 'rgb(0,0,0)' }]));
    const box = { xmin: width, ymin: height, xmax: -1, ymax: -1 };
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (alone[(y * width + x) * 3] < 160) {
      box.xmin = Math.min(box.xmin, x); box.xmax = Math.max(box.xmax, x + 1); box.ymin = Math.min(box.ymin, y); box.ymax = Math.max(box.ymax, y + 1);
    }
    lines.push({ text: l.text, size: l.size, angle: l.angle, ink: box });
  }
  return { width, height, rgb, lines };
}
