// Calibration of the real LeNet-5 over 500 MNIST test images (minmax = an independent scan), and extremes that only the last, short batch holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { UsageError } from '../../src/errors.ts';
import { readModel } from '../../src/formats/registry.ts';
import { exposeValues, valueTypes } from '../../src/ir/expose.ts';
import { writeTempModel } from '../../src/formats/temp-model.ts';
import { calibrate } from '../../src/quantize/calibrate/calibrate.ts';
import type { TensorRange } from '../../src/quantize/calibrate/calibrator.ts';
import { calibrationTargets } from '../../src/quantize/calibrate/select.ts';
import type { Progress } from '../../src/report/progress.ts';
import type { DataSource } from '../../src/data/source.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { seededFloats } from '../../src/util/random.ts';

const lenet = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));
const IMAGES = 500;

/** Min/max of every target found by running the augmented model on all 500 images in one batch, scanned by hand. */
async function independentMinMax(targets: string[]): Promise<Map<string, TensorRange>> {
  const model = await readModel(lenet);
  const temp = await writeTempModel(exposeValues(model, targets.filter((t) => t !== 'input'), valueTypes(model)));
  try {
    const session = await ort.InferenceSession.create(temp.path);
    let input: Float32Array | undefined;
    for await (const b of mnistSource('test').batches(IMAGES, IMAGES)) input = b.inputs.input.data as Float32Array;
    const feeds = { input: new ort.Tensor('float32', input!, [IMAGES, 1, 28, 28]) };
    const out = await session.run(feeds, targets.filter((t) => t !== 'input'));
    await session.release();
    const ranges = new Map<string, TensorRange>();
    for (const name of targets) {
      const data = (name === 'input' ? input! : out[name].data) as Float32Array;
      let min = Infinity;
      let max = -Infinity;
      for (const v of data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      ranges.set(name, { min, max });
    }
    return ranges;
  } finally {
    temp.dispose();
  }
}

test('LeNet-5 calibration: minmax covers every value, percentile/entropy/mse lie inside and are narrower somewhere', async () => {
  const model = await readModel(lenet);
  const targets = calibrationTargets(model, valueTypes(model));
  assert.ok(targets.includes('input') && targets.includes('logits') && targets.length >= 10, `targets: ${targets.join(', ')}`);
  const expected = await independentMinMax(targets);

  const ticks: number[] = [];
  const progress: Progress = { start: (total) => ticks.push(-total), update: (done) => ticks.push(done), stop: () => ticks.push(0) };
  const minmax = await calibrate(model, mnistSource('test'), { method: 'minmax', batchSize: 64, limit: IMAGES, progress });
  assert.deepEqual(ticks, [-IMAGES, 64, 128, 192, 256, 320, 384, 448, 500, 0]);
  assert.deepEqual([...minmax.keys()], targets);
  for (const [name, seen] of expected) {
    const r = minmax.get(name)!;
    // Batch size changes the kernels' summation order, so allow float32 rounding.
    const tol = 1e-5 * Math.max(1, Math.abs(seen.min), Math.abs(seen.max));
    assert.ok(r.min <= seen.min + tol && r.max >= seen.max - tol, `${name}: [${r.min}, ${r.max}] must contain [${seen.min}, ${seen.max}]`);
    assert.ok(Math.abs(r.min - seen.min) <= tol && Math.abs(r.max - seen.max) <= tol, `${name}: minmax is the observed range`);
  }

  for (const method of ['percentile', 'entropy', 'mse'] as const) {
    const ranges = await calibrate(model, mnistSource('test'), { method, batchSize: 100, limit: IMAGES });
    assert.deepEqual([...ranges.keys()], targets, method);
    let narrower = 0;
    for (const [name, r] of ranges) {
      const m = minmax.get(name)!;
      assert.ok(r.min >= m.min && r.max <= m.max && r.min <= 0 && r.max > 0, `${method} ${name}: [${r.min}, ${r.max}] within minmax [${m.min}, ${m.max}]`);
      if (r.max - r.min < 0.98 * (m.max - m.min)) narrower++;
    }
    assert.ok(narrower >= 2, `${method} narrows at least two tensors (narrowed ${narrower})`);
    if (method !== 'entropy') {
      // MNIST has many pixels at full intensity: clipping them costs more than the rounding it saves.
      assert.ok(ranges.get('input')!.max >= 0.99 * minmax.get('input')!.max, `${method} keeps the input's bright pixels`);
    }
  }
});

test('calibrate rejects an unknown method, a tensor that does not exist, and data lacking the model input', async () => {
  const model = await readModel(lenet);
  await assert.rejects(calibrate(model, mnistSource('test'), { method: 'median' as never, limit: 10 }), (e: unknown) => e instanceof UsageError && /unknown calibration method 'median'/.test(e.message));
  await assert.rejects(calibrate(model, mnistSource('test'), { tensors: ['nope'], limit: 10 }), (e: unknown) => e instanceof UsageError && /'nope': it is neither/.test(e.message));
  await assert.rejects(calibrate(model, mnistSource('test', { scale: 1, mean: [0], std: [1], input: 'pixels' }), { limit: 10 }),
    (e: unknown) => e instanceof UsageError && /nothing for model input 'input'/.test(e.message));
  const ranges = await calibrate(model, mnistSource('test'), { tensors: ['logits'], limit: 10, batchSize: 3 });
  assert.deepEqual([...ranges.keys()], ['logits']);
});

/** y = 2·x, z = Relu(y) over x of shape [batch, 3]. */
function doubleRelu() {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [null, 3]);
  const y = b.op('Mul', [x, b.initializer('two', 'float32', [1], Float32Array.from([2]))], {}, { output: 'y' });
  b.output(b.op('Relu', [y], {}, { output: 'z' }), 'float32', [null, 3]);
  return b.build();
}

