// Input shapes given on the command line (`--input-shape NAME=d,d,d`) or by a recipe: parsed once, checked against the model's inputs.
import { UsageError } from '../errors.ts';
import type { Dim } from './graph.ts';

/** Fixed input shapes by input name, e.g. { x: [1, 3, 48, 192] }. */
export type InputShapes = Record<string, number[]>;

/** An input as far as shapes go: its name and declared (possibly symbolic) dims. */
export interface ShapedInput {
  name: string;
  shape: readonly Dim[];
}

/**
 * Parses `NAME=1,3,48,192` (repeatable, or `;`-separated) into input shapes.
 * @throws UsageError for a malformed entry or a non-positive dim.
 */
export function parseInputShapes(specs: readonly string[]): InputShapes {
  const out: InputShapes = {};
  for (const spec of specs.flatMap((s) => s.split(';')).map((s) => s.trim()).filter(Boolean)) {
    const eq = spec.lastIndexOf('=');
    const dims = spec.slice(eq + 1).split(',').map((d) => (d.trim() === '' ? NaN : Number(d)));
    if (eq <= 0 || dims.some((d) => !Number.isInteger(d) || d <= 0 || d > 2 ** 31 - 1)) {
      throw new UsageError(`--input-shape expects NAME=D1,D2,… with positive integers, got '${spec}'`);
    }
    out[spec.slice(0, eq)] = dims;
  }
  return out;
}

/** Throws unless every name in `shapes` is one of `inputs`. */
export function checkShapeNames(shapes: InputShapes, inputs: readonly ShapedInput[]): void {
  for (const name of Object.keys(shapes)) {
    if (!inputs.some((i) => i.name === name)) {
      throw new UsageError(`--input-shape names '${name}', which is not a model input (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    }
  }
}

/** The `--input-shape` value that would fix `input`, with N for each unknown dim after the first. */
export function inputShapeHint(input: ShapedInput): string {
  return `--input-shape ${input.name}=${input.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : 'N')).join(',')}`;
}

/**
 * The concrete dims of one input: `given` (its rank and the model's fixed dims must agree), else the declared dims
 * with a symbolic first (batch) dim set to 1. Any other unknown dim is an error that says which `--input-shape` to give:
 * a shape is never invented.
 */
export function resolveInputShape(input: ShapedInput, given?: readonly number[]): number[] {
  const declared = input.shape;
  if (given) {
    if (declared.length && given.length !== declared.length) {
      throw new UsageError(`input '${input.name}' has rank ${declared.length} ([${declared.map((d) => d ?? '?').join(',')}]), --input-shape gives ${given.length} dims`);
    }
    declared.forEach((d, i) => {
      if (typeof d === 'number' && d !== given[i]) throw new UsageError(`--input-shape ${input.name}: dim ${i} is fixed at ${d} in the model, got ${given[i]}`);
    });
    return [...given];
  }
  const fixed = declared.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : null));
  if (fixed.some((d) => d === null)) {
    throw new UsageError(`input '${input.name}' has dynamic dims [${declared.map((d) => d ?? '?').join(',')}]; give them with ${inputShapeHint(input)}`);
  }
  return fixed as number[];
}

/** `inputs` with the given shapes applied (the others unchanged); names are checked first. */
export function applyInputShapes<T extends ShapedInput>(inputs: readonly T[], shapes: InputShapes): T[] {
  checkShapeNames(shapes, inputs);
  return inputs.map((i) => (shapes[i.name] ? { ...i, shape: resolveInputShape(i, shapes[i.name]) } : i));
}

/**
 * Shapes a preprocessing recipe implies for the inputs it feeds (`example` = the recipe's per-example dims, e.g.
 * [3, 48, 192]), kept only where they fill dynamic dims of the model (batch from the model, or 1); explicit
 * `--input-shape` values win over them.
 */
export function shapesFromRecipe(inputs: readonly ShapedInput[], recipeInput: string, example: readonly number[], explicit: InputShapes = {}): InputShapes {
  const input = inputs.find((i) => i.name === recipeInput);
  if (!input || explicit[recipeInput] || input.shape.length !== example.length + 1) return { ...explicit };
  if (input.shape.slice(1).every((d) => typeof d === 'number')) return { ...explicit };
  const fromRecipe = input.shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 1 : example[i - 1]));
  // A recipe that contradicts a fixed dim of the model is not used here; the data check names that mismatch later.
  if (input.shape.some((d, i) => i > 0 && typeof d === 'number' && d !== example[i - 1])) return { ...explicit };
  return { ...explicit, [recipeInput]: fromRecipe };
}
