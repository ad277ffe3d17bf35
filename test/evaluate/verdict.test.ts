// Verdict gates: scheme-specific PSNR thresholds, accuracy drop, warn margins, overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelEvaluation, OutputFidelity } from '../../src/evaluate/compare.ts';
import { DEFAULT_GATES, resolveGates, verdict } from '../../src/evaluate/verdict.ts';

function model(top1: number, psnr?: number, scheme?: string): ModelEvaluation {
  const fidelity: OutputFidelity[] | undefined = psnr === undefined ? undefined
    : [{ output: 'y', psnr, sqnr: psnr, cosine: 1, maxAbsError: 0, meanAbsError: 0, rmse: 0, peak: 1, count: 1 }];
  return { path: 'm.onnx', sizeBytes: 1, runtime: 'ort-node', runtimeInfo: { runtime: 'ort-node', engine: 'onnxruntime-node', version: 'test', threads: 1 }, accuracy: { count: 100, top1, top5: 1, confusion: [] }, ...(fidelity ? { fidelity } : {}), ...(scheme ? { scheme } : {}) };
}

const ref = model(0.99);

test('the PSNR gate depends on the scheme: fp16 needs more than int8', () => {
  const g = DEFAULT_GATES;
  const between = (g.minPsnrByScheme['w8a8'] + g.minPsnrByScheme['fp16']) / 2;
  assert.equal(verdict(ref, model(0.99, between, 'w8a8')).level, 'pass');
  const fp16 = verdict(ref, model(0.99, between, 'fp16'));
  assert.equal(fp16.level, 'fail');
  assert.match(fp16.reason, /PSNR .* < 45 dB \(fp16\)/);
  assert.equal(verdict(ref, model(0.99, g.minPsnr - 1)).level, 'fail', 'no scheme: the default gate applies');
});

test('accuracy drop beyond the allowance fails; beyond the warn level warns', () => {
  const drop = (points: number) => verdict(ref, model(0.99 - points / 100, 60, 'w8a8'));
  assert.equal(drop(DEFAULT_GATES.maxAccuracyDrop + 0.2).level, 'fail');
  assert.match(drop(DEFAULT_GATES.maxAccuracyDrop + 0.2).reason, /top-1 drops 1\.20 points > 1/);
  assert.equal(drop((DEFAULT_GATES.maxAccuracyDrop + DEFAULT_GATES.warnAccuracyDrop) / 2).level, 'warn');
  assert.equal(drop(0).level, 'pass');
});

test('PSNR just above its gate warns; identical outputs pass', () => {
  const w = verdict(ref, model(0.99, DEFAULT_GATES.minPsnrByScheme['w8a8'] + DEFAULT_GATES.warnMarginDb / 2, 'w8a8'));
  assert.equal(w.level, 'warn');
  const p = verdict(ref, model(0.99, Infinity));
  assert.equal(p.level, 'pass');
  assert.match(p.reason, /identical/);
});

test('gates are configurable', () => {
  const strict = resolveGates({ maxAccuracyDrop: 0.05, warnAccuracyDrop: 0.01, minPsnrByScheme: { w8a8: 50 } });
  assert.equal(strict.minPsnrByScheme['fp16'], DEFAULT_GATES.minPsnrByScheme['fp16'], 'other schemes keep their default');
  assert.equal(verdict(ref, model(0.989, 60, 'w8a8'), strict).level, 'fail');
  assert.equal(verdict(ref, model(0.99, 45, 'w8a8'), strict).level, 'fail');
  assert.equal(verdict(ref, model(0.99, 45, 'w8a8')).level, 'pass');
});
