// Fidelity metrics on hand-checkable vectors: PSNR, SQNR, cosine, abs errors, streaming, agreement, NaN detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgreementAccumulator, checkFinite, FidelityAccumulator } from '../../src/evaluate/metrics.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

test('hand-computed exact figures: a ±1 error on ±100 is PSNR 40 dB, SQNR 40 dB, cosine 1', () => {
  const f = new FidelityAccumulator();
  f.add([100, -100, 100, -100], [99, -99, 99, -99]);
  // By hand: peak 100, RMSE 1 → 20·log10(100) = 40; Σref² = 40000, Σerr² = 4 → 10·log10(10000) = 40;
  // Σref·cand = 39600 = √40000 · √39204 = 200 · 198 → cosine 1.
  assert.deepEqual(f.result(), { count: 4, psnr: 40, sqnr: 40, cosine: 1, maxAbsError: 1, meanAbsError: 1, rmse: 1, peak: 100 });
});

test('hand-computed exact figures: PSNR 20 dB at peak 10 / RMSE 1; swapped [3, 4] has cosine 24/25', () => {
  const a = new FidelityAccumulator();
  a.add([10, 0, 0, 0], [9, -1, 1, -1]);
  const r = a.result();
  // Peak 10, errors ±1 → RMSE 1 → PSNR 20·log10(10) = 20 exactly; Σref² = 100, Σerr² = 4 → SQNR 10·log10(25) = 13.979400086720377.
  assert.equal(r.psnr, 20);
  close(r.sqnr, 13.979400086720377, 1e-15);
  // cosine = 90 / (10 · √84) = 0.9819805060619657.
  close(r.cosine, 0.9819805060619657, 1e-15);
  const b = new FidelityAccumulator();
  b.add([3, 4], [4, 3]);
  const s = b.result();
  // Σref·cand = 24, ‖ref‖ = ‖cand‖ = 5 → cosine 0.96; Σerr² = 2 → RMSE 1, PSNR 20·log10(4) = 12.041199826559248; SQNR 10·log10(25/2) = 10.969100130080564.
  assert.equal(s.cosine, 0.96);
  assert.equal(s.rmse, 1);
  close(s.psnr, 12.041199826559248, 1e-15);
  close(s.sqnr, 10.969100130080564, 1e-15);
});

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
  // The figures themselves, from the definitions over all 1000 values.
  let peak = 0, err2 = 0, ref2 = 0;
  for (let i = 0; i < n; i++) {
    peak = Math.max(peak, Math.abs(ref[i]));
    err2 += (ref[i] - cand[i]) ** 2;
    ref2 += ref[i] ** 2;
  }
  close(a.psnr, 20 * Math.log10(peak / Math.sqrt(err2 / n)), 1e-12);
  close(a.sqnr, 10 * Math.log10(ref2 / err2), 1e-12);
  close(a.peak, peak, 0);
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
