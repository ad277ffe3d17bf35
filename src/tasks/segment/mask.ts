// Segmentation masks as typed arrays: activation, foreground probability (NCHW/NHWC), bilinear resize, threshold, IoU.

/** A single-channel mask: `width`×`height` values, row-major. */
export interface Mask {
  width: number;
  height: number;
  data: Float32Array;
}

/** Where the channels are in a model's mask output. */
export type MaskLayout = 'NCHW' | 'NHWC';

/** The mask's layout and size read from its dims: [1,C,H,W] with C ≤ 4 small is NCHW, [1,H,W,C] NHWC, [1,H,W] / [H,W] one channel. */
export function maskGeometry(dims: readonly number[]): { layout: MaskLayout; channels: number; height: number; width: number } {
  const d = dims.length === 4 ? dims.slice(1) : dims.length === 3 ? [1, ...dims.slice(1)] : dims.length === 2 ? [1, ...dims] : undefined;
  if (!d || (dims.length >= 3 && dims[0] !== 1)) throw new Error(`segment: a mask must be [1,C,H,W], [1,H,W,C], [1,H,W] or [H,W], got [${dims.join(',')}]`);
  const [a, b, c] = d;
  // NHWC when the last dim is the small one (channels) and the first is not.
  if (dims.length === 4 && c < a && c <= 32) return { layout: 'NHWC', channels: c, height: a, width: b };
  return { layout: 'NCHW', channels: a, height: b, width: c };
}

/**
 * The foreground probability of each pixel from a mask output with `channels` channels laid out as `layout`:
 * `activation` 'sigmoid' applies σ to the chosen channel, 'softmax' normalises over the channels first ('none' takes the
 * values as they are). `foregroundChannel` defaults to the last channel.
 */
export function foregroundProbability(
  data: ArrayLike<number>,
  geometry: { layout: MaskLayout; channels: number; height: number; width: number },
  options: { activation?: 'none' | 'sigmoid' | 'softmax'; foregroundChannel?: number } = {},
): Mask {
  const { layout, channels, height, width } = geometry;
  const n = height * width;
  if (data.length !== n * channels) throw new Error(`segment: mask holds ${data.length} values, expected ${channels}×${height}×${width}`);
  const fg = options.foregroundChannel ?? channels - 1;
  if (!Number.isInteger(fg) || fg < 0 || fg >= channels) throw new Error(`segment: foreground channel ${fg} is not one of the mask's ${channels} channels`);
  const at = layout === 'NCHW' ? (i: number, c: number) => data[c * n + i] : (i: number, c: number) => data[i * channels + c];
  const out = new Float32Array(n);
  const activation = options.activation ?? 'none';
  for (let i = 0; i < n; i++) {
    if (activation === 'softmax') {
      let max = -Infinity;
      for (let c = 0; c < channels; c++) max = Math.max(max, at(i, c));
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += Math.exp(at(i, c) - max);
      out[i] = Math.exp(at(i, fg) - max) / sum;
    } else if (activation === 'sigmoid') {
      out[i] = 1 / (1 + Math.exp(-at(i, fg)));
    } else {
      out[i] = at(i, fg);
    }
  }
  return { width, height, data: out };
}

/**
 * The mask resized to `width`×`height` by bilinear interpolation with half-pixel centres (as canvas drawImage and
 * sharp/OpenCV INTER_LINEAR sample; edges clamp).
 */
export function resizeMask(mask: Mask, width: number, height: number): Mask {
  const out = new Float32Array(width * height);
  const sx = mask.width / width, sy = mask.height / height;
  const src = mask.data, w = mask.width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), mask.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, mask.height - 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), mask.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, mask.width - 1), wx = fx - x0;
      const top = src[y0 * w + x0] * (1 - wx) + src[y0 * w + x1] * wx;
      const bottom = src[y1 * w + x0] * (1 - wx) + src[y1 * w + x1] * wx;
      out[y * width + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return { width, height, data: out };
}

/** 1 where the mask is ≥ `threshold` (default 0.5), else 0. */
export function thresholdMask(mask: Mask, threshold = 0.5): Mask {
  const out = new Float32Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i] >= threshold ? 1 : 0;
  return { width: mask.width, height: mask.height, data: out };
}

/**
 * Intersection over union of two masks of the same length, each thresholded at `threshold` (value ≥ threshold is in).
 * Two empty masks agree perfectly: 1.
 */
export function maskIoU(a: ArrayLike<number>, b: ArrayLike<number>, threshold = 0.5): number {
  if (a.length !== b.length) throw new Error(`maskIoU: masks of ${a.length} and ${b.length} values`);
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] >= threshold, q = b[i] >= threshold;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}
