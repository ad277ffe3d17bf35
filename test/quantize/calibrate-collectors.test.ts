// Collectors on real MNIST values: exact re-binning as the range grows, percentiles match a sort, memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { UsageError } from '../../src/errors.ts';
import { createCollector } from '../../src/quantize/calibrate/collectors.ts';
import { CALIBRATION_METHODS } from '../../src/quantize/calibrate/calibrator.ts';
import { AbsHistogram } from '../../src/quantize/calibrate/histogram.ts';
import { PercentileCollector } from '../../src/quantize/calibrate/percentile.ts';
import { MinMaxCollector } from '../../src/quantize/calibrate/minmax.ts';

/** 2000 preprocessed MNIST test images as float32 values. */
async function mnistValues(): Promise<Float32Array> {
  for await (const b of mnistSource('test').batches(2000, 2000)) return b.inputs.input.data as Float32Array;
  throw new Error('no data');
}

/** `values` scaled by `factor` (a batch reaching further out than the ones before). */
const scaled = (values: Float32Array, factor: number) => values.map((v) => v * factor);

test('the |x| histogram re-bins exactly when a later batch reaches further out', async () => {
  const values = await mnistValues();
  const batches = [scaled(values.subarray(0, 300_000), 0.1), scaled(values.subarray(300_000, 900_000), 0.7), values.subarray(900_000)];
  const streamed = new AbsHistogram(2048);
  for (const b of batches) streamed.observe(b);
  assert.equal(streamed.counts.length, 2048);
  assert.equal(streamed.total, values.length);
  assert.equal(streamed.counts.reduce((a, b) => a + b, 0), values.length);
  // Every value sits in the bin its |x| falls into under the final edge: recount directly and compare.
  const direct = new Float64Array(2048);
  for (const b of batches) for (const v of b) direct[Math.min(2047, Math.floor((Math.abs(v) / streamed.edge) * 2048))]++;
  assert.deepEqual(streamed.counts, direct);
  let maxAbs = 0;
  for (const b of batches) for (const v of b) maxAbs = Math.max(maxAbs, Math.abs(v));
  assert.ok(streamed.edge >= maxAbs && streamed.edge < 3 * maxAbs, `edge ${streamed.edge} covers max |x| ${maxAbs}`);
});

test('percentile thresholds match a full sort of |x| within one bin; the range is clipped to min/max', async () => {
  const values = await mnistValues();
  const batches = [scaled(values.subarray(0, 500_000), 0.5), values.subarray(500_000)];
  const fed = new Float32Array(values.length);
  fed.set(batches[0]);
  fed.set(batches[1], batches[0].length);
  const sorted = Float64Array.from(fed, Math.abs).sort();
  const maxAbs = sorted[sorted.length - 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of fed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const widest = (2 * maxAbs) / 2048; // the edge ends below 2 × max |x|
  for (const p of [50, 90, 99, 99.999]) {
    const collector = new PercentileCollector(p, 2048);
    for (const b of batches) collector.observe(b);
    const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1];
    const { min, max } = collector.range();
    assert.ok(max >= Math.min(exact, hi) && max <= exact + widest, `p${p}: threshold ${max} vs sorted ${exact}`);
    // max = min(hi, t), min = max(lo, -t); MNIST inputs have |lo| < hi, so min = max(lo, -max) either way.
    assert.equal(min, Math.max(lo, -max), `p${p}: min is the data min, or -threshold if that is nearer`);
  }
});

test('every method gives a range inside [min, max]; an unknown method or bad percentile is a UsageError', async () => {
  const values = await mnistValues();
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (const method of CALIBRATION_METHODS) {
    const collector = createCollector(method);
    collector.observe(values.subarray(0, 700_000));
    collector.observe(new Float32Array([Number.NaN, Number.POSITIVE_INFINITY]));
    collector.observe(values.subarray(700_000));
    const r = collector.range();
    assert.ok(r.min >= lo && r.max <= hi && r.min < 0 && r.max > 0, `${method}: [${r.min}, ${r.max}] inside [${lo}, ${hi}]`);
    if (method === 'minmax') assert.deepEqual(r, { min: lo, max: hi });
    assert.throws(() => createCollector(method).range(), /no finite values/);
  }
  assert.throws(() => createCollector('kl' as never), (e: unknown) => e instanceof UsageError && /unknown calibration method 'kl'/.test(e.message));
  assert.throws(() => createCollector('percentile', { percentile: 120 }), (e: unknown) => e instanceof UsageError && /percentile must be in/.test(e.message));
});

