// Preprocessing recipes: how an image becomes a model input, declared as JSON, validated, saved beside models.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';

/** Tensor layouts a recipe can produce. */
export const LAYOUTS = ['NCHW', 'NHWC'] as const;
/** How an image is brought to the recipe's size. */
export const RESIZE_MODES = ['stretch', 'shorter-side-then-center-crop'] as const;
/** Channel orders a recipe can produce. */
export const CHANNEL_ORDERS = ['RGB', 'BGR', 'GRAY'] as const;

/**
 * Image → tensor: decode, resize to `size`, order channels, then `(pixel * scale - mean[c]) / std[c]`
 * and lay out as `layout` float32. `mean`/`std` have one value per channel (or one for all).
 */
export interface Recipe {
  /** The model input the tensor feeds. */
  input: string;
  layout: (typeof LAYOUTS)[number];
  /** Output [height, width] in pixels. */
  size: [number, number];
  /** 'stretch' ignores the aspect ratio; the crop mode scales the shorter side to `shorterSide` then crops the centre. */
  resize: (typeof RESIZE_MODES)[number];
  /** For the crop mode: the shorter side before cropping (default: the larger of `size`). */
  shorterSide?: number;
  channels: (typeof CHANNEL_ORDERS)[number];
  scale: number;
  mean: number[];
  std: number[];
  /** Informational fields other tools read (the model output to show, a labels file). */
  output?: string;
  labels?: string;
}

/** Fields a recipe may leave out, and what they default to. */
export const RECIPE_DEFAULTS = {
  layout: 'NCHW', resize: 'stretch', channels: 'RGB', scale: 1 / 255, mean: [0], std: [1],
} as const satisfies Partial<Recipe>;

const KNOWN_KEYS = new Set(['input', 'layout', 'size', 'resize', 'shorterSide', 'channels', 'scale', 'mean', 'std', 'output', 'labels', 'dtype', 'shape']);

/** Number of channels a recipe produces. */
export function recipeChannels(recipe: Pick<Recipe, 'channels'>): number {
  return recipe.channels === 'GRAY' ? 1 : 3;
}

/** Per-example dims the recipe produces: [C,H,W] or [H,W,C]. */
export function recipeExampleDims(recipe: Recipe): number[] {
  const [h, w] = recipe.size;
  const c = recipeChannels(recipe);
  return recipe.layout === 'NCHW' ? [c, h, w] : [h, w, c];
}

/**
 * Validate a parsed JSON object as a recipe, filling defaults. Also accepts `shape: [N,C,H,W]` (or NHWC)
 * in place of `size`, as in models/lenet5/preprocess.json; `dtype` must then be float32.
 * @throws UsageError naming `file` and the bad field.
 */
