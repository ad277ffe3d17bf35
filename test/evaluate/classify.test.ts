// Classification accuracy: labels outside the model's classes are a UsageError (never a silent top-1 hit or a TypeError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnistBatches } from '../../src/data/mnist.ts';
import { AccuracyAccumulator, evaluateClassifier, type LabeledBatch } from '../../src/evaluate/classify.ts';
import { UsageError } from '../../src/errors.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { LENET } from './helpers.ts';

const badLabel = (label: number, classes: number) => (e: unknown) =>
  e instanceof UsageError && e.message.includes(`label ${label}`) && e.message.includes(`${classes} classes`);

test('AccuracyAccumulator rejects labels that are not integers in [0, classes), naming the label and the class count', () => {
  // Two rows of three classes; row 0 ranks class 2 first. Label 3 used to read row 1's first score (5) and count as a hit.
  const scores = [1, 2, 3, 5, 0, 0];
  for (const label of [3, -1, 1.5, NaN]) {
    assert.throws(() => new AccuracyAccumulator().add(scores, [label, 0], 3), badLabel(label, 3), `label ${label}`);
  }
  const acc = new AccuracyAccumulator();
  assert.throws(() => acc.add(scores, [2, 3], 3), badLabel(3, 3));
  assert.equal(acc.result().count, 0, 'a rejected batch counts nothing');
  acc.add(scores, [2, 0], 3);
  assert.deepEqual(acc.result(), { count: 2, top1: 1, top5: 1, confusion: [[1, 0, 0], [0, 0, 0], [0, 0, 1]], recall: [1, null, 1] });
});

test('evaluateClassifier on LeNet-5: the accumulator\'s figures, and a label of 10 is a UsageError', async () => {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(LENET);
  try {
    const acc = await evaluateClassifier(session, mnistBatches('test', 100, undefined, { limit: 200 }));
    assert.equal(acc.count, 200);
    assert.ok(acc.top1 > 0.95 && acc.top5 >= acc.top1, `LeNet-5 top-1 ${acc.top1}`);
    assert.equal(acc.confusion.length, 10);
    assert.equal(acc.confusion.flat().reduce((a, b) => a + b, 0), 200);

    const [batch] = [...mnistBatches('test', 4, undefined, { limit: 4 })] as LabeledBatch[];
    const labels = Uint8Array.from(batch.labels);
    labels[2] = 10;
    await assert.rejects(evaluateClassifier(session, [{ ...batch, labels }]), badLabel(10, 10));
  } finally {
    await session.release();
  }
});
