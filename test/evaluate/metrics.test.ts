// Fidelity metrics on hand-checkable vectors: PSNR, SQNR, cosine, abs errors, streaming, agreement, NaN detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgreementAccumulator, checkFinite, FidelityAccumulator } from '../../src/evaluate/metrics.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

test('a known ±0.1 noise on [1,-2,3,-4]: PSNR 20·log10(4/0.1), SQNR 10·log10(30/0.04)', () => {
  const ref = [1, -2, 3, -4];
  const noise = [0.1, -0.1, 0.1, -0.1];
  const cand = ref.map((r, i) => r + noise[i]);
  const f = new FidelityAccumulator();
  f.add(ref, cand);
  const r = f.result();
  // By hand: RMSE = 0.1, max|ref| = 4, Σref² = 30, Σerr² = 0.04.
  close(r.rmse, 0.1);
  close(r.psnr, 20 * Math.log10(40));
  close(r.sqnr, 10 * Math.log10(750));
  close(r.maxAbsError, 0.1);
  close(r.meanAbsError, 0.1);
  close(r.peak, 4);
  // cosine = (30 + 0.1·(1+2+3+4)) / (√30 · √Σcand²), with Σcand² = 1.21 + 4.41 + 9.61 + 16.81 = 32.04.
  close(r.cosine, 31 / (Math.sqrt(30) * Math.sqrt(32.04)));
  assert.equal(r.count, 4);
});

test('streaming over batches gives the same figures as one batch', () => {
  const n = 1000;
  const ref = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 5);
  const cand = Float32Array.from(ref, (v, i) => v + ((i * 7919) % 13 - 6) * 0.01);
  const whole = new FidelityAccumulator();
  whole.add(ref, cand);
  const parts = new FidelityAccumulator();
  for (let i = 0; i < n; i += 128) parts.add(ref.subarray(i, i + 128), cand.subarray(i, i + 128));
  const a = whole.result(), b = parts.result();
  for (const k of ['psnr', 'sqnr', 'cosine', 'maxAbsError', 'meanAbsError', 'rmse'] as const) close(b[k], a[k], 1e-9);
  assert.ok(a.psnr > 30 && a.psnr < 80, `psnr ${a.psnr}`);
});

test('identical outputs: PSNR and SQNR are Infinity, cosine 1, errors 0', () => {
  const f = new FidelityAccumulator();
  f.add([0.5, -1, 2], [0.5, -1, 2]);
  const r = f.result();
  assert.equal(r.psnr, Infinity);
  assert.equal(r.sqnr, Infinity);
  close(r.cosine, 1);
  assert.equal(r.maxAbsError, 0);
});

test('a sign flip gives cosine -1 and SQNR 10·log10(1/4)', () => {
  const f = new FidelityAccumulator();
  f.add([1, 2, 3], [-1, -2, -3]);
  const r = f.result();
  close(r.cosine, -1);
  close(r.sqnr, 10 * Math.log10(14 / 56));
});

test('length mismatch is refused', () => {
  assert.throws(() => new FidelityAccumulator().add([1, 2], [1]), /2 reference values vs 1 candidate/);
});

test('top-1 / top-5 agreement on constructed score rows', () => {
  const classes = 6;
  const ref = [
    9, 1, 0, 0, 0, 0, // ref top 0
    0, 9, 1, 0, 0, 0, // ref top 1
    0, 0, 0, 0, 0, 9, // ref top 5
  ];
  const cand = [
    9, 1, 0, 0, 0, 0, // top 0: agrees
    0, 1, 9, 0, 0, 0, // top 2, ref's class 1 is 2nd: top-5 only
    9, 8, 7, 6, 5, 0, // ref's class 5 is last of 6: neither
  ];
  const a = new AgreementAccumulator();
  a.add(ref, cand, classes);
  const r = a.result();
  assert.equal(r.count, 3);
  close(r.top1, 1 / 3);
  close(r.top5, 2 / 3);
});

test('NaN or Infinity in an output names the model and the output', () => {
  assert.doesNotThrow(() => checkFinite(new Float32Array([1, 2, 3]), 'm.onnx', 'logits'));
  assert.throws(() => checkFinite(new Float32Array([1, NaN]), 'm.onnx', 'logits'), (e: Error) => /m\.onnx: output 'logits' holds NaN/.test(e.toString()));
  assert.throws(() => checkFinite([0, -Infinity], 'q.onnx', 'probs'), (e: Error) => /q\.onnx: output 'probs' holds -Infinity/.test(e.toString()));
});
