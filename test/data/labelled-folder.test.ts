// Labelled image folders on real MNIST digits: DIR/<class>/*.png gives labels indexed by a labels file or sorted folder names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { imageFolderSource } from '../../src/data/image-folder.ts';
import { findLabels, readLabels } from '../../src/data/labels.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import { loadRecipe } from '../../src/data/recipe.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { UsageError } from '../../src/errors.ts';

const LENET_DIR = fileURLToPath(new URL('../../models/lenet5/', import.meta.url));
const LABELS = join(LENET_DIR, 'labels.txt');
const RECIPE_FILE = join(LENET_DIR, 'preprocess.json');
const recipe = loadRecipe(RECIPE_FILE);
const COUNT = 40;
const mnist = loadMnist('test', { limit: COUNT });
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Writes test digit i as PNG into `dir/<folder of its label>/NNN.png`. */
async function writeDigits(dir: string, folderOf: (label: number) => string): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    const sub = join(dir, folderOf(mnist.labels[i]));
    mkdirSync(sub, { recursive: true });
    await sharp(Buffer.from(mnist.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png().toFile(join(sub, `${String(i).padStart(3, '0')}.png`));
  }
}

async function allLabels(batches: AsyncIterable<DataBatch>): Promise<number[] | undefined> {
  const out: number[] = [];
  for await (const b of batches) {
    if (!b.labels) return undefined;
    out.push(...Array.from(b.labels));
  }
  return out;
}

/** The MNIST index of each file, from its name (NNN.png), in the source's file order. */
const indexOf = (file: string): number => Number(file.slice(-7, -4));

test('sub-folders named by LeNet-5 labels.txt: labels are the MNIST labels, class names from the file, the description says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-labelled-'));
  try {
    const names = readLabels(LABELS);
    await writeDigits(dir, (label) => names[label]);
    const source = imageFolderSource(dir, recipe, { labels: LABELS });
    assert.deepEqual(source.classNames, names);
    assert.match(source.description, new RegExp(`${COUNT} files in \\d+ class folders, class index from the labels file .*labels\\.txt`));
    const labels = await allLabels(source.batches(7));
    assert.deepEqual(labels, source.files.map((f) => mnist.labels[indexOf(f)]));
    assert.deepEqual(await allLabels(source.batches(4, 9)), labels!.slice(0, 9), 'a limit keeps labels aligned with the images');

    // Found without being told: labels.txt in the folder itself.
    copyFileSync(LABELS, join(dir, 'labels.txt'));
    const found = await openDataSource(dir, [{ name: 'input', dtype: 'float32', shape: [null, 1, 28, 28] }], { recipe: RECIPE_FILE, purpose: 'evaluation' });
    assert.deepEqual(found.classNames, names);
    assert.deepEqual(await allLabels(found.batches(16)), labels);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a labels file the class index is the sorted sub-folder names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-labelled-'));
  try {
    await writeDigits(dir, (label) => WORDS[label]);
    const source = imageFolderSource(dir, recipe);
    const held = [...new Set(Array.from(mnist.labels, (l) => WORDS[l]))].sort();
    assert.deepEqual(source.classNames, held);
    assert.match(source.description, /class index from the sorted sub-folder names/);
    assert.deepEqual(await allLabels(source.batches(8)), source.files.map((f) => held.indexOf(WORDS[mnist.labels[indexOf(f)]])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sub-folder the labels file does not name is one UsageError naming that folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-labelled-'));
  try {
    await writeDigits(dir, (label) => (label === 7 ? 'seven' : String(label)));
    const check = (e: unknown) => e instanceof UsageError && e.file === join(dir, 'seven') && /sub-folder 'seven' is not a class in the labels file/.test(e.message)
      && e.message.includes(LABELS) && !e.toString().includes('\n');
    assert.throws(() => imageFolderSource(dir, recipe, { labels: LABELS }), check);
    await assert.rejects(openDataSource(dir, [{ name: 'input', dtype: 'float32', shape: [null, 1, 28, 28] }], { recipe, labels: LABELS }), check);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a flat folder stays unlabelled, and images beside class folders make it unlabelled (said in the description)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-labelled-'));
  try {
    await writeDigits(dir, () => '.');
    const flat = imageFolderSource(dir, recipe, { labels: LABELS });
    assert.equal(flat.classNames, undefined);
    assert.equal(await allLabels(flat.batches(10)), undefined);
    assert.equal(flat.description, `images in ${dir} (${COUNT} files)`);
    await writeDigits(join(dir, 'more'), (label) => String(label));
    const mixed = imageFolderSource(dir, recipe, { labels: LABELS });
    assert.equal(await allLabels(mixed.batches(50)), undefined);
    assert.match(mixed.description, new RegExp(`unlabelled: ${COUNT} at the top level`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('labels files: CRLF and trailing blank lines, an empty file names it; the lookup order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-labels-'));
  try {
    const crlf = join(dir, 'crlf.txt');
    writeFileSync(crlf, 'cat\r\n dog \r\n\r\n\n');
    assert.deepEqual(readLabels(crlf), ['cat', 'dog']);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n\n');
    assert.throws(() => readLabels(empty), (e: unknown) => e instanceof UsageError && e.file === empty && /names no class/.test(e.message));
    assert.throws(() => readLabels(join(dir, 'none.txt')), (e: unknown) => e instanceof UsageError && e.file === join(dir, 'none.txt'));

    const model = join(dir, 'models', 'm.onnx'), data = join(dir, 'data');
    mkdirSync(join(dir, 'models'));
    mkdirSync(data);
    writeFileSync(join(data, 'labels.txt'), 'a\n');
    assert.equal(findLabels({ modelPath: model, data }), join(data, 'labels.txt'));
    writeFileSync(join(dir, 'models', 'labels.txt'), 'a\n');
    assert.equal(findLabels({ modelPath: model, data }), join(dir, 'models', 'labels.txt'), 'beside the model before the data folder');
    assert.equal(findLabels({ modelPath: model, data, recipe: { labels: 'missing.txt' }, recipePath: model }), join(dir, 'models', 'labels.txt'),
      'a recipe naming a file that is not there (a recipe copied beside a quantized model) is skipped');
    assert.equal(findLabels({ modelPath: model, recipe: { labels: 'labels.txt' }, recipePath: RECIPE_FILE }), LABELS, "the recipe's labels, relative to the recipe");
    assert.equal(findLabels({ explicit: crlf, modelPath: model, data, recipe: { labels: 'labels.txt' }, recipePath: RECIPE_FILE }), crlf);
    assert.equal(findLabels({ data: 'mnist:test' }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
