// .npy/.npz sources on real MNIST arrays: what is written reads back batch by batch; bad files name themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { loadMnist } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { encodeNpy, parseNpyHeader } from '../../src/data/npy-format.ts';
import { npySource } from '../../src/data/npy.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { FormatError, UsageError } from '../../src/errors.ts';

const COUNT = 50;
const mnist = loadMnist('test', { limit: COUNT });

async function collect(batches: AsyncIterable<DataBatch>): Promise<DataBatch[]> {
  const out: DataBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** The first COUNT preprocessed test digits, [COUNT,1,28,28] float32, as the MNIST source makes them. */
async function preprocessed(): Promise<Float32Array> {
  const [batch] = await collect(mnistSource('test').batches(COUNT, COUNT));
  return batch.inputs.input.data as Float32Array;
}

/** Write an .npz of `arrays` (name → .npy bytes), deflated or stored. */
function writeNpz(path: string, arrays: Record<string, Uint8Array>, compress: boolean): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of Object.entries(arrays)) zip.addBuffer(Buffer.from(bytes), `${name}.npy`, { compress });
  zip.end();
  return new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
}

test('encodeNpy writes a NumPy 1.0 header that parses back (64-byte aligned data)', () => {
  const bytes = encodeNpy({ dtype: 'uint8', dims: [COUNT, 28, 28], data: mnist.images });
  const header = parseNpyHeader(bytes);
  assert.deepEqual(header, { dtype: 'uint8', littleEndian: true, dims: [COUNT, 28, 28], dataOffset: header.dataOffset });
  assert.equal(header.dataOffset % 64, 0);
  assert.equal(bytes.length, header.dataOffset + COUNT * 784);
  assert.deepEqual(bytes.subarray(header.dataOffset), mnist.images);
});

test('a .npy of preprocessed MNIST digits streams back in batches equal to the MNIST source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-npy-'));
  try {
    const data = await preprocessed();
    const path = join(dir, 'digits.npy');
    writeFileSync(path, encodeNpy({ dtype: 'float32', dims: [COUNT, 1, 28, 28], data }));
    const source = await npySource(path, ['input']);
    assert.equal(source.count, COUNT);
    assert.deepEqual(source.inputs, [{ name: 'input', dtype: 'float32', shape: [null, 1, 28, 28] }]);
    const batches = await collect(source.batches(16, 40));
    assert.deepEqual(batches.map((b) => b.inputs.input.dims[0]), [16, 16, 8]);
    const joined = new Float32Array(40 * 784);
    batches.forEach((b, i) => joined.set(b.inputs.input.data as Float32Array, i * 16 * 784));
    assert.deepEqual(joined, data.subarray(0, 40 * 784));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an .npz (deflated and stored) feeds one array per input name: uint8 images and int64 labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-npz-'));
  try {
    const images = encodeNpy({ dtype: 'uint8', dims: [COUNT, 28, 28], data: mnist.images });
    const labels = encodeNpy({ dtype: 'int64', dims: [COUNT], data: BigInt64Array.from(mnist.labels, (l) => BigInt(l)) });
    for (const compress of [true, false]) {
      const path = join(dir, `mnist-${compress}.npz`);
      await writeNpz(path, { images, labels }, compress);
      const source = await npySource(path, ['images', 'labels']);
      assert.deepEqual(source.inputs.map((i) => [i.name, i.dtype, i.shape]), [['images', 'uint8', [null, 28, 28]], ['labels', 'int64', [null]]]);
      const batches = await collect(source.batches(20));
      assert.deepEqual(batches.map((b) => b.inputs.images.dims), [[20, 28, 28], [20, 28, 28], [10, 28, 28]]);
      assert.deepEqual(batches[1].inputs.images.data, mnist.images.subarray(20 * 784, 40 * 784));
      assert.deepEqual(Array.from(batches[2].inputs.labels.data as BigInt64Array, Number), Array.from(mnist.labels.subarray(40, 50)));
      const only = await npySource(path, ['labels']);
      assert.deepEqual(only.inputs.map((i) => i.name), ['labels']);
      assert.equal((await npySource(path)).inputs.length, 2, 'without names, every array is an input');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad .npy/.npz files give an error naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-npy-'));
  try {
    const good = encodeNpy({ dtype: 'uint8', dims: [COUNT, 28, 28], data: mnist.images });
    const named = (path: string, kind: typeof FormatError | typeof UsageError, message: RegExp) =>
      (e: unknown) => e instanceof kind && (e.file === path || e.file?.startsWith(`${path}:`)) && message.test(e.message);

    const magic = join(dir, 'magic.npy');
    writeFileSync(magic, readFileSync(new URL(import.meta.url)));
    await assert.rejects(npySource(magic), named(magic, FormatError, /bad magic/));

    const truncated = join(dir, 'truncated.npy');
    writeFileSync(truncated, good.subarray(0, good.length - 784 * 3));
    const source = await npySource(truncated);
    await assert.rejects(collect(source.batches(10)), named(truncated, FormatError, /truncated.*example 47/));

    const tooFew = join(dir, 'two.npy');
    writeFileSync(tooFew, good);
    await assert.rejects(npySource(tooFew, ['a', 'b']), named(tooFew, UsageError, /a \.npy file feeds one input/));

    const npz = join(dir, 'x.npz');
    await writeNpz(npz, { images: good }, true);
    await assert.rejects(npySource(npz, ['input']), named(npz, UsageError, /no array for model input 'input' \(arrays: images\)/));

    const notZip = join(dir, 'notzip.npz');
    writeFileSync(notZip, good);
    await assert.rejects(npySource(notZip), named(notZip, FormatError, /zip/));

    const unequal = join(dir, 'unequal.npz');
    await writeNpz(unequal, { a: good, b: encodeNpy({ dtype: 'uint8', dims: [3], data: new Uint8Array(3) }) }, false);
    await assert.rejects(npySource(unequal), named(unequal, UsageError, /disagree on the number of examples/));

    const missing = join(dir, 'missing.npy');
    await assert.rejects(npySource(missing), named(missing, UsageError, /cannot read/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
