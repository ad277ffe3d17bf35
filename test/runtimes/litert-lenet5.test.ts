// LeNet-5 compiled to .tflite by ondevice, run in LiteRT.js, matches onnxruntime-node on 200 real MNIST test images.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { LENET5_RECIPE, mnistBatches } from '../../src/data/mnist.ts';
import { compileFile } from '../../src/compile/compile.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';

const onnxPath = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ondevice-litert-lenet5-'));
const IMAGES = 200;

after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

test('lenet5.onnx → .tflite: LiteRT.js logits match onnxruntime-node within 1e-4 on 200 MNIST test images', async (t) => {
  const tflitePath = join(dir, 'lenet5.tflite');
  await compileFile(onnxPath, tflitePath, { target: 'tflite' });

  const [batch] = [...mnistBatches('test', IMAGES, LENET5_RECIPE, { limit: IMAGES })];
  assert.equal(batch.dims[0], IMAGES);
  const ort = await ortNodeRuntime.load(onnxPath);
  const reference = (await ort.run({ input: { dtype: 'float32', dims: batch.dims, data: batch.input } })).logits.data as Float32Array;
  await ort.release();

  const lite = await litertRuntime.load(tflitePath);
  try {
    assert.equal(lite.inputs.length, 1);
    assert.equal(lite.outputs.length, 1);
    const input = lite.inputs[0];
    const output = lite.outputs[0];
    assert.deepEqual(input.shape, [1, 1, 28, 28]);
    assert.deepEqual(output.shape, [1, 10]);
    const pixels = 28 * 28;
    let maxErr = 0;
    let agree = 0;
    let deviceMs = 0;
    for (let i = 0; i < IMAGES; i++) {
      const data = batch.input.subarray(i * pixels, (i + 1) * pixels);
      const out = await lite.run({ [input.name]: { dtype: 'float32', dims: [1, 1, 28, 28], data } });
      const logits = out[output.name].data as Float32Array;
      deviceMs += lite.lastRunMs?.() ?? NaN;
      let best = 0;
      let refBest = 0;
      for (let k = 0; k < 10; k++) {
        maxErr = Math.max(maxErr, Math.abs(logits[k] - reference[i * 10 + k]));
        if (logits[k] > logits[best]) best = k;
        if (reference[i * 10 + k] > reference[i * 10 + refBest]) refBest = k;
      }
      if (best === refBest) agree++;
    }
    assert.ok(maxErr <= 1e-4, `max abs error ${maxErr}`);
    assert.equal(agree, IMAGES);
    assert.ok(Number.isFinite(deviceMs) && deviceMs > 0, `in-page latency summed to ${deviceMs} ms`);
    t.diagnostic(`lenet5 in LiteRT.js: max abs err ${maxErr.toExponential(2)}, mean in-page run ${(deviceMs / IMAGES).toFixed(3)} ms`);
  } finally {
    await lite.release();
  }
});
