// fuse-conv-bias: a per-channel constant Add after Conv/ConvTranspose joins the conv bias; outputs agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { fuseConvBias } from '../../src/passes/fuse-conv-bias.ts';
import { cloneModel, diffOutputs, opCount, seededFloats } from './helpers.ts';

test('folds [1,C,1,1] and [C,1,1] Adds into Conv/ConvTranspose biases; leaves spatial Adds alone', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 3, 5, 5]);
  const c1 = b.op('Conv', [x, b.initializer('w1', 'float32', [4, 3, 3, 3], seededFloats(108, 1))]);
  b.op('Add', [c1, b.initializer('b1', 'float32', [1, 4, 1, 1], seededFloats(4, 2))], {}, { output: 'y1' });
  const c2 = b.op('ConvTranspose', [x, b.initializer('w2', 'float32', [3, 2, 2, 2], seededFloats(24, 3)), b.initializer('b2', 'float32', [2], seededFloats(2, 4))], { strides: [2, 2] });
  b.op('Add', [b.initializer('b2x', 'float32', [2, 1, 1], seededFloats(2, 5)), c2], {}, { output: 'y2' });
  const c3 = b.op('Conv', [x, b.initializer('w3', 'float32', [2, 3, 1, 1], seededFloats(6, 6))]);
  b.op('Add', [c3, b.initializer('spatial', 'float32', [1, 1, 5, 5], seededFloats(25, 7))], {}, { output: 'y3' });
  b.output('y1').output('y2').output('y3');
  const model = b.build();
  const before = cloneModel(model);
  assert.equal(fuseConvBias(model.graph), 2);
  assert.equal(opCount(model, 'Add'), 1);
  const diffs = await diffOutputs(before, model, { x: { dims: [1, 3, 5, 5], data: seededFloats(75, 8) } });
  assert.equal(diffs.y1, 0, 'bias-free conv: exact');
  assert.ok(diffs.y2 <= 1e-6, `existing bias summed first: ${diffs.y2}`);
  assert.equal(diffs.y3, 0);
});
