// unroll-loop: a Loop with a constant trip count becomes its body repeated (carried values chained, scan outputs stacked).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { encodeOnnx } from '../../src/formats/onnx/index.ts';
import type { Model } from '../../src/ir/graph.ts';
import { unrollLoops } from '../../src/passes/index.ts';
import { maxAbsDiff, opCount, seededFloats } from './helpers.ts';
import { loopModel } from './loop-model.ts';

async function run(model: Model, x: Float32Array): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(encodeOnnx(model), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const out = await s.run({ x: new ort.Tensor('float32', x, [2, 3]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await s.release();
  }
}

test('a Loop of 4 constant trips unrolls: no Loop left, final value and stacked scan output unchanged', async () => {
  const model = loopModel(4);
  const x = seededFloats(6, 1);
  const ref = await run(model, x);
  const stats = await unrollLoops(model);
  assert.equal(stats.unrolled, 1);
  assert.equal(opCount(model, 'Loop'), 0);
  assert.equal(opCount(model, 'Mul'), 4);
  const got = await run(model, x);
  assert.equal(got.v_steps.length, 4 * 6);
  for (const name of ['v_final', 'v_steps']) assert.ok(maxAbsDiff(ref[name], got[name]) <= 1e-6, `${name}: ${maxAbsDiff(ref[name], got[name])}`);
});

test('Loops that may stop early or run too long stay, with the reason', async () => {
  const early = loopModel(4, true);
  const s1 = await unrollLoops(early);
  assert.equal(s1.unrolled, 0);
  assert.match(s1.kept[0].why, /may stop early/);
  const long = loopModel(100);
  const s2 = await unrollLoops(long, { maxTrips: 64 });
  assert.equal(s2.unrolled, 0);
  assert.match(s2.kept[0].why, /100 iterations \(more than 64\)/);
  assert.equal(opCount(long, 'Loop'), 1);
});
