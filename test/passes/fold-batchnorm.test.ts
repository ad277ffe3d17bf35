// fold-batchnorm: BN after Conv / ConvTranspose / Gemm / MatMul folds into weights; outputs agree within 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attr, ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { foldBatchNorm } from '../../src/passes/fold-batchnorm.ts';
import { eliminateDeadCode } from '../../src/passes/dead-code.ts';
import { cloneModel, diffOutputs, maxRelDiff, opCount, runModel, seededFloats } from './helpers.ts';

/** BN parameters for c channels with a realistic spread (variance in (0.05, 2.05)). */
function bn(b: ModelBuilder, input: string, c: number, seed: number, output?: string): string {
  const gamma = b.initializer('gamma', 'float32', [c], seededFloats(c, seed).map((v) => 1 + v));
  const beta = b.initializer('beta', 'float32', [c], seededFloats(c, seed + 1));
  const mean = b.initializer('mean', 'float32', [c], seededFloats(c, seed + 2).map((v) => v * 3));
  const variance = b.initializer('var', 'float32', [c], seededFloats(c, seed + 3).map((v) => 1.05 + v));
  return b.op('BatchNormalization', [input, gamma, beta, mean, variance], { epsilon: 1e-3 }, output ? { output } : {});
}

async function checkFold(model: Model, feeds: Record<string, { dims: number[]; data: Float32Array }>, expectedFolds: number) {
  const before = cloneModel(model);
  assert.equal(foldBatchNorm(model), expectedFolds);
  eliminateDeadCode(model.graph);
  assert.equal(opCount(model, 'BatchNormalization'), 0, 'no BatchNormalization left');
  const diffs = await diffOutputs(before, model, feeds);
  for (const [name, d] of Object.entries(diffs)) assert.ok(d <= 1e-5, `${name}: max abs error ${d}`);
  const a = await runModel(before, feeds);
  const b = await runModel(model, feeds);
  for (const k of Object.keys(a)) {
    const rel = maxRelDiff(a[k] as Float32Array, b[k] as Float32Array);
    assert.ok(rel <= 1e-6, `${k}: relative error ${rel}`);
  }
  return diffs;
}

test('Conv without bias (+ shared weight), grouped Conv with bias: BN folded, outputs within 1e-5', async () => {
  const b = new ModelBuilder({ opset: 15 });
  const x = b.input('x', 'float32', [2, 4, 7, 7]);
  const w = b.initializer('w', 'float32', [6, 4, 3, 3], seededFloats(216, 11));
  const c1 = b.op('Conv', [x, w], { pads: [1, 1, 1, 1] });
  bn(b, c1, 6, 20, 'y1');
  const c2 = b.op('Conv', [x, w], { pads: [1, 1, 1, 1] }); // same weight, no BN: must stay unscaled
  b.op('Relu', [c2], {}, { output: 'y2' });
  const wg = b.initializer('wg', 'float32', [8, 2, 3, 3], seededFloats(144, 12));
  const bg = b.initializer('bg', 'float32', [8], seededFloats(8, 13));
  const c3 = b.op('Conv', [x, wg, bg], { group: 2, strides: [2, 2] });
  bn(b, c3, 8, 30, 'y3');
  b.output('y1').output('y2').output('y3');
  const model = b.build();
  await checkFold(model, { x: { dims: [2, 4, 7, 7], data: seededFloats(392, 1) } }, 2);
  assert.equal(opCount(model, 'Conv'), 3);
  assert.ok(model.graph.initializers.has('w'), 'the shared weight is kept for the second Conv');
});

test('grouped ConvTranspose: BN folded per output channel', async () => {
  const b = new ModelBuilder({ opset: 15 });
  const x = b.input('x', 'float32', [1, 4, 5, 5]);
  const w = b.initializer('w', 'float32', [4, 3, 2, 2], seededFloats(48, 41)); // group 2 → 6 output channels
  const ct = b.op('ConvTranspose', [x, w], { group: 2, strides: [2, 2] });
  bn(b, ct, 6, 50, 'y');
  b.output('y');
  await checkFold(b.build(), { x: { dims: [1, 4, 5, 5], data: seededFloats(100, 2) } }, 1);
});

test('Gemm (transB, beta, [1,N] bias) and MatMul with a 2-D input: BN folded into Gemm', async () => {
  const b = new ModelBuilder({ opset: 15 });
  const x = b.input('x', 'float32', [3, 5]);
  const g = b.op('Gemm', [x, b.initializer('B', 'float32', [4, 5], seededFloats(20, 61)), b.initializer('C', 'float32', [1, 4], seededFloats(4, 62))], { transB: 1, alpha: 0.5, beta: attr.float(2) });
  bn(b, g, 4, 70, 'y1');
  const m = b.op('MatMul', [x, b.initializer('W', 'float32', [5, 6], seededFloats(30, 63))]);
  bn(b, m, 6, 80, 'y2');
  b.output('y1').output('y2');
  const model = b.build();
  await checkFold(model, { x: { dims: [3, 5], data: seededFloats(15, 3) } }, 2);
  assert.equal(opCount(model, 'Gemm'), 2);
  assert.equal(opCount(model, 'MatMul'), 0);
});

test('leaves BN alone when the conv output has another reader', () => {
  const b = new ModelBuilder({ opset: 15 });
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const c = b.op('Conv', [x, b.initializer('w', 'float32', [3, 2, 1, 1], seededFloats(6, 5))]);
  bn(b, c, 3, 90, 'y');
  b.op('Relu', [c], {}, { output: 'z' });
  b.output('y').output('z');
  const model = b.build();
  assert.equal(foldBatchNorm(model), 0);
  assert.equal(opCount(model, 'BatchNormalization'), 1);
});
