// `ondevice evaluate --data DIR` on real MNIST digits in class sub-folders: accuracy, per-class recall and confusion with class names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readLabels } from '../../src/data/labels.ts';
import { LENET5_RECIPE, loadMnist, mnistBatches } from '../../src/data/mnist.ts';
import { argmax } from '../../src/evaluate/classify.ts';
import { evaluateModels, type Evaluation } from '../../src/evaluate/compare.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { LENET, mnistFor, tempDir } from './helpers.ts';

const COUNT = 1000;
const LABELS = join(PACKAGE_ROOT, 'models', 'lenet5', 'labels.txt');
const NAMES = readLabels(LABELS);
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

function ondevice(...args: string[]) {
  const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const t = tempDir();
/** The first COUNT MNIST test digits as DIGITS/<labels.txt name>/NNNN.png. */
const DIGITS = join(t.dir, 'digits');
/** A w8a8 copy of LeNet-5 (so the candidate has an exact execution beside its runtime's). */
const QUANT = join(t.dir, 'lenet5-w8a8.onnx');

before(async () => {
  const mnist = loadMnist('test', { limit: COUNT });
  for (let i = 0; i < COUNT; i++) {
    const dir = join(DIGITS, NAMES[mnist.labels[i]]);
    mkdirSync(dir, { recursive: true });
    await sharp(Buffer.from(mnist.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } })
      .png().toFile(join(dir, `${String(i).padStart(4, '0')}.png`));
  }
  const { model } = await quantizeModel(await readModel(LENET), { scheme: 'w8a8', calibration: { source: await mnistFor('train'), limit: 200 } });
  await writeModel(model, QUANT);
});
after(() => t.dispose());

/** Each digit's predicted class, straight from a session of `runtime` on the MNIST arrays (no image files, no evaluateModels). */
async function predictions(model: string, runtime: string): Promise<{ labels: number[]; predicted: number[] }> {
  const session = await (await resolveRuntime({ name: runtime })).load(model);
  const labels: number[] = [], predicted: number[] = [];
  try {
    for (const b of mnistBatches('test', 250, LENET5_RECIPE, { limit: COUNT })) {
      const { logits } = await session.run({ input: { dtype: 'float32', dims: b.dims, data: b.input } });
      const scores = logits.data as Float32Array;
      for (let i = 0; i < b.labels.length; i++) {
        labels.push(b.labels[i]);
        predicted.push(argmax(scores.subarray(i * 10, i * 10 + 10)));
      }
    }
  } finally {
    await session.release();
  }
  return { labels, predicted };
}

/** Recall per class counted by hand: right / examples of that class. */
function countRecall({ labels, predicted }: { labels: number[]; predicted: number[] }): (number | null)[] {
  return NAMES.map((_, c) => {
    const mine = labels.flatMap((l, i) => (l === c ? [predicted[i]] : []));
    return mine.length ? mine.filter((p) => p === c).length / mine.length : null;
  });
}

test('evaluate --json on a labelled folder: accuracy as on mnist:test, recall as counted, confusion sums to the images, class names', async (tt) => {
  const r = ondevice('evaluate', LENET, QUANT, '--data', DIGITS, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Evaluation;
  assert.equal(out.examples, COUNT);
  assert.match(out.data, /1000 files in 10 class folders, class index from the labels file .*models\/lenet5\/labels\.txt/);

  // The independent path: evaluateModels on the same digits read from the MNIST files.
  const mnist = await evaluateModels(LENET, [QUANT], await mnistFor('test'), { limit: COUNT });
  const [cand, mcand] = [out.candidates[0], mnist.candidates[0]];
  for (const [folder, arrays] of [[out.reference.accuracy!, mnist.reference.accuracy!], [cand.accuracy!, mcand.accuracy!], [cand.exact!.accuracy!, mcand.exact!.accuracy!]]) {
    assert.equal(folder.count, COUNT);
    assert.equal(folder.top1, arrays.top1);
    assert.equal(folder.top5, arrays.top5);
    assert.deepEqual(folder.confusion, arrays.confusion);
    assert.equal(folder.confusion.flat().reduce((a, b) => a + b, 0), COUNT);
    assert.deepEqual(folder.classNames, NAMES);
  }

  // Per-class recall against predictions counted here: the reference on ort-node, the candidate exact (onnx-reference) and on ort-node.
  const refRecall = countRecall(await predictions(LENET, 'ort-node'));
  assert.deepEqual(out.reference.accuracy!.recall, refRecall);
  assert.deepEqual(cand.exact!.accuracy!.recall, countRecall(await predictions(QUANT, 'onnx-reference')));
  assert.deepEqual(cand.accuracy!.recall, countRecall(await predictions(QUANT, 'ort-node')));
  assert.ok(refRecall.some((x) => x! < 1), 'LeNet-5 misses some of 1000 digits, so recall is not trivially 1');
  tt.diagnostic(`top-1 ref ${out.reference.accuracy!.top1}, w8a8 exact ${cand.exact!.accuracy!.top1}, on ort-node ${cand.accuracy!.top1}; `
    + `recall ref ${refRecall.map((x) => x!.toFixed(3)).join(' ')}`);
});

test('evaluate prints per-class recall and the confusion matrix by class name, and --report draws them', () => {
  // The same digits in folders named by words, with a labels file of words given by --labels.
  const words = join(t.dir, 'words');
  cpSync(DIGITS, words, { recursive: true });
  NAMES.forEach((n, i) => renameSync(join(words, n), join(words, WORDS[i])));
  const wordsFile = join(t.dir, 'words.txt');
  writeFileSync(wordsFile, `${WORDS.join('\n')}\n`);
  const copy = join(t.dir, 'copy.onnx');
  copyFileSync(LENET, copy);
  const report = join(t.dir, 'labelled.html');
  const r = ondevice('evaluate', LENET, copy, '--data', words, '--labels', wordsFile, '--report', report);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /per-class recall .*named classes/);
  for (const w of WORDS) assert.match(r.stdout, new RegExp(`│ +${w} +│ +${WORDS.indexOf(w)} +│ +\\d+ +│ +\\d+\\.\\d%`), `recall row of ${w}`);
  assert.match(r.stdout, /confusion matrix of lenet5\.onnx \(rows: true class, columns: predicted\)/);
  assert.match(r.stdout, new RegExp(`true \\\\ predicted +│ +${WORDS.join(' +│ +')} +│`));
  const html = readFileSync(report, 'utf8');
  assert.match(html, /data-chart="class-recall"/);
  for (const w of WORDS) assert.ok(html.includes(`true ${w}, predicted ${w}:`), `confusion cell of ${w}`);
});

test('a sub-folder that is not in labels.txt fails with one line naming the folder', () => {
  const bad = join(t.dir, 'bad');
  cpSync(DIGITS, bad, { recursive: true });
  renameSync(join(bad, '7'), join(bad, 'seven'));
  const r = ondevice('evaluate', LENET, LENET, '--data', bad);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0].startsWith(`ondevice: ${join(bad, 'seven')}: sub-folder 'seven' is not a class in the labels file`), lines[0]);
  assert.match(lines[0], /models\/lenet5\/labels\.txt/);
});
