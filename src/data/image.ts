// Decode one image file with sharp and turn it into a float32 example as a recipe declares.
import sharp from 'sharp';
import { FormatError } from '../errors.ts';
import { recipeChannels, recipeExampleDims, type Recipe } from './recipe.ts';

/** File extensions sharp decodes (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif'] as const;

/** Decoded pixels: `height × width × channels` interleaved uint8. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Decode, orient (EXIF), resize/crop to the recipe's size and convert to its channel count (1 or 3).
 * @throws FormatError('image', …) naming the file if it cannot be read or decoded.
 */
export async function decodeImage(path: string, recipe: Recipe): Promise<RawImage> {
  const [th, tw] = recipe.size;
  try {
    const img = sharp(path, { autoOrient: true, failOn: 'error' });
    const { width, height } = (await img.metadata()).autoOrient;
    if (recipe.resize === 'stretch') {
      if (width !== tw || height !== th) img.resize(tw, th, { fit: 'fill' });
    } else {
      const shorter = recipe.shorterSide ?? Math.max(th, tw);
      const factor = shorter / Math.min(width, height);
      const nw = Math.max(tw, Math.round(width * factor));
      const nh = Math.max(th, Math.round(height * factor));
      if (nw !== width || nh !== height) img.resize(nw, nh, { fit: 'fill' });
      if (nw !== tw || nh !== th) img.extract({ left: Math.floor((nw - tw) / 2), top: Math.floor((nh - th) / 2), width: tw, height: th });
    }
    img.removeAlpha();
    if (recipe.channels === 'GRAY') img.toColourspace('b-w');
    else img.toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    const raw: RawImage = { data, width: info.width, height: info.height, channels: info.channels };
    return withChannels(raw, recipeChannels(recipe));
  } catch (e) {
    throw new FormatError('image', `cannot decode image: ${(e as Error).message.replace(/\s*\n\s*/g, ' ').replace(/[\s:]+$/, '')}`, { file: path, cause: e });
  }
}

/** Replicate gray to 3 channels or keep the first channel, so the pixel count per position is `want`. */
function withChannels(raw: RawImage, want: number): RawImage {
  if (raw.channels === want) return raw;
  const pixels = raw.width * raw.height;
  const data = new Uint8Array(pixels * want);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < want; c++) data[p * want + c] = raw.data[p * raw.channels + Math.min(c, raw.channels - 1)];
  }
  return { ...raw, data, channels: want };
}

/**
 * Normalize decoded pixels into `out` (at `offset`), in the recipe's layout and channel order:
 * `(pixel * scale - mean[c]) / std[c]`.
 */
export function normalizePixels(raw: RawImage, recipe: Recipe, out: Float32Array, offset = 0): void {
  const c = raw.channels;
  const pixels = raw.width * raw.height;
  const bgr = recipe.channels === 'BGR';
  for (let ch = 0; ch < c; ch++) {
    const src = bgr ? c - 1 - ch : ch;
    const mean = recipe.mean.length === 1 ? recipe.mean[0] : recipe.mean[ch];
    const std = recipe.std.length === 1 ? recipe.std[0] : recipe.std[ch];
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v * recipe.scale - mean) / std;
    if (recipe.layout === 'NCHW') {
      const base = offset + ch * pixels;
      for (let p = 0; p < pixels; p++) out[base + p] = lut[raw.data[p * c + src]];
    } else {
      for (let p = 0; p < pixels; p++) out[offset + p * c + ch] = lut[raw.data[p * c + src]];
    }
  }
}

/**
 * One image file as a float32 example ([C,H,W] or [H,W,C] per the recipe).
 * @throws FormatError naming the file if it cannot be decoded.
 */
export async function loadImageExample(path: string, recipe: Recipe): Promise<Float32Array> {
  const dims = recipeExampleDims(recipe);
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  normalizePixels(await decodeImage(path, recipe), recipe, out);
  return out;
}
