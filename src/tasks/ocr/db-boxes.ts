// DB post-processing of a text detector's probability map (PaddleOCR DBPostProcess, 'quad' boxes): threshold → components → rotated boxes.
import { minAreaRect, rectCorners, type Point, type Quad, type RotatedRect } from './geometry.ts';

/** DBPostProcess options (PP-OCRv4 inference defaults). */
export interface DbOptions {
  /** Pixels with probability above this are text (default 0.3). */
  threshold?: number;
  /** A box is kept when the mean probability inside it reaches this (default 0.6). */
  boxThreshold?: number;
  /** Expansion: each side moves out by area·ratio/perimeter of the box (default 1.5). */
  unclipRatio?: number;
  /** Boxes whose short side is below this (before expansion; below minSize + 2 after) are dropped (default 3). */
  minSize?: number;
  /** At most this many components are considered (default 1000). */
  maxCandidates?: number;
}

/** A detected text region in source-image pixels: a rotated rectangle's corners and its mean probability. */
export interface TextBox {
  points: Quad;
  score: number;
}

/** The mean of `prob` over the map pixels whose centres lie in the rectangle (PaddleOCR's box_score_fast over the filled box). */
function rectScore(prob: Float32Array, w: number, h: number, r: RotatedRect): number {
  const corners = rectCorners(r);
  const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs))), x1 = Math.min(w - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys))), y1 = Math.min(h - 1, Math.ceil(Math.max(...ys)));
  const hw = r.width / 2 + 1e-3, hh = r.height / 2 + 1e-3;
  let sum = 0, n = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
    const dx = x - r.cx, dy = y - r.cy;
    if (Math.abs(dx * r.ux + dy * r.uy) <= hw && Math.abs(-dx * r.uy + dy * r.ux) <= hh) { sum += prob[y * w + x]; n++; }
  }
  return n ? sum / n : 0;
}

/** The rectangle grown as pyclipper's round offset by area·ratio/perimeter would be, then re-boxed: each side moves out by that distance. */
export function unclipRect(r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.width + r.height);
  const d = perimeter > 0 ? (r.width * r.height * ratio) / perimeter : 0;
  return { ...r, width: r.width + 2 * d, height: r.height + 2 * d };
}

/**
 * Text boxes from a DB probability map `prob` ([1,1,H,W] data, H = mapHeight, W = mapWidth), as rotated minimum-area
 * rectangles of the 8-connected components of prob > threshold, scored, expanded and scaled to srcWidth×srcHeight.
 */
export function dbBoxes(prob: Float32Array, mapWidth: number, mapHeight: number, srcWidth: number, srcHeight: number, options: DbOptions = {}): TextBox[] {
  const threshold = options.threshold ?? 0.3, boxThreshold = options.boxThreshold ?? 0.6;
  const unclipRatio = options.unclipRatio ?? 1.5, minSize = options.minSize ?? 3, maxCandidates = options.maxCandidates ?? 1000;
  const w = mapWidth, h = mapHeight;
  if (prob.length < w * h) throw new RangeError(`dbBoxes: a ${w}×${h} map needs ${w * h} values, got ${prob.length}`);
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && prob[y * w + x] > threshold;
  const seen = new Uint8Array(w * h);
  const stack: number[] = [];
  const boxes: TextBox[] = [];
  let candidates = 0;
  for (let start = 0; start < w * h && candidates < maxCandidates; start++) {
    if (seen[start] || !(prob[start] > threshold)) continue;
    candidates++;
    // Flood fill one 8-connected component, keeping its boundary pixels (their hull is the component's hull).
    const boundary: Point[] = [];
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w, y = (i - x) / w;
      if (!on(x - 1, y) || !on(x + 1, y) || !on(x, y - 1) || !on(x, y + 1)) boundary.push([x, y]);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if ((dx || dy) && on(nx, ny) && !seen[ny * w + nx]) { seen[ny * w + nx] = 1; stack.push(ny * w + nx); }
      }
    }
    const rect = minAreaRect(boundary);
    if (Math.min(rect.width, rect.height) < minSize) continue;
    const score = rectScore(prob, w, h, rect);
    if (score < boxThreshold) continue;
    const grown = unclipRect(rect, unclipRatio);
    if (Math.min(grown.width, grown.height) < minSize + 2) continue;
    const points = rectCorners(grown).map(([x, y]): Point => [
      Math.min(Math.max(Math.round((x / w) * srcWidth), 0), srcWidth),
      Math.min(Math.max(Math.round((y / h) * srcHeight), 0), srcHeight),
    ]) as Quad;
    boxes.push({ points, score });
  }
  return boxes;
}
