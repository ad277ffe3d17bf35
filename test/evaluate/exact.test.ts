// Exact Q/DQ execution: QDQ candidates are judged on the model's own error; the runtime's kernels are measured against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { evaluateModels, type ModelEvaluation } from '../../src/evaluate/compare.ts';
import { activationTypesOf, kernelWarning, quantizesActivations } from '../../src/evaluate/exact.ts';
import { u8s8Saturates } from '../../src/evaluate/kernel-probe.ts';
import { verdict } from '../../src/evaluate/verdict.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { onnxReferenceRuntime } from '../../src/runtimes/onnx-reference.ts';
import { LENET, mnistFor, tempDir } from './helpers.ts';

const RUNTIME = { runtime: 'ort-node', engine: 'onnxruntime-node', version: '1.30.0', threads: 2 };

test('kernelWarning: silent within 3 dB; names U8S8 saturation and the fix when probed; generic otherwise', () => {
  assert.equal(kernelWarning({ runtime: RUNTIME, runtimePsnr: 51, exactPsnr: 53.9, uint8Activations: true, u8s8Saturates: true }), undefined);
  const u8 = kernelWarning({ runtime: RUNTIME, runtimePsnr: 25.4, exactPsnr: 54.0, uint8Activations: true, u8s8Saturates: true })!;
  assert.match(u8, /^onnxruntime-node 1\.30\.0 gives PSNR 25\.4 dB on this host, 28\.6 dB below the exact execution \(54\.0 dB\)/);
  assert.match(u8, /U8S8.*saturate.*without VNNI/);
  assert.match(u8, /--target onnx \(int8 activations, S8S8\)/);
  const other = kernelWarning({ runtime: RUNTIME, runtimePsnr: 40, exactPsnr: 50, uint8Activations: false, u8s8Saturates: undefined })!;
  assert.match(other, /10\.0 dB below .*kernels add error the model itself does not have/);
  assert.doesNotMatch(other, /U8S8/);
});

test('the verdict judges the exact execution, and carries the kernel warning beside it', () => {
  const fid = (psnr: number) => [{ output: 'y', psnr, sqnr: psnr - 10, cosine: 1, maxAbsError: 0, meanAbsError: 0, rmse: 0, peak: 1, count: 1 }];
  const acc = (top1: number) => ({ count: 1000, top1, top5: 1, confusion: [] });
  const ref: ModelEvaluation = { path: 'f.onnx', sizeBytes: 4, runtime: 'ort-node', runtimeInfo: RUNTIME, accuracy: acc(0.9925) };
  const candidate: ModelEvaluation = {
    path: 'q.onnx', sizeBytes: 1, runtime: 'ort-node', runtimeInfo: RUNTIME, scheme: 'w8a8', accuracy: acc(0.9908), fidelity: fid(25.4),
    exact: { runtime: { ...RUNTIME, runtime: 'onnx-reference' }, accuracy: acc(0.9927), fidelity: fid(54.0), kernelError: fid(25.5), warning: 'kernels saturate' },
  };
  const v = verdict(ref, candidate);
  assert.equal(v.level, 'pass');
  assert.equal(v.judged, 'exact');
  assert.equal(v.kernelWarning, 'kernels saturate');
  assert.match(v.reason, /PSNR 54\.0 dB ≥ 30 dB \(w8a8\), top-1 drop -0\.02 ≤ 1 points \(exact Q\/DQ execution\)/);
  // Without the exact execution the same runtime figures fail: the gate is 30 dB for w8a8.
  const runtimeOnly = verdict(ref, { ...candidate, exact: undefined });
  assert.equal(runtimeOnly.level, 'fail');
  assert.equal(runtimeOnly.judged, 'runtime');
  // And an exact execution that itself loses fails, whatever the runtime says.
  assert.equal(verdict(ref, { ...candidate, fidelity: fid(60), exact: { ...candidate.exact!, fidelity: fid(29) } }).level, 'fail');
});

test('the probe: the exact execution never saturates uint8×int8 products', async () => {
  assert.equal(await u8s8Saturates(onnxReferenceRuntime), false);
});

test('w8a8 LeNet-5 in uint8 and int8: both get an exact execution whose figures match each other; JSON names host and runtimes', async () => {
  const t = tempDir();
  try {
    const paths: string[] = [];
    for (const activationType of ['uint8', 'int8'] as const) {
      const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', activationType, calibration: { source: await mnistFor('train'), limit: 200 } });
      assert.ok(quantizesActivations(model));
      assert.deepEqual([...activationTypesOf(model)], [activationType]);
      const path = join(t.dir, `${activationType}.onnx`);
      await writeModel(model, path);
      paths.push(path);
    }
    const ev = await evaluateModels(LENET, paths, await mnistFor(), { limit: 500 });
    const [u8, s8] = ev.candidates;
    for (const c of [u8, s8]) {
      assert.ok(c.exact, `${c.path} has an exact execution`);
      assert.equal(c.exact.runtime.runtime, 'onnx-reference');
      assert.equal(c.exact.runtime.optimization, 'disabled');
      assert.equal(c.exact.kernelError.length, 1);
      assert.equal(c.runtimeInfo.engine, 'onnxruntime-node');
      assert.match(c.runtimeInfo.version, /^\d+\.\d+\.\d+/);
      assert.ok(c.runtimeInfo.threads >= 1);
    }
    // uint8 and int8 grids of the same ranges give the same exact error to within 0.5 dB (the two grids differ by rounding only).
    assert.ok(Math.abs(u8.exact!.fidelity[0].psnr - s8.exact!.fidelity[0].psnr) < 0.5, `${u8.exact!.fidelity[0].psnr} vs ${s8.exact!.fidelity[0].psnr}`);
    assert.ok(s8.exact!.fidelity[0].psnr >= 45, `int8 LeNet-5 exact PSNR ${s8.exact!.fidelity[0].psnr} ≥ 45 dB`);
    assert.equal(ev.reference.exact, undefined, 'a float model has no exact execution');
    const json = JSON.parse(JSON.stringify(ev)) as { host: { cpu: string; arch: string; features: string[]; known: boolean } };
    assert.equal(json.host.arch, process.arch);
    assert.ok(Array.isArray(json.host.features));
    assert.equal(typeof json.host.cpu, 'string');
  } finally {
    t.dispose();
  }
});

test('evaluate with exact: false judges the runtime only', async () => {
  const t = tempDir();
  try {
    const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', calibration: { source: await mnistFor('train'), limit: 100 } });
    const path = join(t.dir, 'q.onnx');
    await writeModel(model, path);
    const ev = await evaluateModels(LENET, [path], await mnistFor(), { limit: 100, exact: false });
    assert.equal(ev.candidates[0].exact, undefined);
    assert.equal(verdict(ev.reference, ev.candidates[0]).judged, 'runtime');
  } finally {
    t.dispose();
  }
});
