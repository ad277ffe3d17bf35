// Compositing a foreground mask onto RGBA frames (ImageData-compatible Uint8ClampedArray): tint, background blur, replacement.
import type { Mask } from './mask.ts';

/** An RGBA image, row-major, 4 bytes a pixel: a DOM ImageData fits. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** An RGB colour, 0–255 a channel. */
export type Rgb = readonly [number, number, number];

function check(frame: RgbaImage, mask: Mask): void {
  if (frame.data.length !== frame.width * frame.height * 4) throw new Error(`segment: frame of ${frame.width}×${frame.height} holds ${frame.data.length} bytes, not RGBA`);
  if (mask.width !== frame.width || mask.height !== frame.height) {
    throw new Error(`segment: mask ${mask.width}×${mask.height} does not match the frame ${frame.width}×${frame.height} (resizeMask it first)`);
  }
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Blends `frame` (weight m) with `background` (weight 1 − m) per pixel, m the mask value clamped to [0, 1]; alpha is
 * kept from the frame. A new image.
 */
export function blendByMask(frame: RgbaImage, background: Uint8ClampedArray, mask: Mask): RgbaImage {
  check(frame, mask);
  if (background.length !== frame.data.length) throw new Error('segment: background and frame differ in size');
  const out = new Uint8ClampedArray(frame.data.length);
  for (let i = 0, p = 0; p < mask.data.length; p++, i += 4) {
    const m = clamp01(mask.data[p]);
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(frame.data[i + c] * m + background[i + c] * (1 - m));
    out[i + 3] = frame.data[i + 3];
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** Tints the foreground: each pixel moves towards `color` by `opacity` × mask (default opacity 0.5). */
export function overlayMask(frame: RgbaImage, mask: Mask, color: Rgb = [0, 160, 255], opacity = 0.5): RgbaImage {
  check(frame, mask);
  const out = new Uint8ClampedArray(frame.data);
  for (let i = 0, p = 0; p < mask.data.length; p++, i += 4) {
    const a = clamp01(mask.data[p]) * opacity;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(frame.data[i + c] * (1 - a) + color[c] * a);
  }
  return { width: frame.width, height: frame.height, data: out };
}

/** One box pass of half-width `radius` along each row over the RGB channels (alpha copied); edges clamp; running sums. */
function boxRows(src: Uint8ClampedArray | Float32Array, width: number, height: number, radius: number): Float32Array {
  const out = new Float32Array(src.length);
  const last = width - 1, inv = 1 / (2 * radius + 1);
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    for (let x = 0; x < width; x++) out[row + x * 4 + 3] = src[row + x * 4 + 3];
    for (let c = 0; c < 3; c++) {
      const b = row + c;
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += src[b + (k < 0 ? 0 : k > last ? last : k) * 4];
      for (let x = 0; x < width; x++) {
        out[b + x * 4] = sum * inv;
        const add = x + radius + 1, drop = x - radius;
        sum += src[b + (add > last ? last : add) * 4] - src[b + (drop < 0 ? 0 : drop) * 4];
      }
    }
  }
  return out;
}

/** The same along each column, walking rows in memory order (a running sum per column and channel). */
function boxColumns(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const out = new Float32Array(src.length);
  const last = height - 1, inv = 1 / (2 * radius + 1), stride = width * 4;
  const sums = new Float64Array(stride);
  for (let k = -radius; k <= radius; k++) {
    const r = (k < 0 ? 0 : k > last ? last : k) * stride;
    for (let i = 0; i < stride; i++) sums[i] += src[r + i];
  }
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const add = (y + radius + 1 > last ? last : y + radius + 1) * stride, drop = (y - radius < 0 ? 0 : y - radius) * stride;
    for (let i = 0; i < stride; i++) {
      out[row + i] = (i & 3) === 3 ? src[row + i] : sums[i] * inv;
      sums[i] += src[add + i] - src[drop + i];
    }
  }
  return out;
}

/**
 * The frame blurred by `passes` (default 3) separable box blurs of half-width `radius` (each horizontal then vertical):
 * three passes approximate a Gaussian of variance passes·((2r+1)² − 1)/12. Edges clamp; alpha is kept.
 */
export function blurImage(frame: RgbaImage, radius: number, passes = 3): RgbaImage {
  if (!Number.isInteger(radius) || radius < 0) throw new Error(`segment: blur radius must be a whole number ≥ 0, got ${radius}`);
  let buf: Uint8ClampedArray | Float32Array = frame.data;
  if (radius > 0) {
    for (let p = 0; p < passes; p++) {
      buf = boxColumns(boxRows(buf, frame.width, frame.height, radius), frame.width, frame.height, radius);
    }
  }
  return { width: frame.width, height: frame.height, data: new Uint8ClampedArray(buf) };
}

/** Background blur: the frame where the mask is 1, its blur (radius, default 8) where 0, blended in between. */
export function blurBackground(frame: RgbaImage, mask: Mask, radius = 8): RgbaImage {
  return blendByMask(frame, blurImage(frame, radius).data, mask);
}

/** Background replacement by a colour or an RGBA image of the frame's size; blended by the mask. */
export function replaceBackground(frame: RgbaImage, mask: Mask, background: Rgb | RgbaImage): RgbaImage {
  let bg: Uint8ClampedArray;
  if ('data' in background) {
    if (background.width !== frame.width || background.height !== frame.height) {
      throw new Error(`segment: background ${background.width}×${background.height} does not match the frame ${frame.width}×${frame.height}`);
    }
    bg = background.data;
  } else {
    bg = new Uint8ClampedArray(frame.data.length);
    for (let i = 0; i < bg.length; i += 4) {
      bg[i] = background[0]; bg[i + 1] = background[1]; bg[i + 2] = background[2]; bg[i + 3] = 255;
    }
  }
  return blendByMask(frame, bg, mask);
}
