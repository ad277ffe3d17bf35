// fuse-activation: records Conv/Gemm/MatMul+Add → Relu/Clip pairs without touching the graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { encodeOnnx } from '../../src/formats/onnx/index.ts';
import { activationFusionsOf, findActivationFusions, fuseActivationPass } from '../../src/passes/fuse-activation.ts';
import { getAnalysis } from '../../src/passes/analyses.ts';
import { silentContext } from '../../src/passes/pass.ts';
import { seededFloats } from './helpers.ts';

function build() {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 2, 6, 6]);
  const v = b.input('v', 'float32', [3, 4]);
  const c1 = b.op('Conv', [x, b.initializer('w1', 'float32', [2, 2, 1, 1], seededFloats(4, 1))], {}, { name: 'conv1' });
  const r1 = b.op('Relu', [c1], {}, { name: 'relu1' });
  const zero = b.initializer('zero', 'float32', [], new Float32Array([0]));
  const six = b.initializer('six', 'float32', [], new Float32Array([6]));
  const c2 = b.op('Conv', [r1, b.initializer('w2', 'float32', [2, 2, 1, 1], seededFloats(4, 2))], {}, { name: 'conv2' });
  b.op('Clip', [c2, zero, six], {}, { name: 'relu6', output: 'a' });
  const g = b.op('Gemm', [v, b.initializer('B', 'float32', [4, 4], seededFloats(16, 3))], {}, { name: 'gemm' });
  const m1 = b.initializer('m1', 'float32', [], new Float32Array([-1]));
  b.op('Clip', [g, m1, b.initializer('p1', 'float32', [], new Float32Array([1]))], {}, { name: 'clip11', output: 'b' });
  const mm = b.op('MatMul', [v, b.initializer('W', 'float32', [4, 4], seededFloats(16, 4))], {}, { name: 'mm' });
  const add = b.op('Add', [mm, b.initializer('bias', 'float32', [4], seededFloats(4, 5))], {}, { name: 'add' });
  b.op('Relu', [add], {}, { name: 'relu_mm', output: 'c' });
  const c3 = b.op('Conv', [x, b.initializer('w3', 'float32', [2, 2, 1, 1], seededFloats(4, 6))], {}, { name: 'conv3' });
  b.op('Relu', [c3], {}, { name: 'relu3', output: 'd' });
  b.op('Sigmoid', [c3], {}, { name: 'sig', output: 'e' }); // conv3 read twice: no fusion
  b.op('Clip', [v, zero], {}, { name: 'clip_input', output: 'f' }); // no producer pattern
  b.output('a').output('b').output('c').output('d').output('e').output('f');
  return b.build();
}

test('finds relu, relu6 and general clip pairs; skips shared producer outputs', () => {
  const fusions = findActivationFusions(build());
  const summary = fusions.map((f) => [f.producer, f.pattern, f.activation, f.kind, f.min, f.max]);
  assert.deepEqual(summary, [
    ['conv1', 'Conv', 'relu1', 'relu', 0, Infinity],
    ['conv2', 'Conv', 'relu6', 'relu6', 0, 6],
    ['gemm', 'Gemm', 'clip11', 'clip', -1, 1],
    ['add', 'MatMul+Add', 'relu_mm', 'relu', 0, Infinity],
  ]);
  assert.equal(fusions[3].matmul, 'mm');
});

test('the pass records the list on the model, leaves the graph as it was, and drops stale entries', () => {
  const model = build();
  const bytes = encodeOnnx(model);
  fuseActivationPass.run(model, silentContext());
  assert.deepEqual(encodeOnnx(model), bytes, 'graph unchanged');
  assert.equal(getAnalysis(model, 'activationFusions')?.length, 4);
  // A later rewrite puts a second reader on conv1's output: that fusion no longer holds.
  const conv1Out = model.graph.nodes.find((n) => n.name === 'conv1')!.outputs[0];
  model.graph.nodes.push({ op: 'Neg', domain: '', name: 'neg', inputs: [conv1Out], outputs: ['g'], attributes: new Map() });
  assert.deepEqual(activationFusionsOf(model).map((f) => f.producer), ['conv2', 'gemm', 'add']);
});

test('opset 6 Clip reads min/max attributes', () => {
  const b = new ModelBuilder({ opset: 6 });
  const v = b.input('v', 'float32', [2, 3]);
  const g = b.op('Gemm', [v, b.initializer('B', 'float32', [3, 3], seededFloats(9, 1)), b.initializer('C', 'float32', [3], seededFloats(3, 2))], {}, { name: 'g' });
  b.op('Clip', [g], { min: 0, max: 6 }, { name: 'c', output: 'y' });
  b.output('y', 'float32', [2, 3]);
  const [f] = findActivationFusions(b.build({ inferOutputs: false }));
  assert.equal(f.kind, 'relu6');
});
