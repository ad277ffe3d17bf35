// Pick a data source from a spec string ('mnist:test', a folder, a .npy/.npz/.wav file, 'random'), add fixed input values, and check it fits the model.
import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { IoInfo } from '../ir/host-tensor.ts';
import type { AudioRecipe } from './audio-recipe.ts';
import { combineSources } from './combined-source.ts';
import { isAudioRecipe, isMultiInputRecipe, isValueRecipe, loadDataRecipe, type DataRecipe, type InputRecipe, type ValueRecipe } from './data-recipe.ts';
import { inputValueTensor, type InputValues } from '../ir/input-values.ts';
import { fitToModel, type DataPurpose } from './fit.ts';
import { imageFolderSource } from './image-folder.ts';
import { MNIST_SPLITS, LENET5_RECIPE, type MnistSplit } from './mnist.ts';
import { mnistSource } from './mnist-source.ts';
import { npySource } from './npy.ts';
import { holdsInputArrays, npyFolderSource } from './npy-folder.ts';
import { randomSource, type RandomOptions } from './random.ts';
import type { Recipe } from './recipe.ts';
import type { TypedDataSource } from './typed-source.ts';
import { holdsWavs, wavSource } from './wav-source.ts';
import { inputsWithoutValues, withInputValues } from './with-values.ts';

