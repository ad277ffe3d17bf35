// fold-constants: shape arithmetic and constant chains become initializers; outputs stay bit-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { foldConstants } from '../../src/passes/fold-constants.ts';
import { ortEvaluator } from '../../src/runtimes/ort-node-evaluator.ts';
import { eliminateDeadCode } from '../../src/passes/dead-code.ts';
import { tensorValues } from '../../src/ir/tensor.ts';
import { cloneModel, diffOutputs, seededFloats } from './helpers.ts';

/** x[2,3,4] reshaped by a shape computed from Shape/Gather/Unsqueeze/Concat, then scaled by a folded constant chain. */
function build() {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2, 3, 4]);
  const shape = b.op('Shape', [x]);
  const n = b.op('Gather', [shape, b.initializer('zero', 'int64', [], new BigInt64Array([0n]))], { axis: 0 });
  const n1 = b.op('Unsqueeze', [n, b.initializer('ax0', 'int64', [1], new BigInt64Array([0n]))]);
  const target = b.op('Concat', [n1, b.constant('minus1', 'int64', [1], new BigInt64Array([-1n]))], { axis: 0 });
  const flat = b.op('Reshape', [x, target]);
  // Constant chain: Range → Cast → Mul → Sqrt (no TS kernel: goes through onnxruntime) → Add.
  const r = b.op('Range', [b.constant('s', 'int64', [], new BigInt64Array([1n])), b.constant('l', 'int64', [], new BigInt64Array([13n])), b.constant('d', 'int64', [], new BigInt64Array([1n]))]);
  const rf = b.op('Cast', [r], { to: 1 });
  const scaled = b.op('Mul', [rf, b.initializer('k', 'float32', [], new Float32Array([0.3]))]);
  const root = b.op('Sqrt', [scaled]);
  const y = b.op('Add', [flat, root]);
  b.op('Mul', [y, b.initializer('big', 'float32', [1], new Float32Array([2]))], {}, { output: 'y' });
  // A random op must never be folded.
  const noise = b.op('RandomUniform', [], { shape: [2, 12], seed: 1.5 });
  b.op('Mul', [noise, b.initializer('z', 'float32', [], new Float32Array([0]))], {}, { output: 'zeros' });
  b.output('y').output('zeros');
  return b.build();
}

test('folds shape computations and constant chains into initializers, outputs bit-identical', async () => {
  const model = build();
  const before = cloneModel(model);
  const stats = await foldConstants(model, { evaluate: ortEvaluator });
  eliminateDeadCode(model.graph);
  const ops = model.graph.nodes.map((n) => n.op).sort();
  assert.deepEqual(ops, ['Add', 'Mul', 'Mul', 'RandomUniform', 'Reshape']);
  assert.equal(stats.evaluated, 1, 'only Sqrt needs onnxruntime');
  assert.equal(stats.folded, 12, "4 Constant + Shape,Gather,Unsqueeze,Concat + Range,Cast,Mul,Sqrt");
  const reshape = model.graph.nodes.find((n) => n.op === 'Reshape')!;
  assert.deepEqual(Array.from(tensorValues(model.graph.initializers.get(reshape.inputs[1])!) as BigInt64Array, Number), [2, -1]);
  const feeds = { x: { dims: [2, 3, 4], data: seededFloats(24, 7) } };
  const diffs = await diffOutputs(before, model, feeds);
  assert.equal(diffs.y, 0);
  assert.equal(diffs.zeros, 0);
});

test('without an evaluator, ops lacking a TS kernel stay; symbolic shapes are not folded', async () => {
  const model = build();
  model.graph.inputs[0].type = { kind: 'tensor', dtype: 'float32', shape: ['batch', 3, 4] };
  await foldConstants(model);
  const ops = new Set(model.graph.nodes.map((n) => n.op));
  assert.ok(ops.has('Sqrt') && ops.has('Shape') && !ops.has('Range') && !ops.has('Constant'));
});

test('refuses to materialise huge results (ConstantOfShape 4096×4096)', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1]);
  const big = b.op('ConstantOfShape', [b.initializer('shape', 'int64', [2], new BigInt64Array([4096n, 4096n]))]);
  b.op('Add', [x, big], {}, { output: 'y' });
  b.output('y');
  const model = b.build();
  const stats = await foldConstants(model, { evaluate: ortEvaluator });
  assert.equal(stats.folded, 0);
  assert.ok(model.graph.nodes.some((n) => n.op === 'ConstantOfShape'));
});

test('a folded graph output becomes an initializer of the same name that runtimes still return', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2]);
  b.op('Neg', [x], {}, { output: 'y' });
  b.op('Add', [b.initializer('p', 'float32', [2], new Float32Array([1.5, 2])), b.constant('q', 'float32', [2], new Float32Array([0.25, -4]))], {}, { output: 'c' });
  b.output('y').output('c');
  const model = b.build();
  const before = cloneModel(model);
  await foldConstants(model);
  assert.deepEqual(model.graph.nodes.map((n) => n.op), ['Neg']);
  assert.deepEqual(Array.from(tensorValues(model.graph.initializers.get('c')!) as Float32Array), [1.75, -2]);
  assert.deepEqual(await diffOutputs(before, model, { x: { dims: [2], data: new Float32Array([1, 2]) } }), { y: 0, c: 0 });
});
