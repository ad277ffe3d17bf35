// eliminate-identity: Identity/Dropout disappear, graph output names stay, outputs are bit-identical in ORT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { eliminateIdentity } from '../../src/passes/eliminate-identity.ts';
import { cloneModel, diffOutputs, opCount, seededFloats } from './helpers.ts';

function build() {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2, 3]);
  const i1 = b.op('Identity', [x]);
  const r = b.op('Relu', [i1]);
  const ratio = b.initializer('ratio', 'float32', [], new Float32Array([0.5]));
  const [d] = b.node('Dropout', [r, ratio], {}, { outputs: ['dropped', ''] });
  const t = b.op('Tanh', [d]);
  b.op('Identity', [t], {}, { output: 'y' }); // Identity feeding a graph output
  b.op('Identity', [x], {}, { output: 'x_copy' }); // graph input straight to output: must stay
  const sig = b.op('Sigmoid', [x]);
  b.op('Identity', [sig], {}, { output: 's' });
  b.output('y').output('x_copy').output('s');
  return b.build();
}

test('removes Identity and Dropout, keeps output names, same outputs', async () => {
  const model = build();
  const before = cloneModel(model);
  const removed = eliminateIdentity(model.graph);
  assert.equal(removed, 4);
  assert.equal(opCount(model, 'Dropout'), 0);
  assert.equal(opCount(model, 'Identity'), 1, 'input→output Identity stays');
  assert.deepEqual(model.graph.outputs.map((o) => o.name), ['y', 'x_copy', 's']);
  assert.equal(model.graph.nodes.find((n) => n.op === 'Tanh')!.outputs[0], 'y', 'producer renamed to the output');
  const feeds = { x: { dims: [2, 3], data: seededFloats(6, 1) } };
  const diffs = await diffOutputs(before, model, feeds);
  assert.deepEqual(diffs, { y: 0, x_copy: 0, s: 0 });
});

test('keeps a Dropout whose mask is used, or that is in training mode', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [4]);
  const [d, mask] = b.node('Dropout', [x], {}, { outputs: 2 });
  const training = b.initializer('train', 'bool', [], new Uint8Array([1]));
  const [d2] = b.node('Dropout', [d, b.initializer('r', 'float32', [], new Float32Array([0.1])), training], {}, { outputs: 1 });
  b.output(d2).output(mask);
  const model = b.build();
  assert.equal(eliminateIdentity(model.graph), 0);
  assert.equal(opCount(model, 'Dropout'), 2);
});
