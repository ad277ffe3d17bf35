// Printed text lines (words in DejaVu Sans through sharp's SVG renderer, dark ink on light paper): the PaddleOCR direction classifier's real input.
import sharp from 'sharp';
import { mulberry32 } from '../../src/util/random.ts';

/** The direction classifier's input size. */
export const LINE = { height: 48, width: 192 } as const;

const WORDS = ('ondevice runs your model on the phone offline private fast quantize compile evaluate deploy camera photo text '
  + 'line page scan receipt invoice total amount date name address street city number order ticket price tax card paid '
  + 'thank you welcome hello world model accuracy latency memory size battery network server account cloud local').split(' ');

/** One text line as PNG bytes: random words and numbers that fit the width, random paper and ink, optionally upside down. */
export async function renderPrintedLine(rand: () => number, upsideDown: boolean): Promise<Buffer> {
  const size = 20 + Math.floor(rand() * 8);
  // DejaVu Sans averages ~0.6 em a character: add words while the line fits the 192-pixel input.
  const words: string[] = [];
  for (;;) {
    const next = rand() < 0.15 ? String(Math.floor(rand() * 10000)) : WORDS[Math.floor(rand() * WORDS.length)];
    if ([...words, next].join(' ').length * 0.6 * size > LINE.width - 12) break;
    words.push(next);
  }
  const paper = `rgb(${230 + Math.floor(rand() * 20)},${226 + Math.floor(rand() * 20)},${210 + Math.floor(rand() * 25)})`;
  const ink = `rgb(${Math.floor(rand() * 60)},${Math.floor(rand() * 50)},${Math.floor(rand() * 80)})`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${LINE.width}" height="${LINE.height}">`
    + `<rect width="100%" height="100%" fill="${paper}"/>`
    + `<text x="6" y="${Math.round(LINE.height / 2 + size * 0.35)}" font-family="DejaVu Sans" font-size="${size}" fill="${ink}">${words.join(' ')}</text></svg>`;
  const line = sharp(Buffer.from(svg));
  return (upsideDown ? line.rotate(180) : line).png().toBuffer();
}

/**
 * `count` lines from `seed` (every second one upside down) as CHW float32 tensors normalised as PaddleOCR's classifier
 * expects ((x/255 − 0.5)/0.5).
 */
export async function printedLineTensors(count: number, seed: number): Promise<Float32Array[]> {
  const rand = mulberry32(seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const { data } = await sharp(await renderPrintedLine(rand, i % 2 === 1)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const t = new Float32Array(3 * LINE.height * LINE.width);
    for (let p = 0; p < LINE.height * LINE.width; p++) for (let c = 0; c < 3; c++) t[c * LINE.height * LINE.width + p] = (data[p * 3 + c] / 255 - 0.5) / 0.5;
    out.push(t);
  }
  return out;
}
