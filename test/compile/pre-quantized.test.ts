// Pre-quantized models in: compile dequantizes them first and says so (the .tflite runs in LiteRT like the float ONNX runs in
// onnxruntime); quantize dequantizes and re-quantizes with a warning and a provenance entry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile } from '../../src/compile/compile.ts';
import { formatCompileReport } from '../../src/cli/compile.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { dequantizeModel, preQuantizedOps } from '../../src/passes/index.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { readProvenance } from '../../src/quantize/provenance.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { CLS_SUBJECT, LENET_SUBJECT, ortOptimized, psnr, quantized, runOn } from '../passes/dequantize-fixtures.ts';
import { runOnce } from './parity.ts';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-pre-quantized-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

test('compile --target tflite of int8-dynamic PaddleOCR cls: dequantized first, said so, and LiteRT matches the dequantized ONNX (≥ 60 dB)', async () => {
  const source = join(dir, 'cls.int8-dynamic.onnx');
  await writeModel(await quantized(CLS_SUBJECT, 'int8-dynamic'), source);
  const found = preQuantizedOps(await readModel(source));
  const out = join(dir, 'cls.tflite');
  const report = await compileFile(source, out, { target: 'tflite', inputShapes: { x: [1, 3, 48, 192] } });
  assert.deepEqual(report.preQuantized?.found, found);
  assert.equal(report.preQuantized?.counts.ConvInteger, 53);
  assert.match(report.preQuantized!.message, /^model was pre-quantized \(53 ConvInteger, 53 DynamicQuantizeLinear, 1 DynamicQuantizeMatMul\): compiled from its dequantized float weights; use --quantize to quantize for the target$/);
  assert.ok(formatCompileReport(report).startsWith(`note: ${report.preQuantized!.message}\n`));
  assert.equal((report.ops.CONV_2D ?? 0) + (report.ops.DEPTHWISE_CONV_2D ?? 0), 53);

  const float = join(dir, 'cls.dequantized.onnx');
  const model = await readModel(source);
  dequantizeModel(model);
  await writeModel(model, float);
  const input: HostTensor = { dtype: 'float32', dims: [1, 3, 48, 192], data: CLS_SUBJECT.data.subarray(0, 3 * 48 * 192) };
  const db = psnr(await runOnce(ortNodeRuntime, float, input), await runOnce(litertRuntime, out, input));
  console.log(`cls int8-dynamic → tflite: ${JSON.stringify(report.preQuantized?.counts)}, LiteRT vs dequantized ONNX in onnxruntime ${db.toFixed(2)} dB`);
  assert.ok(db >= 60, `PSNR ${db} dB`);
});

test('compile --target onnx of onnxruntime\'s QLinear LeNet writes a float model and prints the note', async () => {
  const source = join(dir, 'lenet.qgemm.onnx');
  await writeModel(await ortOptimized(await quantized(LENET_SUBJECT, 'w8a8'), 'extended'), source);
  const out = join(dir, 'lenet.float.onnx');
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), 'compile', source, '--target', 'onnx', '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^note: model was pre-quantized \(\d+ DequantizeLinear, \d+ QuantizeLinear, 2 QGemm\): compiled from its dequantized float weights; use `ondevice quantize` to quantize for onnxruntime\n/);
  const written = await readModel(out);
  assert.deepEqual(preQuantizedOps(written), []);
  const db = psnr(await runOn(LENET_SUBJECT.file, LENET_SUBJECT), await runOn(out, LENET_SUBJECT));
  assert.ok(db >= 47, `PSNR vs float ${db} dB (measured 48.9)`);
});

test('quantize of a w8a8 model dequantizes, re-quantizes and warns; provenance records what it came from', async () => {
  const model = await quantized(LENET_SUBJECT, 'w8a8');
  const found = preQuantizedOps(model);
  const { model: again, report } = await quantizeModel(model, { scheme: 'w8a8', calibration: { source: mnistSource('train'), limit: 64 } });
  const warning = report.warnings.find((w) => w.startsWith('model was pre-quantized'));
  assert.equal(warning, 'model was pre-quantized (15 DequantizeLinear, 5 QuantizeLinear): dequantized to float and re-quantized as w8a8; its weights keep the first quantization\'s rounding');
  assert.equal(readProvenance(again)?.dequantizedFrom, '15 DequantizeLinear, 5 QuantizeLinear');
  assert.deepEqual(found, [['DequantizeLinear', 15], ['QuantizeLinear', 5]]);
  // Re-quantized once, not twice: as many Q/DQ as quantizing the float model gives.
  const direct = await quantized(LENET_SUBJECT, 'w8a8');
  assert.deepEqual(preQuantizedOps(again), preQuantizedOps(direct));
  const db = psnr(await runOn(LENET_SUBJECT.file, LENET_SUBJECT), await runOn(again, LENET_SUBJECT));
  console.log(`LeNet w8a8 re-quantized: PSNR vs float ${db.toFixed(2)} dB, direct ${psnr(await runOn(LENET_SUBJECT.file, LENET_SUBJECT), await runOn(direct, LENET_SUBJECT)).toFixed(2)} dB`);
  // Measured 48.7 dB (quantizing the float model directly: 48.6 dB).
  assert.ok(db >= 47, `PSNR ${db} dB`);
});
