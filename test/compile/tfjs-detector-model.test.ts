// The public TF.js graph model (handtrackjs SSD MobileNetV2 FPN-lite 320) through every stage: its raw heads (the NMS
// stays in the app) → .tflite in LiteRT.js and w8a8 ONNX, measured against the model.json run in TF.js on held-out scenes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { fixedArgs, lowest, make, psnrVsTfjs, writeScenes, type TfjsCase } from './tfjs-stages.ts';

const SSD: TfjsCase = {
  file: join(PACKAGE_ROOT, 'node_modules/handtrackjs/models/webmodel/ssd320fpnlite/base/model.json'),
  input: 'input_tensor', size: [320, 320], uint8: true, shapes: ['input_tensor=1,320,320,3'], outputs: 'Identity_6,Identity_7',
};

test('handtrack ssd320 raw heads: .tflite in LiteRT.js ≥ 60 dB; w8a8 ≥ 30 dB on held-out scenes', { timeout: 300_000 }, (t) => {
  const evalData = writeScenes(SSD, 'eval', 2), calib = writeScenes(SSD, 'calib', 8);
  const tflite = join(evalData, 'ssd.tflite');
  make(['compile', SSD.file, '--target', 'tflite', '-o', tflite, ...fixedArgs(SSD)]);
  const float = psnrVsTfjs(SSD, tflite, evalData);
  assert.deepEqual(Object.keys(float).sort(), ['Identity_6', 'Identity_7']);
  assert.ok(lowest(float) >= 60, `.tflite vs TF.js: ${JSON.stringify(float)}`);
  const w8a8 = join(evalData, 'ssd.w8a8.onnx');
  make(['quantize', SSD.file, '-o', w8a8, '--scheme', 'w8a8', '--calibration', calib, ...fixedArgs(SSD)]);
  const q = psnrVsTfjs(SSD, w8a8, evalData);
  t.diagnostic(`.tflite ${JSON.stringify(float)}; w8a8 ${JSON.stringify(q)}`);
  assert.ok(lowest(q) >= 30 && lowest(q) < 60, `w8a8 vs TF.js: ${JSON.stringify(q)}`);
});
