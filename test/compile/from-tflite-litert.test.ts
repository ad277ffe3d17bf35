// MediaPipe .tflite models lifted to ONNX ops run in onnxruntime and match the original in LiteRT.js (also with int8 weights); the lifted ONNX recompiles to .tflite and quantizes to fp16.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { compileFile } from '../../src/compile/compile.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { readTfliteFile } from '../../src/formats/tflite/read.ts';
import { writeTfliteFile } from '../../src/formats/tflite/write.ts';
import { halfToFloat } from '../../src/ir/tensor.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { psnr, runOutputs as run } from './parity.ts';

const MP = join(PACKAGE_ROOT, 'node_modules/@mediapipe');
/** Model, input range MediaPipe feeds it (face detection: [-1, 1]; selfie segmentation: [0, 1]). */
const MODELS: [string, string, [number, number]][] = [
  ['face_detection_short_range', join(MP, 'face_detection/face_detection_short_range.tflite'), [-1, 1]],
  ['face_detection_full_range', join(MP, 'face_detection/face_detection_full_range.tflite'), [-1, 1]],
  ['selfie_segmentation', join(MP, 'selfie_segmentation/selfie_segmentation.tflite'), [0, 1]],
  ['selfie_segmentation_landscape', join(MP, 'selfie_segmentation/selfie_segmentation_landscape.tflite'), [0, 1]],
];

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-from-tflite-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** A person-like picture (background, shoulders, head with eyes and mouth), drawn with sharp at `w`×`h`, NHWC floats in `range`. */
async function portrait(h: number, w: number, [lo, hi]: [number, number]): Promise<HostTensor> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 200 200" preserveAspectRatio="none">
    <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6a8caf"/><stop offset="1" stop-color="#d9c7a0"/></linearGradient></defs>
    <rect width="200" height="200" fill="url(#bg)"/>
    <ellipse cx="100" cy="190" rx="70" ry="50" fill="#2e4a7d"/>
    <rect x="88" y="120" width="24" height="30" fill="#e0ac8a"/>
    <ellipse cx="100" cy="90" rx="36" ry="46" fill="#e8b996"/>
    <ellipse cx="100" cy="52" rx="38" ry="18" fill="#3b2a1e"/>
    <ellipse cx="86" cy="85" rx="6" ry="4" fill="#1d1d1d"/><ellipse cx="114" cy="85" rx="6" ry="4" fill="#1d1d1d"/>
    <path d="M100 92 L95 106 L105 106 Z" fill="#cf9577"/>
    <path d="M86 116 Q100 126 114 116" stroke="#8a3b3b" stroke-width="4" fill="none"/>
  </svg>`;
  const rgb = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  const data = Float32Array.from(rgb, (v) => lo + ((hi - lo) * v) / 255);
  return { dtype: 'float32', dims: [1, h, w, 3], data };
}

/** Checks PSNR ≥ `min` dB per output and, for float32 paths, max abs error ≤ `maxAbs` (PSNR alone is lenient on outputs with a large peak). */
function assertPsnr(label: string, ref: Float32Array[], got: Float32Array[], min: number, maxAbs = Infinity): number[] {
  assert.equal(got.length, ref.length, `${label}: output count`);
  const values = ref.map((r, i) => psnr(r, got[i]));
  values.forEach((p, i) => assert.ok(p >= min, `${label}: output ${i} PSNR ${p.toFixed(1)} dB < ${min} dB`));
  ref.forEach((r, i) => {
    const worst = r.reduce((m, v, j) => Math.max(m, Math.abs(v - got[i][j])), 0);
    assert.ok(worst <= maxAbs, `${label}: output ${i} max abs error ${worst} > ${maxAbs}`);
  });
  return values;
}

for (const [name, file, range] of MODELS) {
  test(`${name}: lifted ONNX in onnxruntime matches the .tflite in LiteRT (≥ 60 dB, max abs ≤ 1e-3); recompiled .tflite too; fp16 ≥ 45 dB`, async () => {
    const model = await readModel(file);
    const dims = (model.graph.inputs[0].type as { shape: number[] }).shape;
    const input = await portrait(dims[1], dims[2], range);
    const reference = await run(litertRuntime, file, input);
    assert.ok(reference.every((r) => r.some((v) => v !== 0)), 'the original model gives a non-zero output on the picture');

    const onnx = join(dir, `${name}.onnx`);
    const report = await compileFile(file, onnx, { target: 'onnx' });
    assert.ok(report.lift, 'the .tflite was lifted');
    assert.equal(Object.keys(report.ops).filter((op) => op === op.toUpperCase()).length, 0, `no TFLite op names left: ${Object.keys(report.ops)}`);
    const lifted = await readModel(onnx);
    assert.ok(lifted.graph.nodes.every((n) => n.domain === ''), 'only standard ONNX ops');
    assert.deepEqual(lifted.graph.inputs[0].type, model.graph.inputs[0].type, 'NHWC input kept');
    const ort = assertPsnr('onnxruntime', reference, await run(ortNodeRuntime, onnx, input), 60, 1e-3);

    const tflite = join(dir, `${name}.recompiled.tflite`);
    await compileFile(onnx, tflite, { target: 'tflite' });
    const recompiled = assertPsnr('recompiled .tflite', reference, await run(litertRuntime, tflite, input), 60, 1e-3);

    const fp16 = join(dir, `${name}.fp16.onnx`);
    const { model: half } = await quantizeModel(model, { scheme: 'fp16' });
    await writeModel(half, fp16);
    const fp16Psnr = assertPsnr('fp16', reference, await run(ortNodeRuntime, fp16, input), 45);

    const figures = { ort, recompiled, fp16: fp16Psnr, lift: report.lift, sizes: { tflite: statSync(file).size, onnx: statSync(onnx).size, recompiled: statSync(tflite).size, fp16: statSync(fp16).size } };
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(figures));
    if (process.env.ONDEVICE_PRINT_FIGURES) console.log(name, JSON.stringify(figures));
  });
}

/** The face detector with every float16 conv weight requantized to int8, symmetric per output channel (axis 0). */
function withInt8Weights(file: string, out: string): number {
  const tfl = readTfliteFile(file);
  const sg = tfl.subgraphs[0];
  const dequantize = tfl.operator_codes.findIndex((c) => Math.max(c.builtin_code, c.deprecated_builtin_code) === 6);
  let count = 0;
  for (const op of sg.operators.filter((o) => o.opcode_index === dequantize)) {
    const t = sg.tensors[op.inputs[0]];
    if (t.type !== 1 || t.shape.length !== 4) continue; // FLOAT16, rank 4
    const half = new Uint16Array(new Uint8Array(tfl.buffers[t.buffer].data!).buffer);
    const channels = t.shape[0], inner = half.length / channels;
    const q = new Int8Array(half.length), scale: number[] = [];
    for (let c = 0; c < channels; c++) {
      const row = Array.from(half.subarray(c * inner, (c + 1) * inner), halfToFloat);
      const s = Math.max(...row.map(Math.abs)) / 127 || 1;
      scale.push(s);
      row.forEach((v, i) => { q[c * inner + i] = Math.round(v / s); });
    }
    tfl.buffers[t.buffer] = { data: new Uint8Array(q.buffer) };
    t.type = 9; // INT8
    t.quantization = { scale, zero_point: new Array<number>(channels).fill(0), quantized_dimension: 0 };
    count++;
  }
  writeTfliteFile(tfl, out);
  return count;
}

test('int8 per-channel weights behind DEQUANTIZE lift to the float32 constants LiteRT dequantizes them to (≥ 60 dB)', async () => {
  const file = join(dir, 'face-int8-weights.tflite');
  assert.ok(withInt8Weights(MODELS[0][1], file) > 0);
  const input = await portrait(128, 128, [-1, 1]);
  const reference = await run(litertRuntime, file, input);
  const onnx = join(dir, 'face-int8-weights.onnx');
  await compileFile(file, onnx, { target: 'onnx' });
  const psnrs = assertPsnr('int8 weights', reference, await run(ortNodeRuntime, onnx, input), 60, 1e-3);
  if (process.env.ONDEVICE_PRINT_FIGURES) console.log('int8 weights', JSON.stringify(psnrs));
});
