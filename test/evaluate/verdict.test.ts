// Verdict gates: the documented thresholds as literals (fp16 45 dB, int8 30 dB, w4 25 dB, drop 1 point), warn margins, overrides.
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

test('the documented defaults, written out: fp16 45 dB, int8 schemes 30 dB, int4 schemes 25 dB, else 30 dB; drop ≤ 1 point; warn 3 dB / 0.5 point', () => {
  assert.deepEqual(DEFAULT_GATES, {
    minPsnrByScheme: { 'fp16': 45, 'int8-dynamic': 30, 'w8a8': 30, 'w8a16': 30, 'w4': 25, 'w4a8': 25, 'w4a16': 25 },
    minPsnr: 30,
    maxAccuracyDrop: 1,
    warnMarginDb: 3,
    warnAccuracyDrop: 0.5,
  });
});

test('each PSNR gate, just below and at the literal threshold', () => {
  // [scheme, gate]: below the gate fails, at the gate passes its PSNR check (a warning: within 3 dB), 3 dB above passes.
  for (const [scheme, gate] of [['fp16', 45], ['w8a8', 30], ['w8a16', 30], ['int8-dynamic', 30], ['w4', 25], ['w4a8', 25], ['w4a16', 25], [undefined, 30], ['some-new-scheme', 30]] as const) {
    const below = verdict(ref, model(0.99, gate - 0.01, scheme));
    assert.equal(below.level, 'fail', `${scheme}: ${gate - 0.01} dB`);
    assert.equal(below.minPsnr, gate);
    assert.match(below.reason, new RegExp(`^PSNR ${(gate - 0.01).toFixed(1)} dB < ${gate} dB${scheme ? ` \\(${scheme}\\)` : ''}$`));
    const at = verdict(ref, model(0.99, gate, scheme));
    assert.equal(at.level, 'warn', `${scheme}: ${gate} dB`);
    assert.match(at.reason, new RegExp(`^PSNR ${gate.toFixed(1)} dB within 3 dB of ${gate} dB`));
    assert.equal(verdict(ref, model(0.99, gate + 2.99, scheme)).level, 'warn', `${scheme}: ${gate + 2.99} dB`);
    assert.equal(verdict(ref, model(0.99, gate + 3, scheme)).level, 'pass', `${scheme}: ${gate + 3} dB`);
  }
  // fp16 needs more than int8: 40 dB passes w8a8 but fails fp16.
  assert.equal(verdict(ref, model(0.99, 40, 'w8a8')).level, 'pass');
  assert.match(verdict(ref, model(0.99, 40, 'fp16')).reason, /^PSNR 40\.0 dB < 45 dB \(fp16\)$/);
  // A candidate far below every gate (3-bit-like error) fails every scheme.
  for (const scheme of ['fp16', 'w8a8', 'w4']) assert.equal(verdict(ref, model(0.99, 10, scheme)).level, 'fail', scheme);
});

test('accuracy drop: more than 1 point fails, more than 0.5 warns (PSNR well above its gate)', () => {
  const drop = (points: number) => verdict(model(0.99), model(0.99 - points / 100, 60, 'w8a8'));
  assert.equal(drop(1.2).level, 'fail');
  assert.match(drop(1.2).reason, /^top-1 drops 1\.20 points > 1$/);
  assert.equal(drop(1.01).level, 'fail');
  assert.equal(drop(0.9).level, 'warn');
  assert.match(drop(0.9).reason, /^top-1 drops 0\.90 points > 0\.5$/);
  assert.equal(drop(0.4).level, 'pass');
  assert.equal(drop(0).level, 'pass');
  assert.equal(drop(-2).level, 'pass', 'a candidate better than the reference passes');
});

// A bug this test found: accuracyDrop computed (0.992 − 0.982)·100 = 1.0000000000000009 in floats, so a drop of
// exactly 1 point failed the documented "drop ≤ 1 point" gate; the drop is now rounded to 1e-9 points.
test('a drop of exactly 1 point (992/1000 → 982/1000) does not fail the ≤ 1 point gate', () => {
  assert.equal(verdict(model(992 / 1000), model(982 / 1000, 60, 'w8a8')).level, 'warn');
});

test('PSNR and accuracy both failing name both; identical outputs pass', () => {
  const both = verdict(ref, model(0.9, 12.34, 'w8a8'));
  assert.equal(both.level, 'fail');
  assert.equal(both.reason, 'PSNR 12.3 dB < 30 dB (w8a8); top-1 drops 9.00 points > 1');
  const p = verdict(ref, model(0.99, Infinity));
  assert.equal(p.level, 'pass');
  assert.match(p.reason, /identical/);
});

test('a quantized candidate is judged on its exact execution, not the runtime\'s figures', () => {
  const c = model(0.99, 60, 'w8a8');
  c.exact = {
    runtime: { runtime: 'onnx-reference', engine: 'onnxruntime-node', version: 'test', threads: 1 },
    accuracy: { count: 100, top1: 0.99, top5: 1, confusion: [] },
    fidelity: [{ output: 'y', psnr: 29.5, sqnr: 29.5, cosine: 1, maxAbsError: 0, meanAbsError: 0, rmse: 0, peak: 1, count: 1 }],
    kernelError: [],
  };
  const v = verdict(ref, c);
  assert.deepEqual([v.level, v.judged, v.reason], ['fail', 'exact', 'PSNR 29.5 dB < 30 dB (w8a8) (exact Q/DQ execution)']);
});

test('gates are configurable', () => {
  const strict = resolveGates({ maxAccuracyDrop: 0.05, warnAccuracyDrop: 0.01, minPsnrByScheme: { w8a8: 50 } });
  assert.equal(strict.minPsnrByScheme['fp16'], 45, 'other schemes keep their default');
  assert.equal(verdict(ref, model(0.989, 60, 'w8a8'), strict).level, 'fail');
  assert.equal(verdict(ref, model(0.99, 45, 'w8a8'), strict).level, 'fail');
  assert.equal(verdict(ref, model(0.99, 45, 'w8a8')).level, 'pass');
});
