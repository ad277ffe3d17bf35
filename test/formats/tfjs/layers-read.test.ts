// Reading TF.js layers models: one ai.keras node per layer call, weights by role, Sequential/Functional/Keras 3 topologies, nested models.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { FormatError } from '../../../src/errors.ts';
import { attrInt, attrString, type Node } from '../../../src/ir/graph.ts';
import { readModelJson, readTfjs } from '../../../src/formats/tfjs/index.ts';
import { PACKAGE_ROOT } from '../../../src/paths.ts';
import { functional, input, layer, writeLayersModel } from '../../tfjs/layers-fixture.ts';
import { materialiseNsfwjs } from '../../tfjs/nsfwjs.ts';

const ESRGAN_X4 = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models/x4/model.json');
let dir: string;
let count = 0;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-layers-read-')); });
after(() => rmSync(dir, { recursive: true, force: true }));
/** A fresh sub-folder per model. */
const fresh = () => mkdtempSync(join(dir, `m${count++}-`));

const roles = (n: Node) => { const a = n.attributes.get('weight_names'); return a?.type === 'strings' ? a.value.map((v) => new TextDecoder().decode(v)) : []; };

test('esrgan-slim x4: one node per layer, the input shape with unknown sizes, weights as initializers named as in the manifest', async () => {
  const m = await readTfjs(ESRGAN_X4);
  assert.deepEqual(m.graph.inputs.map((i) => [i.name, i.type.kind === 'tensor' && i.type.shape]), [['LR', [null, null, null, 3]]]);
  assert.deepEqual(m.graph.outputs.map((o) => o.name), ['SR']);
  const layers = (readModelJson(ESRGAN_X4).modelTopology.model_config as { config: { layers: { class_name: string }[] } }).config.layers;
  assert.equal(m.graph.nodes.length, layers.filter((l) => l.class_name !== 'InputLayer').length, 'every layer but the InputLayer');
  const conv = m.graph.nodes.find((n) => n.name === 'F_0')!;
  assert.equal(conv.op, 'Conv2D');
  assert.equal(conv.domain, 'ai.keras');
  assert.deepEqual(conv.inputs, ['F_m1', 'F_0/kernel', 'F_0/bias']);
  assert.deepEqual(roles(conv), ['kernel', 'bias']);
  assert.equal(attrInt(conv, 'data_inputs'), 1);
  assert.equal(JSON.parse(attrString(conv, 'config', '{}')).padding, 'same');
  assert.deepEqual(m.graph.initializers.get('F_0/kernel')?.dims, [3, 3, 64, 64]);
  const concat = m.graph.nodes.find((n) => n.op === 'Concatenate')!;
  assert.equal(attrInt(concat, 'data_inputs'), concat.inputs.length);
  assert.ok(concat.inputs.length >= 2);
});

test('nsfwjs MobileNetV2: BatchNormalization weights in Keras order, a conv without bias, uint8 weights dequantized', async () => {
  const file = materialiseNsfwjs();
  try {
    const m = await readTfjs(file);
    const bn = m.graph.nodes.find((n) => n.name === 'bn_Conv1')!;
    assert.deepEqual(roles(bn), ['gamma', 'beta', 'moving_mean', 'moving_variance']);
    assert.deepEqual(bn.inputs, ['Conv1', 'bn_Conv1/gamma', 'bn_Conv1/beta', 'bn_Conv1/moving_mean', 'bn_Conv1/moving_variance']);
    assert.deepEqual(m.graph.nodes.find((n) => n.name === 'Conv1')!.inputs, ['Conv1_pad', 'Conv1/kernel']);
    assert.equal(m.graph.initializers.get('Conv1/kernel')?.dtype, 'float32');
    assert.deepEqual(m.graph.inputs[0].type.kind === 'tensor' && m.graph.inputs[0].type.shape, [null, 224, 224, 3]);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
});

test('Sequential without an InputLayer: the input comes from the first layer (named <layer>_input), layers chained', async () => {
  const config = { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'Dense', config: { name: 'd1', units: 4, batch_input_shape: [null, 3], activation: 'relu' } },
    { class_name: 'Dense', config: { name: 'd2', units: 2, use_bias: false } },
  ] } };
  const m = await readTfjs(writeLayersModel(fresh(), config, [{ name: 'd1/kernel', dims: [3, 4] }, { name: 'd1/bias', dims: [4] }, { name: 'd2/kernel', dims: [4, 2] }]));
  assert.deepEqual(m.graph.inputs.map((i) => [i.name, i.type.kind === 'tensor' && i.type.shape]), [['d1_input', [null, 3]]]);
  assert.deepEqual(m.graph.nodes.map((n) => [n.name, n.inputs]), [['d1', ['d1_input', 'd1/kernel', 'd1/bias']], ['d2', ['d1', 'd2/kernel']]]);
  assert.deepEqual(m.graph.outputs.map((o) => o.name), ['d2']);
});

