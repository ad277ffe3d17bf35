// Turns a photographed or drawn digit into the MNIST form: white ink on black, fitted to 20×20, centred by mass in 28×28 (DOM-free).
import { resampleGray, toGray, type Pixels } from './pixels.ts';

/** Tunables of {@link normalizeDigit}; the defaults reproduce how MNIST was made. */
export interface DigitOptions {
  /** Output side (MNIST: 28). */
  size?: number;
  /** Side of the box the digit is fitted into, keeping its aspect ratio (MNIST: 20). */
  box?: number;
  /** Minimum ink contrast (0–255) below which the frame holds no digit. */
  minContrast?: number;
}

/**
 * MNIST digits are white-on-black, anti-aliased, scaled so the longer side of their bounding box is 20 px,
 * and placed in 28×28 with their centre of mass in the middle. A drawn or filmed digit is usually dark ink on
 * light paper, anywhere in the frame, under uneven light. Steps:
 * 1. polarity: if the border of the frame is lighter than the frame's mean, the ink is dark → invert;
 * 2. contrast: the median is taken as background `b`, the 99.5th percentile as ink `p`; values are mapped
 *    linearly from `b + (p − b)/4` (→ 0, removing paper texture and shadows) to `p` (→ 255);
 * 3. the bounding box of the remaining ink is resampled (box filter) to fit 20×20, keeping the aspect ratio;
 * 4. it is pasted into 28×28 so its centre of mass lands at the centre (kept inside the frame).
 * Returns null when the frame has too little contrast to hold a digit.
 */
export function normalizeDigit(image: Pixels, options: DigitOptions = {}): Pixels | null {
  const { size = 28, box = 20, minContrast = 40 } = options;
  const gray = toGray(image);
  const { width: w, height: h } = gray;
  const src = gray.data;
  const border = borderMean(gray);
  const average = mean(src);
  const invert = border > average || (border === average && border > 127);
  const v = new Uint8Array(w * h);
  for (let i = 0; i < v.length; i++) v[i] = invert ? 255 - src[i] : src[i];
  const sorted = Uint8Array.from(v).sort();
  const b = sorted[Math.floor(sorted.length / 2)];
  const p = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.995))];
  if (p - b < minContrast) return null;
  const lo = b + (p - b) / 4;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const s = Math.max(0, Math.min(255, Math.round(((v[i] - lo) / (p - lo)) * 255)));
      v[i] = s;
      if (s > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const crop = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) crop.set(v.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + bw), y * bw);
  const f = box / Math.max(bw, bh);
  const fw = Math.max(1, Math.round(bw * f));
  const fh = Math.max(1, Math.round(bh * f));
  const fitted = resampleGray({ width: bw, height: bh, channels: 1, data: crop }, fw, fh);
  return centreByMass(fitted, size);
}

/** Pastes a small gray image into a `size`×`size` black square so its centre of mass is in the middle. */
export function centreByMass(p: Pixels, size: number): Pixels {
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const m = p.data[y * p.width + x];
      mass += m;
      mx += m * (x + 0.5);
      my += m * (y + 0.5);
    }
  }
  const cx = mass > 0 ? mx / mass : p.width / 2;
  const cy = mass > 0 ? my / mass : p.height / 2;
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const ox = clamp(Math.round(size / 2 - cx), size - p.width);
  const oy = clamp(Math.round(size / 2 - cy), size - p.height);
  const out = new Uint8Array(size * size);
  for (let y = 0; y < p.height; y++) out.set(p.data.subarray(y * p.width, (y + 1) * p.width), (y + oy) * size + ox);
  return { width: size, height: size, channels: 1, data: out };
}

/** Mean of the outermost ring of pixels (one pixel wide). */
function borderMean(p: Pixels): number {
  const { width: w, height: h, data } = p;
  let sum = 0, n = 0;
  for (let x = 0; x < w; x++) { sum += data[x] + data[(h - 1) * w + x]; n += 2; }
  for (let y = 1; y < h - 1; y++) { sum += data[y * w] + data[y * w + w - 1]; n += 2; }
  return n ? sum / n : 0;
}

/** Mean byte value. */
function mean(data: Uint8Array | Uint8ClampedArray): number {
  let sum = 0;
  for (const v of data) sum += v;
  return data.length ? sum / data.length : 0;
}
