// The TF.js runtime: the public layers and graph models load from model.json and run; broken files fail on one line naming them.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OndeviceError } from '../../src/errors.ts';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { tfjsRuntime } from '../../src/runtimes/tfjs.ts';
import { digitScenes } from '../support/scenes.ts';

const ESRGAN_X2 = 'node_modules/@upscalerjs/esrgan-slim/models/x2/model.json';
const HANDTRACK = 'node_modules/handtrackjs/models/webmodel/ssd320fpnlite/base/model.json';

test('model.json files resolve to the tfjs runtime, which reports TensorFlow.js on the CPU backend', async () => {
  const runtime = await resolveRuntime({ format: 'tfjs' });
  assert.equal(runtime.name, 'tfjs');
  const session = await runtime.load(ESRGAN_X2);
  try {
    assert.equal(session.info.engine, 'TensorFlow.js');
    assert.equal(session.info.backend, 'cpu');
    assert.equal(session.info.threads, 1);
    assert.match(session.info.version, /^\d+\.\d+\.\d+/);
  } finally {
    await session.release();
  }
});

test('esrgan-slim x2 (layers model) doubles a small image and its output follows the input', async () => {
  const session = await tfjsRuntime.load(ESRGAN_X2);
  try {
    assert.deepEqual(session.inputs.map((i) => [i.name, i.dtype, i.shape]), [['LR', 'float32', [null, null, null, 3]]]);
    assert.deepEqual(session.outputs.map((o) => o.name), ['SR']);
    const h = 20, w = 28;
    const image = digitScenes('eval', 1, h, w, (v) => v / 255, true);
    const { SR } = await session.run({ LR: { dtype: 'float32', dims: [1, h, w, 3], data: image } });
    assert.deepEqual(SR.dims, [1, 2 * h, 2 * w, 3]);
    assert.equal(SR.dtype, 'float32');
    // Weights loaded in the wrong order or not at all give noise; the real model gives the input, sharpened.
    const upscaled = new Float32Array(SR.data.length);
    for (let y = 0; y < 2 * h; y++) for (let x = 0; x < 2 * w; x++) for (let c = 0; c < 3; c++) upscaled[(y * 2 * w + x) * 3 + c] = image[((y >> 1) * w + (x >> 1)) * 3 + c];
    const fidelity = new FidelityAccumulator();
    fidelity.add(upscaled, SR.data as Float32Array);
    assert.ok(fidelity.result().psnr > 15, `SR vs nearest-upscaled input: ${fidelity.result().psnr.toFixed(1)} dB`);
  } finally {
    await session.release();
  }
});

test('the handtrackjs SSD (graph model: while loop, NMS) runs on a uint8 image with its signature names', async () => {
  const session = await tfjsRuntime.load(HANDTRACK);
  try {
    assert.deepEqual(session.inputs, [{ name: 'input_tensor', dtype: 'uint8', shape: [1, null, null, 3] }]);
    assert.ok(session.outputs.some((o) => o.name === 'Identity_1'), session.outputs.map((o) => o.name).join(','));
    const h = 48, w = 64;
    const image = Uint8Array.from(digitScenes('eval', 1, h, w, (v) => Math.round(v), true));
    const out = await session.run({ input_tensor: { dtype: 'uint8', dims: [1, h, w, 3], data: image } });
    assert.deepEqual(Object.keys(out).sort(), session.outputs.map((o) => o.name).sort());
    for (const o of session.outputs) {
      assert.equal(out[o.name].dims.length, o.shape.length, o.name);
      o.shape.forEach((d, i) => d === null || assert.equal(out[o.name].dims[i], d, `${o.name} dim ${i}`));
    }
    const boxes = out.Identity_1.data as Float32Array;
    assert.ok(boxes.every((v) => v >= 0 && v <= 1), 'detection boxes are normalised coordinates');
    const only = await session.run({ input_tensor: { dtype: 'uint8', dims: [1, h, w, 3], data: image } }, ['Identity_4']);
    assert.deepEqual(Object.keys(only), ['Identity_4']);
    assert.deepEqual(only.Identity_4.data, out.Identity_4.data);
  } finally {
    await session.release();
  }
});

test('a corrupt model.json or a missing shard is one line naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-tfjs-rt-'));
  try {
    const corrupt = join(dir, 'model.json');
    writeFileSync(corrupt, '{"format": "layers-model", "modelTopology": {');
    await assert.rejects(tfjsRuntime.load(corrupt), (e: Error) => {
      assert.ok(e instanceof OndeviceError);
      assert.equal(e.file, corrupt);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    const noShard = join(dir, 'x2', 'model.json');
    mkdirSync(join(dir, 'x2'));
    copyFileSync(ESRGAN_X2, noShard);
    await assert.rejects(tfjsRuntime.load(noShard), (e: Error) => {
      assert.ok(e instanceof OndeviceError);
      assert.equal(e.file, noShard);
      assert.match(e.message, /group1-shard1of1\.bin.*not found/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

