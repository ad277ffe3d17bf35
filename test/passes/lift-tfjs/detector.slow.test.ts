// Slow: the handtrackjs 640 detector, and a detector lifted without fixed input sizes run on a non-square picture, match TF.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDetector, describeParity, handtrack, picture } from './detector-parity.ts';

test('ssd640fpnlite (float32 weights) at 1×480×640×3: raw and post-NMS outputs match TF.js', async (t) => {
  const parity = await checkDetector(handtrack('ssd640fpnlite/base'), picture(480, 640), { input_tensor: [1, 480, 640, 3] });
  t.diagnostic(describeParity('ssd640fpnlite/base', parity));
  assert.ok(parity.detections > 0, 'the picture gives detections to compare');
});

test('ssd320fpnlite (float16 weights) lifted with its image size left open runs a 240×360 picture as TF.js does', async (t) => {
  // The loop maps over the batch (fixed at 1 in the signature) and resizes to 320×320, so no input shape is needed.
  const parity = await checkDetector(handtrack('ssd320fpnlite/fp16'), picture(240, 360));
  t.diagnostic(describeParity('ssd320fpnlite/fp16 (dynamic H×W)', parity));
  assert.ok(parity.detections > 0, 'the picture gives detections to compare');
});
