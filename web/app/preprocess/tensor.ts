// Pixels at the recipe's size → the model's float32 input: channel order, (pixel·scale − mean)/std, NCHW or NHWC (DOM-free).
import { luma, type Pixels } from './pixels.ts';
import type { WebRecipe } from './recipe.ts';

/** The input dims for one image: [1,C,H,W] or [1,H,W,C]. */
export function inputDims(recipe: WebRecipe): number[] {
  const [h, w] = recipe.size;
  const c = recipe.channels === 'GRAY' ? 1 : 3;
  return recipe.layout === 'NCHW' ? [1, c, h, w] : [1, h, w, c];
}

/**
 * Applies the recipe to an image already resized to `recipe.size`.
 * @throws Error if the image is not the recipe's size.
 */
export function pixelsToTensor(p: Pixels, recipe: WebRecipe, out?: Float32Array): Float32Array {
  const [h, w] = recipe.size;
  if (p.width !== w || p.height !== h) throw new Error(`image is ${p.width}×${p.height}, the recipe wants ${w}×${h}`);
  const c = recipe.channels === 'GRAY' ? 1 : 3;
  const n = w * h;
  const tensor = out ?? new Float32Array(n * c);
  const order = recipe.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const mean = (k: number) => recipe.mean[recipe.mean.length === 1 ? 0 : k];
  const std = (k: number) => recipe.std[recipe.std.length === 1 ? 0 : k];
  for (let k = 0; k < c; k++) {
    const m = mean(k), s = std(k), src = order[k];
    for (let i = 0; i < n; i++) {
      const j = i * p.channels;
      let v: number;
      if (c === 1) v = p.channels === 1 ? p.data[j] : luma(p.data[j], p.data[j + 1], p.data[j + 2]);
      else v = p.channels === 1 ? p.data[j] : p.data[j + src];
      tensor[recipe.layout === 'NCHW' ? k * n + i : i * c + k] = (v * recipe.scale - m) / s;
    }
  }
  return tensor;
}
