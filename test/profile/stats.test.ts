// Percentiles and latency statistics agree with their definitions on seeded random samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyStats, percentile } from '../../src/profile/stats.ts';
import { aggregateOpTimes } from '../../src/profile/op-times.ts';

function samples(n: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: n }, () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 10);
}

test('percentile hits exact ranks and interpolates between them', () => {
  const xs = samples(101, 7).sort((a, b) => a - b);
  assert.equal(percentile(xs, 0), xs[0]);
  assert.equal(percentile(xs, 50), xs[50]);
  assert.equal(percentile(xs, 90), xs[90]);
  assert.equal(percentile(xs, 100), xs[100]);
  const two = [xs[3], xs[9]];
  assert.ok(Math.abs(percentile(two, 25) - (xs[3] + (xs[9] - xs[3]) / 4)) < 1e-12);
  assert.throws(() => percentile([], 50));
});

test('latencyStats: ordered percentiles, mean and sd from the samples', () => {
  const xs = samples(200, 3);
  const s = latencyStats(xs);
  assert.equal(s.count, 200);
  assert.ok(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.abs(s.mean - mean) < 1e-9);
  assert.equal(xs.filter((x) => x <= s.p50).length, 100);
  // Sample standard deviation (n − 1), computed here; and a hand case: [2, 4, 4, 4, 5, 5, 7, 9] has Σ(x − 5)² = 32 → √(32/7).
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  assert.ok(Math.abs(s.stdev - sd) < 1e-9, `${s.stdev} vs ${sd}`);
  assert.equal(latencyStats([2, 4, 4, 4, 5, 5, 7, 9]).stdev, Math.sqrt(32 / 7));
});

test('aggregateOpTimes takes each node\'s median and sums by op', () => {
  const events = [1, 2, 3].flatMap((run) => [
    { name: 'a', op: 'Conv', durationUs: run === 1 ? 1000 : 10 }, // a cold first run must not dominate
    { name: 'b', op: 'Conv', durationUs: 20 },
    { name: 'c', op: 'Relu', durationUs: 5 },
  ]);
  const o = aggregateOpTimes(events, 2);
  assert.equal(o.runs, 3);
  assert.equal(o.totalUs, 10 + 20 + 5);
  assert.deepEqual(o.byOp.map((x) => [x.op, x.nodes, x.us]), [['Conv', 2, 30], ['Relu', 1, 5]]);
  assert.deepEqual(o.topNodes.map((n) => n.node), ['b', 'a']);
  assert.ok(Math.abs(o.byOp.reduce((s, x) => s + x.share, 0) - 1) < 1e-12);
});
