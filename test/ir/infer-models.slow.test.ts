// Differential shape check on the larger PaddleOCR models (detector opset 11, recogniser opset 9) against onnxruntime.
import { test } from 'node:test';
import { checkModelAgainstRuntime } from './model-diff.ts';

test('ch_PP-OCRv4_det_infer.onnx: every inferred shape matches onnxruntime', () =>
  checkModelAgainstRuntime('ch_PP-OCRv4_det_infer.onnx', [1, 3, 64, 96]));

test('ch_PP-OCRv4_rec_infer.onnx: every inferred shape matches onnxruntime', () =>
  checkModelAgainstRuntime('ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]));
