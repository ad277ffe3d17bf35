// Mixed precision and per-layer analysis on a model whose batch dim is fixed (a .tflite lifted at batch 1, torch exports): data batches of any size.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { randomSource } from '../../src/data/random.ts';
import { analyzeLayers } from '../../src/evaluate/per-layer.ts';
import { readModel } from '../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { outputPsnr } from '../../src/pipeline/mixed-precision.ts';

const GRU = join(PACKAGE_ROOT, 'test/fixtures/torch/gru.onnx');

test('outputPsnr and analyzeLayers take batches of 4 on a model fixed at batch 1', async () => {
  const model = await readModel(GRU);
  const source = randomSource([{ name: 'x', dtype: 'float32', shape: [1, 28, 28] }], { count: 8, seed: 2 });
  // The model against itself: identical outputs, so the figure is infinite; a batch-size mismatch would throw instead.
  assert.equal(await outputPsnr(model, model, source, 8, 4), Infinity);
  const layers = await analyzeLayers(model, model, source, { limit: 8, batchSize: 4 });
  assert.ok(layers.layers.length > 0);
});