test('Keras 3 topology: {args, kwargs} inbound nodes with keras_history, a shared layer called twice, weights named layer/0', async () => {
  const tensor = (l: string, k = 0, t = 0) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [l, k, t] } });
  const layers = [
    { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_shape: [null, 3], dtype: 'float32' }, inbound_nodes: [] },
    { class_name: 'Dense', name: 'shared', config: { name: 'shared', units: 3 }, inbound_nodes: [{ args: [tensor('x')], kwargs: {} }, { args: [tensor('shared', 0, 0)], kwargs: {} }] },
    { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: [{ args: [[tensor('shared', 0), tensor('shared', 1)]], kwargs: {} }] },
  ];
  const config = { class_name: 'Functional', config: { name: 'k3', layers, input_layers: [['x', 0, 0]], output_layers: [['sum', 0, 0]] } };
  const m = await readTfjs(writeLayersModel(fresh(), config, [{ name: 'shared/0', dims: [3, 3] }, { name: 'shared/1', dims: [3] }]));
  const byName = new Map(m.graph.nodes.map((n) => [n.name, n]));
  assert.deepEqual(byName.get('shared')!.inputs, ['x', 'shared/0', 'shared/1']);
  assert.deepEqual(roles(byName.get('shared')!), ['kernel', 'bias']);
  assert.deepEqual(byName.get('shared_1')!.inputs, ['shared', 'shared/0', 'shared/1']);
  assert.deepEqual(byName.get('shared_1')!.outputs, ['shared:1:0']);
  assert.deepEqual(byName.get('sum')!.inputs, ['shared', 'shared:1:0']);
});

test('a nested model used as a layer is inlined; weights may carry a model-name prefix and a :0 suffix', async () => {
  const inner = { class_name: 'Functional', name: 'backbone', config: { name: 'backbone', layers: [input('inner_in', [4]), layer('Dense', 'inner_dense', { units: 2 }, ['inner_in'])], input_layers: [['inner_in', 0, 0]], output_layers: [['inner_dense', 0, 0]] }, inbound_nodes: [[['x', 0, 0, {}]]] };
  // Keras numbers a nested model's calls from 1 (node 0 links its own inputs to its outputs).
  const config = functional([input('x', [4]), inner as never, { ...layer('ReLU', 'act', {}, []), inbound_nodes: [[['backbone', 1, 0, {}]]] }], ['x'], ['act']);
  const m = await readTfjs(writeLayersModel(fresh(), config, [{ name: 'backbone/inner_dense/kernel:0', dims: [4, 2] }, { name: 'backbone/inner_dense/bias:0', dims: [2] }]));
  assert.deepEqual(m.graph.nodes.map((n) => [n.op, n.name, n.inputs]), [
    ['Dense', 'inner_dense', ['x', 'backbone/inner_dense/kernel:0', 'backbone/inner_dense/bias:0']],
    ['ReLU', 'act', ['inner_dense']],
  ]);
});

test('a missing weight is one FormatError naming the layer and the file', async () => {
  const config = functional([input('x', [3]), layer('Dense', 'head', { units: 2 }, ['x'])], ['x'], ['head']);
  const file = writeLayersModel(fresh(), config, [{ name: 'head/kernel', dims: [3, 2] }]);
  await assert.rejects(readTfjs(file), (e: unknown) => e instanceof FormatError && /layer 'head' \(Dense\) has no weight 'bias'/.test(e.message) && e.file === file && !e.message.includes('\n'));
});

test('a reference to a layer the model does not hold is a FormatError', async () => {
  const config = functional([input('x', [3]), layer('ReLU', 'r', {}, ['ghost'])], ['x'], ['r']);
  await assert.rejects(readTfjs(writeLayersModel(fresh(), config, [])), (e: unknown) => e instanceof FormatError && /layer 'ghost'/.test(e.message));
});

test('a nested model whose layer shares a name with an outer layer is refused in one line', async () => {
  const inner = { class_name: 'Functional', name: 'inner', config: { name: 'inner', layers: [input('inner_in', [3]), layer('ReLU', 'act', {}, ['inner_in'])], input_layers: [['inner_in', 0, 0]], output_layers: [['act', 0, 0]] }, inbound_nodes: [[['x', 0, 0, {}]]] };
  const config = functional([input('x', [3]), inner as never, { ...layer('ReLU', 'act', {}, []), inbound_nodes: [[['inner', 1, 0, {}]]] }], ['x'], ['act']);
  await assert.rejects(readTfjs(writeLayersModel(fresh(), config, [])), (e: unknown) => e instanceof FormatError && /two layers are named 'act'/.test(e.message));
});
