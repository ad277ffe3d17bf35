// Pick a data source from a spec string ('mnist:test', a folder, a .npy/.npz file, 'random') and check it fits the model.
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UsageError } from '../errors.ts';
import type { IoInfo } from '../ir/host-tensor.ts';
import { fitToModel, type DataPurpose } from './fit.ts';
import { imageFolderSource } from './image-folder.ts';
import { MNIST_SPLITS, LENET5_RECIPE, type MnistSplit } from './mnist.ts';
import { mnistSource } from './mnist-source.ts';
import { npySource } from './npy.ts';
import { randomSource, type RandomOptions } from './random.ts';
import { loadRecipe, type Recipe } from './recipe.ts';
import type { TypedDataSource } from './typed-source.ts';

/** Options for {@link openDataSource}. */
export interface OpenDataOptions {
  /** Preprocessing recipe (or the path of its JSON): required for image folders, optional for MNIST. */
  recipe?: Recipe | string;
  /** For 'random': how many examples, seed, value range. */
  random?: RandomOptions;
  /** What the data is for: names it in warnings and errors (default 'calibration'). */
  purpose?: DataPurpose;
  /**
   * For a folder of class sub-folders: the labels file giving each class's index (one name per line; default
   * `labels.txt` in the folder, else the sorted sub-folder names). `findLabels` (labels.ts) is the usual lookup.
   */
  labels?: string;
}

export type { DataPurpose } from './fit.ts';

/** What specs look like, for messages. */
export const DATA_SPEC_HELP = "'mnist:test', 'mnist:train', a folder of images (with a recipe; DIR/<class>/ sub-folders are labels), a .npy/.npz file, or 'random'";

/**
 * Open the data a spec names and check it against the model's inputs. A folder of images in class sub-folders
 * (`DIR/<class>/*.png`) is labelled; a flat folder is not.
 * @throws UsageError for an unknown spec, a missing path, a folder without a recipe, a class sub-folder the labels
 *   file does not name, or data whose dtype/shape does not fit an input (naming the input, the expected and the given shape).
 */
export async function openDataSource(spec: string, modelInputs: readonly IoInfo[], options: OpenDataOptions = {}): Promise<TypedDataSource> {
  const recipe = typeof options.recipe === 'string' ? loadRecipe(options.recipe) : options.recipe;
  const purpose = options.purpose ?? 'calibration';
  const fit = (source: TypedDataSource, file?: string) => fitToModel(source, modelInputs, file, purpose);
  if (spec === 'random') return fit(randomSource(modelInputs, { ...options.random, purpose }));
  if (spec === 'mnist' || spec.startsWith('mnist:')) {
    const split = (spec === 'mnist' ? 'test' : spec.slice('mnist:'.length)) as MnistSplit;
    if (!MNIST_SPLITS.includes(split)) throw new UsageError(`unknown MNIST split in '${spec}' (expected mnist:test or mnist:train)`);
    return fit(mnistSource(split, recipe ?? mnistDefaultRecipe(modelInputs)));
  }
  if (!existsSync(spec)) throw new UsageError(`no such file or folder (data can be ${DATA_SPEC_HELP})`, { file: spec });
  if (statSync(spec).isDirectory()) {
    if (!recipe) throw new UsageError('a folder of images needs a preprocessing recipe (JSON: input, layout, size, resize, channels, scale, mean, std)', { file: spec });
    return fit(imageFolderSource(spec, recipe, { labels: options.labels }), spec);
  }
  const ext = extname(spec).toLowerCase();
  if (ext === '.npy' || ext === '.npz') return fit(await npySource(spec, modelInputs.map((i) => i.name)), spec);
  throw new UsageError(`not a data source: expected ${DATA_SPEC_HELP}`, { file: spec });
}

/** LeNet-5's normalisation, feeding the model's only input, in the layout its shape implies. */
function mnistDefaultRecipe(modelInputs: readonly IoInfo[]) {
  if (modelInputs.length !== 1) {
    throw new UsageError(`MNIST feeds one input; the model has ${modelInputs.length} (${modelInputs.map((i) => i.name).join(', ')}): give a recipe naming the input`);
  }
  const [input] = modelInputs;
  const layout = input.shape.length === 4 && input.shape[3] === 1 && input.shape[1] !== 1 ? 'NHWC' as const : 'NCHW' as const;
  return { ...LENET5_RECIPE, layout, input: input.name };
}
