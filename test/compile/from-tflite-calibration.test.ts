// compile X.tflite --target tflite --quantize w8a8 calibrates on data in the .tflite's own (NHWC) layout, though the lift computes in NCHW.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readModel } from '../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { seededFloats } from '../../src/util/random.ts';
import { writeNpz } from '../data/data-files.ts';

const SELFIE = join(PACKAGE_ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite');
const dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-calib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('w8a8 from a .tflite with NHWC inputs calibrates on NHWC data and keeps NHWC inputs', async () => {
  const calib = join(dir, 'calib.npz');
  await writeNpz(calib, { input_1: { dtype: 'float32', dims: [4, 256, 256, 3], data: seededFloats(4 * 256 * 256 * 3, 3, 0, 1) } });
  const out = join(dir, 'selfie.w8a8.tflite');
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin/ondevice.js'), 'compile', SELFIE, '--target', 'tflite', '--quantize', 'w8a8', '--calibration', calib, '-o', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(out));
  const model = await readModel(out);
  const input = model.graph.inputs[0];
  assert.deepEqual(input.type.kind === 'tensor' ? input.type.shape : undefined, [1, 256, 256, 3]);
});
