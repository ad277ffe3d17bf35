// fuse-matmul-add: MatMul(2-D) + constant Add becomes Gemm where legal; outputs agree with the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { fuseMatMulAdd } from '../../src/passes/fuse-matmul-add.ts';
import { cloneModel, diffOutputs, opCount, seededFloats } from './helpers.ts';

test('fuses 2-D MatMul + bias (either operand order); skips 3-D inputs and shared results', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [4, 64]);
  const x3 = b.input('x3', 'float32', [2, 4, 64]);
  const w = b.initializer('w', 'float32', [64, 5], seededFloats(320, 1));
  const bias = b.initializer('bias', 'float32', [5], seededFloats(5, 2));
  b.op('Add', [b.op('MatMul', [x, w]), bias], {}, { output: 'y1' });
  b.op('Add', [bias, b.op('MatMul', [x, w])], {}, { output: 'y2' }); // bias first
  b.op('Add', [b.op('MatMul', [x3, w]), bias], {}, { output: 'y3' }); // 3-D: stays
  const shared = b.op('MatMul', [x, w]);
  b.op('Add', [shared, bias], {}, { output: 'y4' });
  b.op('Relu', [shared], {}, { output: 'y5' }); // MatMul result read twice: stays
  b.output('y1').output('y2').output('y3').output('y4').output('y5');
  const model = b.build();
  const before = cloneModel(model);
  assert.equal(fuseMatMulAdd(model), 2);
  assert.equal(opCount(model, 'Gemm'), 2);
  assert.equal(opCount(model, 'MatMul'), 2);
  const feeds = { x: { dims: [4, 64], data: seededFloats(256, 3) }, x3: { dims: [2, 4, 64], data: seededFloats(512, 4) } };
  const diffs = await diffOutputs(before, model, feeds);
  assert.deepEqual(diffs, { y1: 0, y2: 0, y3: 0, y4: 0, y5: 0 });
});
