// Classification accuracy of a model over labelled batches: top-1, top-5, per-class recall and the confusion matrix.
import type { RuntimeSession } from '../runtimes/runtime.ts';
import { UsageError } from '../errors.ts';
import { silentProgress, type Progress } from '../util/progress.ts';

/** One batch of preprocessed inputs with their labels. */
export interface LabeledBatch {
  input: Float32Array;
  dims: number[];
  labels: ArrayLike<number>;
}

/** Accuracy figures for a classifier. */
export interface ClassifierAccuracy {
  count: number;
  top1: number;
  top5: number;
  /** confusion[label][predicted] counts. */
  confusion: number[][];
  /** Per class (index = true label): the share of its examples predicted as it, null when the data holds none (always set by {@link AccuracyAccumulator}). */
  recall?: (number | null)[];
  /** Class names, index = class, when the data names its classes (see {@link withClassNames}). */
  classNames?: string[];
}

/** Options for {@link evaluateClassifier}. */
export interface EvaluateClassifierOptions {
  /** Input name (default: the session's first input). */
  inputName?: string;
  /** Output holding the class scores (default: the session's first output). */
  outputName?: string;
  /** Number of examples, for the progress bar. */
  total?: number;
  progress?: Progress;
}

/** Runs every batch through the session and counts how often the label is the top (and top-5) score. */
export async function evaluateClassifier(
  session: RuntimeSession,
  batches: Iterable<LabeledBatch> | AsyncIterable<LabeledBatch>,
  options: EvaluateClassifierOptions = {},
): Promise<ClassifierAccuracy> {
  const inputName = options.inputName ?? session.inputs[0].name;
  const outputName = options.outputName ?? session.outputs[0].name;
  const progress = options.progress ?? silentProgress;
  const acc = new AccuracyAccumulator();
  progress.start(options.total ?? 0, 'evaluating');
  try {
    for await (const batch of batches) {
      const out = await session.run({ [inputName]: { dtype: 'float32', dims: batch.dims, data: batch.input } }, [outputName]);
      const scores = out[outputName];
      acc.add(scores.data as Float32Array, batch.labels, scores.dims[scores.dims.length - 1]);
      progress.update(acc.result().count);
    }
  } finally {
    progress.stop();
  }
  return acc.result();
}

/** Index of the largest value. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** Counts top-1/top-5 hits and the confusion matrix batch by batch (scores: [rows × classes], row-major). */
export class AccuracyAccumulator {
  private count = 0;
  private top1 = 0;
  private top5 = 0;
  private confusion: number[][] = [];

  /**
   * Adds one batch of class scores and their labels.
   * @throws UsageError for a label that is not an integer in [0, classes).
   */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>, classes: number): void {
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i];
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        throw new UsageError(`label ${label} is not a class of this model (it scores ${classes} classes: labels must be integers 0–${classes - 1})`);
      }
    }
    if (this.confusion.length === 0) this.confusion = Array.from({ length: classes }, () => new Array(classes).fill(0));
    for (let i = 0; i < labels.length; i++) {
      const base = i * classes;
      const label = labels[i];
      let better = 0, best = 0;
      for (let c = 0; c < classes; c++) {
        if (scores[base + c] > scores[base + label]) better++;
        if (scores[base + c] > scores[base + best]) best = c;
      }
      if (better === 0) this.top1++;
      if (better < 5) this.top5++;
      this.confusion[label][best]++;
      this.count++;
    }
  }

  /** The figures so far, with per-class recall from the confusion matrix. */
  result(): ClassifierAccuracy {
    const n = this.count;
    return { count: n, top1: n ? this.top1 / n : 0, top5: n ? this.top5 / n : 0, confusion: this.confusion, recall: classRecall(this.confusion) };
  }
}

/** Per class (row of `confusion[label][predicted]`): correct / examples of that class, null for a class with no examples. */
export function classRecall(confusion: readonly (readonly number[])[]): (number | null)[] {
  return confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : null;
  });
}

/** The name of every class of `acc`: `names[i]`, or the index as text where the list is short. */
export function classNamesOf(acc: Pick<ClassifierAccuracy, 'confusion' | 'classNames'>, names: readonly string[] = acc.classNames ?? []): string[] {
  return acc.confusion.map((_, i) => names[i] ?? String(i));
}

/** Figures of one model that may hold accuracies: its own and its exact execution's. */
type WithAccuracy = { accuracy?: ClassifierAccuracy; exact?: { accuracy?: ClassifierAccuracy } };

/**
 * An evaluation (reference and candidates) with every accuracy's classes named by `names` (e.g. a labelled data
 * source's `classNames`); unchanged without names.
 */
export function nameClasses<E extends { reference: WithAccuracy; candidates: WithAccuracy[] }>(ev: E, names: readonly string[] | undefined): E {
  if (!names || names.length === 0) return ev;
  return { ...ev, reference: withClassNames(ev.reference, names), candidates: ev.candidates.map((c) => withClassNames(c, names)) };
}

/**
 * A model's figures with the classes of its accuracy (and its exact execution's) named by `names` (index = class).
 * Unchanged when there is no accuracy or no names.
 */
export function withClassNames<T extends WithAccuracy>(m: T, names: readonly string[] | undefined): T {
  if (!names || names.length === 0) return m;
  const name = (acc: ClassifierAccuracy): ClassifierAccuracy => ({ ...acc, recall: acc.recall ?? classRecall(acc.confusion), classNames: classNamesOf(acc, names) });
  return {
    ...m,
    ...(m.accuracy ? { accuracy: name(m.accuracy) } : {}),
    ...(m.exact?.accuracy ? { exact: { ...m.exact, accuracy: name(m.exact.accuracy) } } : {}),
  };
}
