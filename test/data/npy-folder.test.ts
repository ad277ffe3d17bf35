// A folder of <input>.npy arrays feeding the three inputs of the LSTM fixture (x from MNIST rows, seeded h0/c0), through calibration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { modelInputs } from '../../src/data/model-inputs.ts';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { UsageError } from '../../src/errors.ts';
import { readModel } from '../../src/formats/registry.ts';
import { parseInputValues } from '../../src/ir/input-values.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { calibrate } from '../../src/quantize/calibrate/calibrate.ts';
import { mulberry32 } from '../../src/util/random.ts';

const N = 12;
const model = await readModel(join(PACKAGE_ROOT, 'test', 'fixtures', 'torch', 'lstm.onnx'));
const inputs = modelInputs(model);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-npy-folder-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function all(batches: AsyncIterable<DataBatch>): Promise<DataBatch[]> {
  const out: DataBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

// x: N MNIST test digits as 28 rows of 28 features; h0/c0: seeded states in [-0.5, 0.5).
const [digits] = await all(mnistSource('test').batches(N, N));
const x = digits.inputs.input.data as Float32Array;
const next = mulberry32(11);
const h0 = Float32Array.from({ length: N * 64 }, () => next() - 0.5);
const c0 = Float32Array.from({ length: N * 64 }, () => next() - 0.5);
writeFileSync(join(dir, 'x.npy'), encodeNpy({ dtype: 'float32', dims: [N, 28, 28], data: x }));
writeFileSync(join(dir, 'h0.npy'), encodeNpy({ dtype: 'float32', dims: [N, 1, 64], data: h0 }));
writeFileSync(join(dir, 'c0.npy'), encodeNpy({ dtype: 'float32', dims: [N, 1, 64], data: c0 }));
writeFileSync(join(dir, 'notes.npy'), encodeNpy({ dtype: 'int32', dims: [3], data: new Int32Array(3) }));

const range = (a: Float32Array) => ({ min: a.reduce((m, v) => Math.min(m, v), Infinity), max: a.reduce((m, v) => Math.max(m, v), -Infinity) });

test('DIR/<input>.npy feeds each input its own array, batch by batch (other .npy files are ignored)', async () => {
  const source = await openDataSource(dir, inputs);
  assert.equal(source.count, N);
  assert.match(source.description, /x\.npy, h0\.npy, c0\.npy; 12 examples/);
  const batches = await all(source.batches(5));
  assert.deepEqual(batches.map((b) => b.inputs.x.dims), [[5, 28, 28], [5, 28, 28], [2, 28, 28]]);
  assert.deepEqual(batches.map((b) => Object.keys(b.inputs).sort()), Array(3).fill(['c0', 'h0', 'x']));
  assert.deepEqual(batches[1].inputs.h0.data, h0.subarray(5 * 64, 10 * 64));
  assert.deepEqual(batches[2].inputs.c0.data, c0.subarray(10 * 64));
  assert.deepEqual(batches[2].inputs.x.data, x.subarray(10 * 784));
});

test('calibration sees exactly the folder\'s values on every input', async () => {
  const source = await openDataSource(dir, inputs);
  const ranges = await calibrate(model, source, { tensors: ['x', 'h0', 'c0', 'hn'] });
  assert.ok(ranges.get('hn')!.max > ranges.get('hn')!.min, 'the model ran on the data');
  assert.deepEqual(ranges.get('x'), range(x));
  assert.deepEqual(ranges.get('h0'), range(h0));
  assert.deepEqual(ranges.get('c0'), range(c0));
});

test('a missing array is named; --input-value fills it instead; counts must agree', async () => {
  const partial = mkdtempSync(join(tmpdir(), 'ondevice-npy-folder-'));
  try {
    writeFileSync(join(partial, 'x.npy'), encodeNpy({ dtype: 'float32', dims: [N, 28, 28], data: x }));
    writeFileSync(join(partial, 'h0.npy'), encodeNpy({ dtype: 'float32', dims: [N, 1, 64], data: h0 }));
    await assert.rejects(openDataSource(partial, inputs), (e: unknown) => e instanceof UsageError && e.file === partial
      && /no array for model input 'c0' \(c0\.npy\) \(the folder holds (h0\.npy, x\.npy|x\.npy, h0\.npy)\)/.test(e.message));
    const source = await openDataSource(partial, inputs, { inputValues: parseInputValues(['c0=0.125'], inputs) });
    const [first] = await all(source.batches(4));
    assert.deepEqual(first.inputs.c0.dims, [1, 1, 64]);
    assert.ok((first.inputs.c0.data as Float32Array).every((v) => v === 0.125));
    assert.equal(first.inputs.x.dims[0], 1, 'a fixed value is a whole input: one example per run for this batch-1 model');
    writeFileSync(join(partial, 'c0.npy'), encodeNpy({ dtype: 'float32', dims: [N - 1, 1, 64], data: c0.subarray(64) }));
    await assert.rejects(openDataSource(partial, inputs), (e: unknown) => e instanceof UsageError && /disagree on the number of examples/.test(e.message));
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
});