/** Options for {@link openDataSource}. */
export interface OpenDataOptions {
  /**
   * Preprocessing recipe (or the path of its JSON): an image recipe (required for image folders, optional for MNIST), an
   * audio recipe (required for .wav data), or per-input recipes `{ inputs: { NAME: recipe } }` for a folder of per-input data.
   */
  recipe?: DataRecipe | string;
  /** Fixed input values (`--input-value`): fed as they are in every batch; the data need not (and does not) feed them. */
  inputValues?: InputValues;
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
export const DATA_SPEC_HELP = "'mnist:test', 'mnist:train', a folder of images (with a recipe; DIR/<class>/ sub-folders are labels), "
  + 'a .npy/.npz file, a folder of <input>.npy files, a .wav file or folder (with an audio recipe), or \'random\'';

/**
 * Open the data a spec names and check it against the model's inputs. Inputs in `options.inputValues` are fed their
 * value and need no data; every other input must be fed by the data (never silently zeros). A folder of images in class
 * sub-folders (`DIR/<class>/*.png`) is labelled; a flat folder is not.
 * @throws UsageError for an unknown spec, a missing path, a folder without a recipe, a class sub-folder the labels
 *   file does not name, or data whose dtype/shape does not fit an input (naming the input, the expected and the given shape).
 */
export async function openDataSource(spec: string, modelInputs: readonly IoInfo[], options: OpenDataOptions = {}): Promise<TypedDataSource> {
  const given = typeof options.recipe === 'string' ? loadDataRecipe(options.recipe) : options.recipe;
  const purpose = options.purpose ?? 'calibration';
  const { recipe, values } = splitValueEntries(given, modelInputs, options.inputValues, typeof options.recipe === 'string' ? options.recipe : undefined);
  const needed = inputsWithoutValues(modelInputs, values);
  const runSize = typeof needed[0]?.shape[0] === 'number' ? needed[0].shape[0] : 1;
  const fit = (source: TypedDataSource, file?: string) => withInputValues(fitToModel(source, needed, file, purpose), values, runSize);
  if (spec === 'random') return fit(randomSource(needed, { ...options.random, purpose }));
  if (spec === 'mnist' || spec.startsWith('mnist:')) {
    const split = (spec === 'mnist' ? 'test' : spec.slice('mnist:'.length)) as MnistSplit;
    if (!MNIST_SPLITS.includes(split)) throw new UsageError(`unknown MNIST split in '${spec}' (expected mnist:test or mnist:train)`);
    return fit(mnistSource(split, recipe ? imageRecipe(recipe, 'MNIST') : mnistDefaultRecipe(needed)));
  }
  if (!existsSync(spec)) throw new UsageError(`no such file or folder (data can be ${DATA_SPEC_HELP})`, { file: spec });
  const ext = extname(spec).toLowerCase();
  if (statSync(spec).isDirectory()) return fit(await openFolder(spec, needed, recipe, options.labels), spec);
  if (ext === '.npy' || ext === '.npz') return fit(await npySource(spec, needed.map((i) => i.name)), spec);
  if (ext === '.wav') return fit(wavSource(spec, audioRecipe(recipe, spec)), spec);
  throw new UsageError(`not a data source: expected ${DATA_SPEC_HELP}`, { file: spec });
}

/**
 * A folder as data: per-input data `DIR/<input>` (a folder of images or .wav files, or `<input>.npy`/`<input>.wav`)
 * under per-input recipes; else `<input>.npy` arrays; else .wav files under an audio recipe; else images under an image recipe.
 */
async function openFolder(dir: string, needed: readonly IoInfo[], recipe: DataRecipe | undefined, labels?: string): Promise<TypedDataSource> {
  if (recipe && isMultiInputRecipe(recipe)) {
    const sources = await Promise.all(needed.map((input) => openInputData(dir, input.name, recipe.inputs[input.name])));
    return combineSources(sources, dir);
  }
  if (recipe && isAudioRecipe(recipe)) return wavSource(dir, recipe);
  if (holdsInputArrays(dir, needed.map((i) => i.name))) return npyFolderSource(dir, needed.map((i) => i.name));
  if (!recipe) {
    if (holdsWavs(dir)) throw new UsageError('a folder of .wav files needs an audio recipe (JSON: { "input": NAME, "audio": { "sampleRate", "frame", "hop" } })', { file: dir });
    throw new UsageError('a folder of images needs a preprocessing recipe (JSON: input, layout, size, resize, channels, scale, mean, std)', { file: dir });
  }
  if (isValueRecipe(recipe)) throw new UsageError(`the recipe gives input '${recipe.input}' a value; the data folder feeds no input`, { file: dir });
  return imageFolderSource(dir, recipe, { labels });
}

/** The data for one input of a per-input folder: `DIR/<name>` (folder or file) or `DIR/<name>.npy`/`.wav`. */
async function openInputData(dir: string, name: string, recipe: InputRecipe | undefined): Promise<TypedDataSource> {
  const candidates = [join(dir, name), join(dir, `${name}.npy`), join(dir, `${name}.wav`)];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new UsageError(`no data for model input '${name}': expected ${candidates.map((c) => c.slice(dir.length + 1)).join(', ')} in the folder (or --input-value ${name}=…)`, { file: dir });
  if (extname(path).toLowerCase() === '.npy') return npySource(path, [name]);
  if (!recipe) throw new UsageError(`'${name}' in the data folder needs an entry inputs.${name} in the recipe`, { file: path });
  if (isAudioRecipe(recipe)) return wavSource(path, recipe);
  if (isValueRecipe(recipe)) throw new UsageError(`inputs.${name} in the recipe is a value, not data`, { file: path });
  return imageFolderSource(path, recipe);
}

/**
 * The recipe without its `{ value }` entries, and those values added to `flagValues` (`--input-value` wins over a
 * recipe value for the same input). Per-input recipes left with one entry become that entry.
 */
function splitValueEntries(recipe: DataRecipe | undefined, modelInputs: readonly IoInfo[], flagValues: InputValues | undefined, file?: string): { recipe?: DataRecipe; values?: InputValues } {
  if (!recipe) return { values: flagValues };
  const entries = isMultiInputRecipe(recipe) ? Object.values(recipe.inputs) : [recipe];
  const valueEntries = entries.filter((r): r is ValueRecipe => isValueRecipe(r));
  if (valueEntries.length === 0) return { recipe, values: flagValues };
  const values: InputValues = new Map(flagValues);
  for (const entry of valueEntries) {
    const input = modelInputs.find((i) => i.name === entry.input);
    if (!input) throw new UsageError(`recipe entry inputs.${entry.input} names no model input (inputs: ${modelInputs.map((i) => i.name).join(', ')})`, { file });
    if (!values.has(entry.input)) values.set(entry.input, inputValueTensor(input, entry.value.map(String), `recipe inputs.${entry.input}.value`));
  }
  const rest = entries.filter((r) => !isValueRecipe(r));
  const left: DataRecipe | undefined = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { inputs: Object.fromEntries(rest.map((r) => [r.input, r])) };
  return { ...(left ? { recipe: left } : {}), values };
}

/** The audio recipe for .wav data, or a clear error. */
function audioRecipe(recipe: DataRecipe | undefined, file: string): AudioRecipe {
  if (recipe && isAudioRecipe(recipe)) return recipe;
  const audio = recipe && isMultiInputRecipe(recipe) ? Object.values(recipe.inputs).filter(isAudioRecipe) : [];
  if (audio.length === 1) return audio[0];
  throw new UsageError('.wav data needs an audio recipe (JSON: { "input": NAME, "audio": { "sampleRate", "frame", "hop" } })', { file });
}

/** The image recipe a single-input image source (MNIST) takes. */
function imageRecipe(recipe: DataRecipe, what: string): Recipe {
  if (isMultiInputRecipe(recipe)) {
      const images = Object.values(recipe.inputs).filter((r): r is Recipe => !isAudioRecipe(r) && !isValueRecipe(r));
    if (images.length === 1) return images[0];
  } else if (!isAudioRecipe(recipe) && !isValueRecipe(recipe)) return recipe;
  throw new UsageError(`${what} data needs an image recipe, the recipe given is not one`);
}

/** LeNet-5's normalisation, feeding the model's only input, in the layout its shape implies. */
function mnistDefaultRecipe(modelInputs: readonly IoInfo[]) {
  if (modelInputs.length !== 1) {
    throw new UsageError(`MNIST feeds one input; the model has ${modelInputs.length} (${modelInputs.map((i) => i.name).join(', ')}): give a recipe naming the input, or --input-value for the others`);
  }
  const [input] = modelInputs;
  const layout = input.shape.length === 4 && input.shape[3] === 1 && input.shape[1] !== 1 ? 'NHWC' as const : 'NCHW' as const;
  return { ...LENET5_RECIPE, layout, input: input.name };
}