export function parseRecipe(json: unknown, file?: string): Recipe {
  const fail = (msg: string): never => {
    throw new UsageError(`bad preprocessing recipe: ${msg}`, { file });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected a JSON object');
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN_KEYS.has(key)) fail(`unknown field '${key}' (known: ${[...KNOWN_KEYS].join(', ')})`);
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = o[key] ?? fallback;
    if (!allowed.includes(v as T)) fail(`'${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  };
  const numbers = (key: string, fallback: readonly number[]): number[] => {
    const v = o[key] ?? fallback;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      fail(`'${key}' must be a non-empty array of numbers, got ${JSON.stringify(v)}`);
    }
    return [...(v as number[])];
  };
  if (typeof o.input !== 'string' || o.input === '') fail(`'input' must name the model input, got ${JSON.stringify(o.input)}`);
  if (o.dtype !== undefined && o.dtype !== 'float32') fail(`'dtype' must be float32, got ${JSON.stringify(o.dtype)}`);
  const layout = oneOf('layout', LAYOUTS, RECIPE_DEFAULTS.layout);
  const shaped = shapeFields(o.shape, layout, fail);
  const size = o.size ?? shaped?.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => Number.isInteger(x) && x > 0)) {
    fail(`'size' must be [height, width] in positive integers, got ${JSON.stringify(size)}`);
  }
  const channels = oneOf('channels', CHANNEL_ORDERS, shaped?.channels ?? RECIPE_DEFAULTS.channels);
  if (shaped && shaped.channelCount !== recipeChannels({ channels })) fail(`'shape' has ${shaped.channelCount} channels but 'channels' is ${channels}`);
  const resize = oneOf('resize', RESIZE_MODES, RECIPE_DEFAULTS.resize);
  const scale = o.scale ?? RECIPE_DEFAULTS.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0) fail(`'scale' must be a non-zero number, got ${JSON.stringify(scale)}`);
  const mean = numbers('mean', RECIPE_DEFAULTS.mean);
  const std = numbers('std', RECIPE_DEFAULTS.std);
  const c = recipeChannels({ channels });
  for (const [key, v] of [['mean', mean], ['std', std]] as const) {
    if (v.length !== 1 && v.length !== c) fail(`'${key}' needs 1 or ${c} values for ${channels}, got ${v.length}`);
  }
  if (std.some((s) => s === 0)) fail(`'std' values must be non-zero, got ${JSON.stringify(std)}`);
  const recipe: Recipe = { input: o.input as string, layout, size: [...(size as [number, number])], resize, channels, scale: scale as number, mean, std };
  if (o.shorterSide !== undefined) {
    if (!Number.isInteger(o.shorterSide) || (o.shorterSide as number) < Math.max(...recipe.size)) {
      fail(`'shorterSide' must be an integer ≥ the crop size ${Math.max(...recipe.size)}, got ${JSON.stringify(o.shorterSide)}`);
    }
    recipe.shorterSide = o.shorterSide as number;
  }
  for (const key of ['output', 'labels'] as const) {
    if (o[key] === undefined) continue;
    if (typeof o[key] !== 'string') fail(`'${key}' must be a string, got ${JSON.stringify(o[key])}`);
    recipe[key] = o[key] as string;
  }
  return recipe;
}

/** Reads size and channel count from a 4-d `shape` field, if there is one. */
function shapeFields(shape: unknown, layout: Recipe['layout'], fail: (m: string) => never) {
  if (shape === undefined) return undefined;
  const ok = Array.isArray(shape) && shape.length === 4 && shape.slice(1).every((x) => Number.isInteger(x) && x > 0);
  if (!ok) fail(`'shape' must be [N,C,H,W] or [N,H,W,C] with fixed positive C,H,W, got ${JSON.stringify(shape)}`);
  const [, a, b, c] = shape as number[];
  const [channelCount, h, w] = layout === 'NCHW' ? [a, b, c] : [c, a, b];
  if (channelCount !== 1 && channelCount !== 3) fail(`'shape' must have 1 or 3 channels, got ${channelCount}`);
  return { size: [h, w], channelCount, channels: channelCount === 1 ? 'GRAY' as const : 'RGB' as const };
}

/**
 * Reads a recipe file's JSON, not yet validated (any recipe kind).
 * @throws UsageError naming the file if it cannot be read or is not JSON.
 */
export function readRecipeJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read preprocessing recipe: ${(e as Error).message}`, { file: path, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`preprocessing recipe is not valid JSON: ${(e as Error).message}`, { file: path, cause: e });
  }
}

/** Writes an already validated recipe (any kind) as pretty JSON, atomically ({@link writeFileAtomic}: temp file + rename). */
export function writeRecipeJson(checked: unknown, path: string): void {
  writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(checked, null, 2)}\n`));
}

/**
 * Load and validate a recipe JSON file.
 * @throws UsageError naming the file if it cannot be read, is not JSON or is not a valid recipe.
 */
export function loadRecipe(path: string): Recipe {
  return parseRecipe(readRecipeJson(path), path);
}

/**
 * Write a recipe as JSON, atomically ({@link writeFileAtomic}: temp file + rename), after validating it.
 * @throws UsageError if the recipe is invalid or the file cannot be written.
 */
export function saveRecipe(recipe: Recipe, path: string): void {
  writeRecipeJson(parseRecipe(recipe, path), path);
}

/** Where the recipe of a model file lives: `dir/name.onnx` → `dir/name.preprocess.json`. */
export function recipePathFor(modelPath: string): string {
  return join(dirname(modelPath), `${basename(modelPath, extname(modelPath))}.preprocess.json`);
}

/** Where a model's recipe is looked for, in order: `MODEL.preprocess.json`, then `preprocess.json` beside the model. */
export function recipeCandidates(modelPath: string): string[] {
  return [recipePathFor(modelPath), join(dirname(modelPath), 'preprocess.json')];
}

/**
 * The recipe file to use for a model: `explicit` when given (not checked here; {@link loadRecipe} reports
 * a bad one), else the first of {@link recipeCandidates} that exists, else undefined.
 */
export function findRecipe(modelPath: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  return recipeCandidates(modelPath).find((p) => existsSync(p));
}
