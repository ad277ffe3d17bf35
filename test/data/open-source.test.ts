// openDataSource against the real LeNet-5 inputs: every kind of spec opens, and data that does not fit names input and shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadMnist } from '../../src/data/mnist.ts';
import { encodeNpy } from '../../src/data/npy-format.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import { RANDOM_DATA_WARNING, randomSource } from '../../src/data/random.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { UsageError } from '../../src/errors.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import type { IoInfo } from '../../src/runtimes/runtime.ts';

const lenet = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));
const recipeFile = fileURLToPath(new URL('../../models/lenet5/preprocess.json', import.meta.url));

async function lenetInputs(): Promise<readonly IoInfo[]> {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(lenet);
  try {
    return session.inputs;
  } finally {
    await session.release();
  }
}

async function first(batches: AsyncIterable<DataBatch>): Promise<DataBatch> {
  for await (const b of batches) return b;
  throw new Error('no batch');
}

/** Top-1 of LeNet-5 on one batch, run in onnxruntime-node. */
async function top1(batch: DataBatch): Promise<number> {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(lenet);
  try {
    const { logits } = await session.run(batch.inputs);
    const data = logits.data as Float32Array;
    let correct = 0;
    for (let i = 0; i < logits.dims[0]; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (data[i * 10 + k] > data[i * 10 + best]) best = k;
      if (best === batch.labels![i]) correct++;
    }
    return correct / logits.dims[0];
  } finally {
    await session.release();
  }
}

test('mnist:test, an image folder with the LeNet-5 recipe and a .npy all feed LeNet-5 the same digits', async () => {
  const inputs = await lenetInputs();
  const mnist = await openDataSource('mnist:test', inputs);
  assert.equal(mnist.count, 10000);
  const batch = await first(mnist.batches(200));
  assert.ok((await top1(batch)) >= 0.97, 'LeNet-5 classifies the MNIST source batch');
  const train = await openDataSource('mnist:train', inputs);
  assert.equal(train.count, 60000);

  const dir = mkdtempSync(join(tmpdir(), 'ondevice-open-'));
  try {
    const digits = loadMnist('test', { limit: 8 });
    for (let i = 0; i < 8; i++) {
      await sharp(Buffer.from(digits.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(dir, `${i}.png`));
    }
    const folder = await openDataSource(dir, inputs, { recipe: recipeFile });
    const fromFolder = await first(folder.batches(8));
    assert.deepEqual(fromFolder.inputs.input.data, (batch.inputs.input.data as Float32Array).subarray(0, 8 * 784));
    await assert.rejects(openDataSource(dir, inputs), (e: unknown) => e instanceof UsageError && e.file === dir && /needs a preprocessing recipe/.test(e.message));

    const npy = join(dir, 'digits.npy');
    writeFileSync(npy, encodeNpy({ dtype: 'float64', dims: [8, 1, 28, 28], data: Float64Array.from(fromFolder.inputs.input.data as Float32Array) }));
    const fromNpy = await first((await openDataSource(npy, inputs)).batches(8));
    assert.equal(fromNpy.inputs.input.dtype, 'float32', 'float64 arrays are converted for a float32 input');
    assert.deepEqual(fromNpy.inputs.input.data, fromFolder.inputs.input.data);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('data whose shape or dtype does not fit gives a UsageError naming the input and both shapes', async () => {
  const inputs = await lenetInputs();
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-open-'));
  try {
    const digits = loadMnist('test', { limit: 4 });
    const flat = join(dir, 'flat.npy');
    writeFileSync(flat, encodeNpy({ dtype: 'float32', dims: [4, 28, 28], data: Float32Array.from(digits.images) }));
    await assert.rejects(openDataSource(flat, inputs), (e: unknown) => e instanceof UsageError && e.file === flat
      && e.message.includes("input 'input' expects float32 [N,1,28,28], the data gives float32 [?,28,28]"));
    const raw = join(dir, 'raw.npy');
    writeFileSync(raw, encodeNpy({ dtype: 'uint8', dims: [4, 1, 28, 28], data: digits.images }));
    await assert.rejects(openDataSource(raw, inputs), (e: unknown) => e instanceof UsageError && e.message.includes('the data gives uint8 [?,1,28,28]'));
    const rgb = { input: 'input', size: [28, 28] as [number, number], layout: 'NCHW' as const, resize: 'stretch' as const, channels: 'RGB' as const, scale: 1, mean: [0], std: [1] };
    writeFileSync(join(dir, 'a.png'), await sharp(Buffer.from(digits.images.subarray(0, 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer());
    await assert.rejects(openDataSource(dir, inputs, { recipe: rgb }), (e: unknown) => e instanceof UsageError && e.message.includes('the data gives float32 [?,3,28,28]'));
    await assert.rejects(openDataSource(dir, inputs, { recipe: { ...rgb, channels: 'GRAY', input: 'image' } }),
      (e: unknown) => e instanceof UsageError && /nothing for model input 'input'.*'image'/.test(e.message));
    await assert.rejects(openDataSource('mnist:validation', inputs), (e: unknown) => e instanceof UsageError && /unknown MNIST split/.test(e.message));
    const nowhere = join(dir, 'nowhere');
    await assert.rejects(openDataSource(nowhere, inputs), (e: unknown) => e instanceof UsageError && e.file === nowhere && /no such file or folder/.test(e.message));
    await assert.rejects(openDataSource(recipeFile, inputs), (e: unknown) => e instanceof UsageError && e.file === recipeFile && /not a data source/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('random data fits the model, is repeatable per seed, and warns once that accuracy will suffer', async (t) => {
  const inputs = await lenetInputs();
  const warnings: string[] = [];
  t.mock.method(console, 'warn', (msg: string) => warnings.push(msg));
  const source = await openDataSource('random', inputs, { random: { count: 10, seed: 7 } });
  randomSource(inputs);
  assert.equal(source.warning, RANDOM_DATA_WARNING);
  assert.equal(warnings.length, 1, 'printed once per process');
  assert.match(warnings[0], /calibrating on random data: accuracy will suffer/);
  const a = await first(source.batches(10));
  const b = await first((await openDataSource('random', inputs, { random: { count: 10, seed: 7 } })).batches(10));
  const c = await first((await openDataSource('random', inputs, { random: { count: 10, seed: 8 } })).batches(10));
  assert.deepEqual(a.inputs.input.dims, [10, 1, 28, 28]);
  assert.deepEqual(a.inputs.input.data, b.inputs.input.data);
  assert.notDeepEqual(a.inputs.input.data, c.inputs.input.data);
  const values = a.inputs.input.data as Float32Array;
  assert.ok(values.every((v) => v >= 0 && v < 1));
  assert.throws(() => randomSource([{ name: 'tokens', dtype: 'int64', shape: ['N', 'seq'] }]), (e: unknown) => e instanceof UsageError && /input 'tokens' has \[N,seq\]/.test(e.message));
});
