// Differential shape check on a small real model (PaddleOCR direction classifier, opset 9) against onnxruntime.
import { test } from 'node:test';
import { checkModelAgainstRuntime } from './model-diff.ts';

test('ch_ppocr_mobile_v2.0_cls_infer.onnx: every inferred shape matches onnxruntime', () =>
  checkModelAgainstRuntime('ch_ppocr_mobile_v2.0_cls_infer.onnx', [1, 3, 48, 192]));