test('histogram collectors keep memory bounded over 160 MB of streamed values', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const values = await mnistValues(); // 1.57 M values
  const collectors = CALIBRATION_METHODS.map((m) => createCollector(m));
  gc();
  const before = process.memoryUsage().heapUsed;
  let streamed = 0;
  for (let k = 0; k < 26; k++) {
    const batch = scaled(values, 1 + k / 10); // a fresh batch each time, reaching further out: forces re-binning
    for (const c of collectors) c.observe(batch);
    streamed += batch.byteLength;
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(streamed > 160e6, `streamed ${streamed} bytes`);
  assert.ok(grown < 8e6, `heap grew by ${grown} bytes after streaming ${streamed} bytes`);
  for (const c of collectors) assert.ok(c.range().max > 0);
});

test('entropy cuts a lone far outlier that minmax and the 100th percentile must include', async () => {
  const values = await mnistValues();
  let hi = -Infinity;
  for (const v of values) hi = Math.max(hi, v);
  const outlier = 40 * hi;
  const ranges = Object.fromEntries(CALIBRATION_METHODS.map((m) => {
    const c = createCollector(m, { percentile: 100 });
    c.observe(values);
    c.observe(new Float32Array([outlier]));
    return [m, c.range()];
  }));
  assert.equal(ranges.minmax.max, Math.fround(outlier));
  assert.ok(ranges.percentile.max >= Math.fround(outlier) * 0.999, 'the 100th percentile keeps the outlier');
  // Entropy's smallest candidate is 128 of the 2048 bins (outlier / 16): it must cut far below the outlier.
  assert.ok(ranges.entropy.max < outlier / 4, `entropy: threshold ${ranges.entropy.max} cuts the outlier ${outlier}`);
});

/** Mean squared error of symmetric int8 fake quantization of `values` over [-t, t], computed value by value. */
function int8Mse(values: Float32Array, t: number): number {
  const step = t / 127;
  let sum = 0;
  for (const v of values) {
    const q = Math.max(-127, Math.min(127, Math.round(v / step))) * step;
    sum += (v - q) ** 2;
  }
  return sum / values.length;
}

test('mse picks a threshold whose true int8 error is as low as the best of a direct sweep', async () => {
  const values = (await mnistValues()).subarray(0, 400_000);
  let hi = 0;
  for (const v of values) hi = Math.max(hi, Math.abs(v));
  const withOutliers = new Float32Array(values.length + 3);
  withOutliers.set(values);
  withOutliers.set([6 * hi, -5 * hi, 4 * hi], values.length);
  for (const data of [values, withOutliers]) {
    const collector = createCollector('mse');
    collector.observe(data);
    const { min, max } = collector.range();
    const t = Math.max(-min, max);
    let best = Infinity;
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v));
    for (let k = 1; k <= 60; k++) best = Math.min(best, int8Mse(data, (peak * k) / 60));
    const chosen = int8Mse(data, t);
    assert.ok(chosen <= best * 1.05, `mse threshold ${t}: error ${chosen} vs best swept ${best}`);
    assert.ok(chosen <= int8Mse(data, peak), 'no worse than minmax');
  }
});

test('every collector sees the last, short batch: extremes only there set minmax exactly and the histogram methods\' bounds', async () => {
  const values = (await mnistValues()).subarray(0, 200_000);
  let hi = -Infinity;
  for (const v of values) hi = Math.max(hi, v);
  const last = new Float32Array([-8 * hi, 9 * hi]); // a 2-value last batch reaching 9× beyond everything before
  const direct = new MinMaxCollector();
  direct.observe(values.subarray(0, 100_000));
  direct.observe(values.subarray(100_000));
  direct.observe(last);
  assert.deepEqual(direct.range(), { min: Math.fround(-8 * hi), max: Math.fround(9 * hi) });
  const histogram = new AbsHistogram(2048);
  histogram.observe(values);
  histogram.observe(last);
  assert.deepEqual([histogram.min, histogram.max, histogram.total], [Math.fround(-8 * hi), Math.fround(9 * hi), values.length + 2]);
  assert.ok(histogram.edge >= Math.fround(9 * hi), `edge ${histogram.edge} covers the last batch`);
  const p100 = new PercentileCollector(100, 2048);
  p100.observe(values);
  p100.observe(last);
  assert.deepEqual(p100.range(), { min: Math.fround(-8 * hi), max: Math.fround(9 * hi) }, 'the 100th percentile is the largest |x|, clipped to min/max');
});
