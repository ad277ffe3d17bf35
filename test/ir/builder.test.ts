// The graph builder: unique names, typed attributes, inferred outputs, and models that a real runtime runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { ModelBuilder, attr } from '../../src/ir/builder.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { tempDir } from './op-harness.ts';
import { seededFloats } from '../../src/util/random.ts';

let dir = '';
let cleanup = async () => {};
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

test('names are unique across nodes, values, initializers and subgraphs', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [2]);
  const r1 = b.op('Relu', [x]);
  const r2 = b.op('Relu', [r1]);
  const w1 = b.initializer('w', 'float32', [2], new Float32Array(2));
  const w2 = b.initializer('w', 'float32', [2], new Float32Array(2));
  const sub = b.subgraph('body');
  sub.op('Relu', [r2]);
  const g = b.graph();
  const nodeNames = [...g.nodes, ...sub.graph().nodes].map((n) => n.name);
  const values = [x, r1, r2, w1, w2, ...sub.graph().nodes.flatMap((n) => n.outputs)];
  assert.equal(new Set(nodeNames).size, nodeNames.length, `node names ${nodeNames}`);
  assert.equal(new Set([...values, ...nodeNames]).size, values.length + nodeNames.length, `values ${values}`);
  assert.deepEqual([...g.initializers.keys()], [w1, w2]);
});

test('plain JS attribute values become typed attributes', () => {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', [1, 1, 4, 4]);
  b.node('Foo', [x], {
    i: 3, f: 0.5, t: true, ints: [1, 2], floats: [0.5, 1], s: 'SAME_UPPER', ss: ['a', 'b'], whole: attr.float(1), skip: undefined,
  });
  const attrs = b.graph().nodes[0].attributes;
  assert.deepEqual([...attrs].map(([k, a]) => [k, a.type]), [
    ['i', 'int'], ['f', 'float'], ['t', 'int'], ['ints', 'ints'], ['floats', 'floats'], ['s', 'string'], ['ss', 'strings'], ['whole', 'float'],
  ]);
  const s = attrs.get('s');
  assert.ok(s?.type === 'string');
  assert.equal(new TextDecoder().decode(s.value), 'SAME_UPPER');
});

test('build() fills untyped outputs by inference and imports the opsets', () => {
  const b = new ModelBuilder({ opset: 13, domains: { 'com.microsoft': 1 } });
  const x = b.input('x', 'float32', ['batch', 16]);
  const w = b.initializer('w', 'float32', [16, 4], new Float32Array(64));
  b.output(b.op('MatMul', [x, w]));
  const m = b.build();
  assert.deepEqual(m.graph.outputs[0].type, { kind: 'tensor', dtype: 'float32', shape: ['batch', 4] });
  assert.deepEqual(m.opsets, [{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }]);
  assert.equal(m.irVersion, 7);
});

test('a built Gemm + Relu model runs in onnxruntime and computes what the data says', async () => {
  const [M, K, N] = [3, 5, 4];
  let seed = 1;
  const rand = (n: number) => seededFloats(n, seed++, -1, 1);
  const a = rand(M * K);
  const wt = rand(N * K); // [N, K], used with transB
  const bias = rand(N);
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [M, K]);
  const g = b.op('Gemm', [x, b.initializer('w', 'float32', [N, K], wt), b.initializer('bias', 'float32', [N], bias)], { transB: 1, alpha: attr.float(1) });
  b.output(b.op('Relu', [g]));
  const model = b.build();
  const file = join(dir, 'gemm.onnx');
  await writeModel(model, file);
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
  const out = (await session.run({ x: new ort.Tensor('float32', a, [M, K]) }))[model.graph.outputs[0].name];
  await session.release();
  assert.deepEqual([...out.dims], [M, N]);
  const got = out.data as Float32Array;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias[j];
      for (let k = 0; k < K; k++) s += a[i * K + k] * wt[j * K + k];
      assert.ok(Math.abs(got[i * N + j] - Math.max(s, 0)) < 1e-5, `y[${i},${j}] = ${got[i * N + j]}, expected ${Math.max(s, 0)}`);
    }
  }
});
