// Image folders on real MNIST digits written out as PNG with sharp: pixels round-trip, recipes shape the tensors, bad input names the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageFolderSource } from '../../src/data/image-folder.ts';
import { LENET5_RECIPE, loadMnist } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { parseRecipe } from '../../src/data/recipe.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { FormatError, UsageError } from '../../src/errors.ts';

const COUNT = 12;
const mnist = loadMnist('test', { limit: COUNT });
const digit = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);
const grayRecipe = parseRecipe({ input: 'input', size: [28, 28], channels: 'GRAY', scale: LENET5_RECIPE.scale, mean: LENET5_RECIPE.mean, std: LENET5_RECIPE.std });

async function collect(batches: AsyncIterable<DataBatch>): Promise<DataBatch[]> {
  const out: DataBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** A temp folder holding the first COUNT test digits as digit-NN.png (gray, 28×28). */
async function digitFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-images-'));
  for (let i = 0; i < COUNT; i++) {
    await sharp(Buffer.from(digit(i)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(join(dir, `digit-${String(i).padStart(2, '0')}.png`));
  }
  return dir;
}

test('MNIST digits written as PNG read back to the same tensors as the MNIST source', async () => {
  const dir = await digitFolder();
  try {
    writeFileSync(join(dir, 'notes.txt'), 'not an image, skipped');
    const source = imageFolderSource(dir, grayRecipe);
    assert.equal(source.count, COUNT);
    assert.deepEqual(source.inputs, [{ name: 'input', dtype: 'float32', shape: [null, 1, 28, 28] }]);
    const fromImages = await collect(source.batches(5));
    const fromMnist = await collect(mnistSource('test').batches(5, COUNT));
    assert.deepEqual(fromImages.map((b) => b.inputs.input.dims), [[5, 1, 28, 28], [5, 1, 28, 28], [2, 1, 28, 28]]);
    for (let k = 0; k < fromImages.length; k++) assert.deepEqual(fromImages[k].inputs.input.data, fromMnist[k].inputs.input.data);
    assert.equal((await collect(source.batches(4, 6))).reduce((n, b) => n + b.inputs.input.dims[0], 0), 6);
    const print = await source.fingerprint();
    assert.match(print, /^[0-9a-f]{64}$/);
    assert.notEqual(print, await imageFolderSource(dir, { ...grayRecipe, std: [1] }).fingerprint());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an RGB/NHWC recipe replicates gray pixels over 3 channels; BGR and mean/std apply per channel', async () => {
  const dir = await digitFolder();
  try {
    const recipe = parseRecipe({ input: 'x', layout: 'NHWC', size: [28, 28], channels: 'BGR', scale: 1, mean: [0, 10, 20], std: [1, 2, 4] });
    const [batch] = await collect(imageFolderSource(dir, recipe).batches(1, 1));
    assert.deepEqual(batch.inputs.x.dims, [1, 28, 28, 3]);
    const data = batch.inputs.x.data as Float32Array;
    const d = digit(0);
    for (let p = 0; p < 784; p++) {
      assert.equal(data[p * 3], d[p]);
      assert.equal(data[p * 3 + 1], (d[p] - 10) / 2);
      assert.equal(data[p * 3 + 2], (d[p] - 20) / 4);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shorter-side-then-center-crop recovers a digit padded with side borders; stretch resizes to the size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-images-'));
  try {
    const wide = new Uint8Array(28 * 40).fill(255);
    for (let y = 0; y < 28; y++) wide.set(digit(3).subarray(y * 28, y * 28 + 28), y * 40 + 6);
    await sharp(Buffer.from(wide), { raw: { width: 40, height: 28, channels: 1 } }).png().toFile(join(dir, 'wide.png'));
    const crop = parseRecipe({ input: 'x', size: [28, 28], resize: 'shorter-side-then-center-crop', channels: 'GRAY', scale: 1 });
    const [cropped] = await collect(imageFolderSource(dir, crop).batches(1));
    assert.deepEqual(cropped.inputs.x.data, Float32Array.from(digit(3)));
    const [stretched] = await collect(imageFolderSource(dir, { ...crop, resize: 'stretch', size: [14, 20] }).batches(1));
    assert.deepEqual(stretched.inputs.x.dims, [1, 1, 14, 20]);
    const values = stretched.inputs.x.data as Float32Array;
    assert.ok(values[0] > 250 && values[19] > 250, 'the white borders stay at the sides after stretching');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty folder, a missing folder and a corrupt image each give an error naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-images-'));
  try {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.txt'), 'no images here');
    assert.throws(() => imageFolderSource(empty, grayRecipe), (e: unknown) => e instanceof UsageError && e.file === empty && /holds no images/.test(e.message));
    const missing = join(dir, 'missing');
    assert.throws(() => imageFolderSource(missing, grayRecipe), (e: unknown) => e instanceof UsageError && e.file === missing);

    const images = join(dir, 'images');
    mkdirSync(images);
    const good = join(images, 'a.png');
    await sharp(Buffer.from(digit(0)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(good);
    const bytes = readFileSync(good);
    const truncated = join(images, 'b.png');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(collect(imageFolderSource(images, grayRecipe).batches(3)),
      (e: unknown) => e instanceof FormatError && e.file === truncated && /cannot decode image/.test(e.message));
    rmSync(truncated);
    const garbage = join(images, 'c.jpg');
    writeFileSync(garbage, 'this is text, not a JPEG');
    await assert.rejects(collect(imageFolderSource(images, grayRecipe).batches(3)),
      (e: unknown) => e instanceof FormatError && e.file === garbage && /cannot decode image/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
