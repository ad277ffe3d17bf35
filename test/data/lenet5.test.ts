// The embedded LeNet-5 in onnxruntime-node classifies the 10,000 real MNIST test images at ≥ 99% top-1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { LENET5_RECIPE, mnistBatches, type MnistRecipe } from '../../src/data/mnist.ts';

const dir = fileURLToPath(new URL('../../models/lenet5/', import.meta.url));

test('models/lenet5 files describe the recipe the loader uses', () => {
  const recipe = JSON.parse(readFileSync(`${dir}preprocess.json`, 'utf8'));
  assert.equal(recipe.input, 'input');
  assert.equal(recipe.output, 'logits');
  assert.equal(recipe.layout, LENET5_RECIPE.layout);
  assert.ok(Math.abs(recipe.scale - LENET5_RECIPE.scale) < 1e-12);
  assert.deepEqual(recipe.mean, LENET5_RECIPE.mean);
  assert.deepEqual(recipe.std, LENET5_RECIPE.std);
  assert.deepEqual(readFileSync(`${dir}labels.txt`, 'utf8').trim().split('\n'), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});

test('lenet5.onnx reaches >= 99% top-1 on the 10,000 MNIST test images', async () => {
  const recipe = JSON.parse(readFileSync(`${dir}preprocess.json`, 'utf8')) as MnistRecipe;
  const session = await ort.InferenceSession.create(`${dir}lenet5.onnx`);
  try {
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['logits']);
    const start = performance.now();
    let correct = 0;
    let total = 0;
    // 512 does not divide 10,000: the last batch (272) exercises the dynamic batch dimension.
    for (const batch of mnistBatches('test', 512, recipe)) {
      const out = await session.run({ input: new ort.Tensor('float32', batch.input, batch.dims) });
      const logits = out.logits;
      assert.deepEqual(logits.dims, [batch.dims[0], 10]);
      const data = logits.data as Float32Array;
      for (let i = 0; i < batch.dims[0]; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (data[i * 10 + k] > data[i * 10 + best]) best = k;
        if (best === batch.labels[i]) correct++;
      }
      total += batch.dims[0];
    }
    const accuracy = correct / total;
    const ms = performance.now() - start;
    console.log(`lenet5.onnx: top-1 ${(accuracy * 100).toFixed(2)}% (${correct}/${total}) in ${ms.toFixed(0)} ms`);
    assert.equal(total, 10000);
    assert.ok(accuracy >= 0.99, `top-1 accuracy ${accuracy}`);
  } finally {
    await session.release();
  }
});
