// Whole-model inference: shape arithmetic through Shape/Gather/Concat, write-back, unknown ops, tolerant mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { GraphError } from '../../src/errors.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { inferModel, inferTypes } from '../../src/ir/infer.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { tempDir } from './op-harness.ts';
import { seededFloats } from '../../src/util/random.ts';

let dir = '';
let cleanup = async () => {};
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

/** The PyTorch-export idiom x.view(x.size(0), -1) after a strided conv, with a symbolic batch. */
function flattenByShape() {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['batch', 3, 16, 16]);
  const w = b.initializer('w', 'float32', [8, 3, 3, 3], seededFloats(8 * 27, 1, 0, 1));
  const c = b.op('Conv', [x, w], { pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'conv' });
  const shape = b.op('Shape', [c]);
  const n = b.op('Gather', [shape, b.initializer('zero', 'int64', [1], BigInt64Array.from([0n]))]);
  const target = b.op('Concat', [n, b.initializer('minus_one', 'int64', [1], BigInt64Array.from([-1n]))], { axis: 0 });
  b.output(b.op('Reshape', [c, target], {}, { name: 'flatten' }));
  return b.build();
}

test('shape arithmetic keeps the symbolic batch and solves -1, as the runtime does', async () => {
  const model = flattenByShape();
  const out = model.graph.outputs[0];
  assert.deepEqual(out.type, { kind: 'tensor', dtype: 'float32', shape: ['batch', 8 * 8 * 8] });
  const file = join(dir, 'flatten.onnx');
  await writeModel(model, file);
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
  const r = await session.run({ x: new ort.Tensor('float32', new Float32Array(3 * 3 * 16 * 16), [3, 3, 16, 16]) });
  await session.release();
  assert.deepEqual([...r[out.name].dims], [3, 8 * 8 * 8]);
});

test('writeBack records intermediate types in valueInfo', () => {
  const model = flattenByShape();
  const conv = model.graph.nodes.find((n) => n.name === 'conv')!.outputs[0];
  assert.equal(model.graph.valueInfo.has(conv), false);
  inferModel(model, { writeBack: true });
  assert.deepEqual(model.graph.valueInfo.get(conv)?.type, { kind: 'tensor', dtype: 'float32', shape: ['batch', 8, 8, 8] });
});

test('an unknown op keeps its declared type and inference continues past it', () => {
  const b = new ModelBuilder({ opset: 17, domains: { 'com.example': 1 } });
  const x = b.input('x', 'float32', [2, 3]);
  const y = b.op('Mystery', [x], {}, { domain: 'com.example' });
  b.valueInfo(y, 'float16', [6]);
  b.output(b.op('Relu', [y]));
  const types = inferTypes(b.build({ inferOutputs: false }));
  assert.deepEqual(types.get(y), { kind: 'tensor', dtype: 'float16', shape: [6] });
  const out = b.graph().outputs[0].name;
  assert.deepEqual(types.get(out), { kind: 'tensor', dtype: 'float16', shape: [6] });
});

test('errors throw naming the node; tolerant mode collects them instead', () => {
  const b = new ModelBuilder({ opset: 17 });
  const a = b.input('a', 'float32', [2, 3]);
  const m = b.op('MatMul', [a, b.input('b', 'float32', [4, 5])], {}, { name: 'mm' });
  b.output(b.op('Relu', [m], {}, { name: 'after' }), 'float32');
  const model = b.build();
  assert.throws(() => inferTypes(model), (e: unknown) => e instanceof GraphError && e.node === 'mm' && /inner dimensions differ/.test(e.message));
  const { issues, types } = inferModel(model, { tolerant: true });
  assert.deepEqual(issues.map((i) => [i.code, i.node]), [['inference-error', 'mm']]);
  assert.deepEqual(types.get(m), { kind: 'unknown' });
});

test('If joins its branches: equal dims stay, differing dims become unknown', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [4, 6]);
  const cond = b.input('cond', 'bool', []);
  const then = b.subgraph('then');
  then.output(then.op('Slice', [x, then.constant('s', 'int64', [1], BigInt64Array.from([0n])), then.constant('e', 'int64', [1], BigInt64Array.from([2n]))]));
  const otherwise = b.subgraph('else');
  otherwise.output(otherwise.op('Identity', [x]));
  b.output(b.op('If', [cond], { then_branch: then.graph(), else_branch: otherwise.graph() }));
  const types = inferTypes(b.build({ inferOutputs: false }));
  assert.deepEqual(types.get(then.graph().outputs[0].name), { kind: 'tensor', dtype: 'float32', shape: [2, 6] });
  assert.deepEqual(types.get(b.graph().outputs[0].name), { kind: 'tensor', dtype: 'float32', shape: [null, 6] });
});