/** 10 examples of 3 values: the first 8 seeded in [-1, 1), the last 2 (the short last batch at batch size 4) hold -6.25 and 7.5. */
function lastBatchExtremes(): { source: DataSource; values: Float32Array; batches: number[] } {
  const values = new Float32Array(30);
  values.set(seededFloats(24, 11, -1, 1));
  values.set([0.5, -6.25, 0.25, 7.5, 0, -0.5], 24);
  const batches: number[] = [];
  const source: DataSource = {
    description: 'extremes in the last batch',
    count: 10,
    fingerprint: async () => 'last-batch',
    async *batches(size: number, limit = 10) {
      for (let start = 0; start < Math.min(10, limit); start += size) {
        const n = Math.min(size, Math.min(10, limit) - start);
        batches.push(n);
        yield { inputs: { x: { dtype: 'float32', dims: [n, 3], data: values.slice(start * 3, (start + n) * 3) } } };
      }
    },
  };
  return { source, values, batches };
}

test('minmax calibration sees extremes that only the last, short batch holds', async () => {
  const { source, batches } = lastBatchExtremes();
  const ticks: number[] = [];
  const progress: Progress = { start: () => {}, update: (done) => ticks.push(done), stop: () => {} };
  const ranges = await calibrate(doubleRelu(), source, { method: 'minmax', batchSize: 4, progress });
  assert.deepEqual(batches, [4, 4, 2], 'three batches, the last one short');
  assert.deepEqual(ticks, [4, 8, 10]);
  // By hand: x spans [-6.25, 7.5] (both in the last batch), y = 2x spans [-12.5, 15], Relu(y) spans [0, 15].
  assert.deepEqual(ranges.get('x'), { min: -6.25, max: 7.5 });
  assert.deepEqual(ranges.get('y'), { min: -12.5, max: 15 });
  assert.deepEqual(ranges.get('z'), { min: 0, max: 15 });
  // Percentile 100 keeps the largest |x| too (up to one histogram bin); its range is clipped to the observed min/max.
  const p100 = await calibrate(doubleRelu(), lastBatchExtremes().source, { method: 'percentile', percentile: 100, batchSize: 4 });
  assert.deepEqual(p100.get('x'), { min: -6.25, max: 7.5 });
});
