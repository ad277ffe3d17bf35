// What every command that feeds a model needs from its flags: the recipe, the input shapes and the fixed input values.
import { findRecipe } from '../data/recipe.ts';
import { inputRecipeDims, inputRecipes, loadDataRecipe, type DataRecipe } from '../data/data-recipe.ts';
import { modelInputs } from '../data/model-inputs.ts';
import type { Model } from '../ir/graph.ts';
import type { IoInfo } from '../ir/host-tensor.ts';
import { applyInputShapes, parseInputShapes, shapesFromRecipe, type InputShapes } from '../ir/input-shapes.ts';
import { parseInputValues, type InputValues } from '../ir/input-values.ts';

/** The flags this reads. */
export interface ModelDataFlags {
  recipe?: string;
  inputShape: string[];
  inputValue: string[];
}

/** A model's inputs as the data must feed them. */
export interface ModelData {
  recipe?: DataRecipe;
  recipePath?: string;
  /** The model's inputs with `--input-shape` and the recipe's shapes applied. */
  inputs: IoInfo[];
  shapes: InputShapes;
  /** `--input-value` values, typed and shaped from `inputs`. */
  values: InputValues;
}

/**
 * Reads `--recipe` (or the recipe beside `modelFile`), applies `--input-shape` and the shapes each recipe entry implies,
 * then parses `--input-value` against the shaped inputs.
 * @throws UsageError for a bad recipe, shape or value (naming the input).
 */
export function modelData(modelFile: string, model: Model, flags: ModelDataFlags): ModelData {
  const recipePath = findRecipe(modelFile, flags.recipe);
  const recipe = recipePath ? loadDataRecipe(recipePath) : undefined;
  const declared = modelInputs(model);
  let shapes = parseInputShapes(flags.inputShape);
  for (const r of recipe ? inputRecipes(recipe) : []) {
    const dims = inputRecipeDims(r);
    if (dims) shapes = shapesFromRecipe(declared, r.input, dims, shapes);
  }
  const inputs = applyInputShapes(declared, shapes);
  return { ...(recipe ? { recipe, recipePath } : {}), inputs, shapes, values: parseInputValues(flags.inputValue, inputs) };
}
