// Any preprocessing recipe a data source takes: an image recipe, an audio recipe, or per-input recipes `{ inputs: { NAME: recipe | { value } } }`.
import { UsageError } from '../errors.ts';
import { isAudioRecipeJson, parseAudioRecipe, type AudioRecipe } from './audio-recipe.ts';
import { parseRecipe, readRecipeJson, recipeExampleDims, writeRecipeJson, type Recipe } from './recipe.ts';

/**
 * A value every example feeds one input (`{ "value": 0 }` fills it, or one number per element): for data only, e.g.
 * a recurrent state that starts at zero. Unlike `--input-value`, compile keeps the input.
 */
export interface ValueRecipe {
  input: string;
  value: (number | boolean)[];
}

/** A recipe for one input: image, audio, or a fixed value. */
export type InputRecipe = Recipe | AudioRecipe | ValueRecipe;

/** Recipes for several inputs, by input name (each entry's `input` is its key). */
export interface MultiInputRecipe {
  inputs: Record<string, InputRecipe>;
}

/** What `--recipe` may hold. */
export type DataRecipe = InputRecipe | MultiInputRecipe;

/** True for an audio recipe. */
export function isAudioRecipe(r: DataRecipe): r is AudioRecipe {
  return 'audio' in r;
}

/** True for a fixed-value entry. */
export function isValueRecipe(r: DataRecipe): r is ValueRecipe {
  return 'value' in r;
}

/** True for per-input recipes. */
export function isMultiInputRecipe(r: DataRecipe): r is MultiInputRecipe {
  return 'inputs' in r;
}

/** The single-input recipes a recipe holds, in order. */
export function inputRecipes(r: DataRecipe): InputRecipe[] {
  return isMultiInputRecipe(r) ? Object.values(r.inputs) : [r];
}

/** Per-example dims an input recipe produces: [C,H,W]/[H,W,C] for images, [frame] for audio; none for a value (its input's own). */
export function inputRecipeDims(r: InputRecipe): number[] | undefined {
  return 'value' in r ? undefined : 'audio' in r ? [r.audio.frame] : recipeExampleDims(r);
}

/** The one image recipe in `r` (for labels and deploy), or undefined when it has none or several. */
export function imageRecipeOf(r: DataRecipe | undefined): Recipe | undefined {
  if (!r) return undefined;
  const images = inputRecipes(r).filter((x): x is Recipe => !('audio' in x) && !('value' in x));
  return images.length === 1 ? images[0] : undefined;
}

/**
 * Validates a parsed JSON recipe of any kind. In `{ inputs: { NAME: recipe } }` an entry may leave out `input` (its key
 * names it) but must not name another input.
 * @throws UsageError naming `file`, the entry and the bad field.
 */
export function parseDataRecipe(json: unknown, file?: string): DataRecipe {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError('bad preprocessing recipe: expected a JSON object', { file });
  const o = json as Record<string, unknown>;
  if (o.inputs === undefined) return parseInputRecipe(o, file);
  const extra = Object.keys(o).filter((k) => k !== 'inputs');
  if (extra.length) throw new UsageError(`bad preprocessing recipe: a recipe with 'inputs' holds nothing else, found '${extra.join("', '")}'`, { file });
  const entries = o.inputs;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries) || Object.keys(entries).length === 0) {
    throw new UsageError(`bad preprocessing recipe: 'inputs' must map input names to recipes, got ${JSON.stringify(entries)}`, { file });
  }
  const inputs: Record<string, InputRecipe> = {};
  for (const [name, entry] of Object.entries(entries as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new UsageError(`bad preprocessing recipe: inputs.${name} must be a recipe object`, { file });
    const e = entry as Record<string, unknown>;
    if (e.input !== undefined && e.input !== name) throw new UsageError(`bad preprocessing recipe: inputs.${name} says input '${String(e.input)}'`, { file });
    inputs[name] = parseInputRecipe({ ...e, input: name }, file);
  }
  return { inputs };
}

function parseInputRecipe(o: Record<string, unknown>, file?: string): InputRecipe {
  if (o.value !== undefined) return parseValueRecipe(o, file);
  return isAudioRecipeJson(o) ? parseAudioRecipe(o, file) : parseRecipe(o, file);
}

/** `{ input, value }` with a number, a bool or a non-empty list of them. */
function parseValueRecipe(o: Record<string, unknown>, file?: string): ValueRecipe {
  const extra = Object.keys(o).filter((k) => k !== 'input' && k !== 'value');
  if (extra.length) throw new UsageError(`bad preprocessing recipe: inputs.${String(o.input)} has a value, so nothing else (found '${extra.join("', '")}')`, { file });
  const list = Array.isArray(o.value) ? o.value : [o.value];
  if (list.length === 0 || !list.every((v) => typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
    throw new UsageError(`bad preprocessing recipe: inputs.${String(o.input)}.value must be a number, a bool or a list of them, got ${JSON.stringify(o.value)}`, { file });
  }
  return { input: o.input as string, value: list as (number | boolean)[] };
}

/**
 * Loads a recipe file of any kind.
 * @throws UsageError naming the file if it cannot be read, is not JSON or is not a valid recipe.
 */
export function loadDataRecipe(path: string): DataRecipe {
  return parseDataRecipe(readRecipeJson(path), path);
}

/** Writes a recipe of any kind as JSON, atomically, after validating it. */
export function saveDataRecipe(recipe: DataRecipe, path: string): void {
  writeRecipeJson(parseDataRecipe(JSON.parse(JSON.stringify(recipe)), path), path);
}
