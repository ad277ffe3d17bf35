// The preprocessing recipe as the page sees it, and the crop a recipe takes from a frame (DOM-free).

/** Mirror of src/data/recipe.ts `Recipe` (already validated by `ondevice deploy web`). */
export interface WebRecipe {
  input: string;
  layout: 'NCHW' | 'NHWC';
  /** Output [height, width]. */
  size: [number, number];
  resize: 'stretch' | 'shorter-side-then-center-crop';
  shorterSide?: number;
  channels: 'RGB' | 'BGR' | 'GRAY';
  scale: number;
  mean: number[];
  std: number[];
  output?: string;
  labels?: string;
}

/** A rectangle in source pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The part of a `width`×`height` frame that the recipe keeps: the whole frame for 'stretch'; for the crop
 * mode, the centre region that is left after scaling the shorter side to `shorterSide` and cropping `size`.
 */
export function recipeCrop(width: number, height: number, recipe: WebRecipe): Rect {
  if (recipe.resize === 'stretch') return { x: 0, y: 0, width, height };
  const [h, w] = recipe.size;
  const shorter = recipe.shorterSide ?? Math.max(h, w);
  const f = shorter / Math.min(width, height);
  const cw = Math.min(width, w / f);
  const ch = Math.min(height, h / f);
  return { x: (width - cw) / 2, y: (height - ch) / 2, width: cw, height: ch };
}

/** The centre square of a frame (`fraction` of its shorter side): where a filmed digit is expected. */
export function centreSquare(width: number, height: number, fraction = 1): Rect {
  const side = Math.min(width, height) * fraction;
  return { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side };
}
