// Plane geometry for text boxes: convex hull, minimum-area rotated rectangle (rotating calipers), quads and their order.

/** A point (x to the right, y down). */
export type Point = [number, number];
/** A quadrilateral: top-left, top-right, bottom-right, bottom-left (PaddleOCR's order). */
export type Quad = [Point, Point, Point, Point];

/** A rotated rectangle: centre, unit axis `u` along `width`, the perpendicular axis carries `height`. */
export interface RotatedRect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  /** Unit vector along the width side. */
  ux: number;
  uy: number;
}

/** The convex hull (Andrew's monotone chain), counter-clockwise in y-down terms, without collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** The minimum-area enclosing rectangle of a point set (one side lies on a hull edge; OpenCV's minAreaRect). */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, ux: 1, uy: 0 };
  let best: RotatedRect = { cx: hull[0][0], cy: hull[0][1], width: 0, height: 0, ux: 1, uy: 0 };
  let bestArea = Infinity;
  for (let i = 0; i < Math.max(hull.length, 1); i++) {
    const a = hull[i], b = hull[(i + 1) % hull.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const ux = len > 0 ? (b[0] - a[0]) / len : 1, uy = len > 0 ? (b[1] - a[1]) / len : 0;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const pu = p[0] * ux + p[1] * uy, pv = -p[0] * uy + p[1] * ux;
      minU = Math.min(minU, pu); maxU = Math.max(maxU, pu); minV = Math.min(minV, pv); maxV = Math.max(maxV, pv);
    }
    const area = (maxU - minU) * (maxV - minV);
    // Ties (a single row or column of points has area 0 for every edge) keep the longer rectangle.
    if (area < bestArea - 1e-9 || (Math.abs(area - bestArea) <= 1e-9 && maxU - minU + maxV - minV > best.width + best.height)) {
      bestArea = area;
      const mu = (minU + maxU) / 2, mv = (minV + maxV) / 2;
      best = { cx: mu * ux - mv * uy, cy: mu * uy + mv * ux, width: maxU - minU, height: maxV - minV, ux, uy };
    }
  }
  return best;
}

/** The rectangle's corners ordered as PaddleOCR's get_mini_boxes does: the two leftmost split into top-left/bottom-left, the others likewise. */
export function rectCorners(r: RotatedRect): Quad {
  const hw = r.width / 2, hh = r.height / 2;
  const vx = -r.uy, vy = r.ux;
  const pts: Point[] = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([su, sv]) => [r.cx + su * hw * r.ux + sv * hh * vx, r.cy + su * hw * r.uy + sv * hh * vy]);
  pts.sort((a, b) => a[0] - b[0]);
  const [tl, bl] = pts[1][1] > pts[0][1] ? [pts[0], pts[1]] : [pts[1], pts[0]];
  const [tr, br] = pts[3][1] > pts[2][1] ? [pts[2], pts[3]] : [pts[3], pts[2]];
  return [tl, tr, br, bl];
}

/** The axis-aligned bounds of a quad. */
export function quadBounds(q: Quad): { xmin: number; ymin: number; xmax: number; ymax: number } {
  const xs = q.map((p) => p[0]), ys = q.map((p) => p[1]);
  return { xmin: Math.min(...xs), ymin: Math.min(...ys), xmax: Math.max(...xs), ymax: Math.max(...ys) };
}

/** The angle of a quad's top edge in degrees (positive: clockwise on screen, y down). */
export function quadAngle(q: Quad): number {
  return (Math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]) * 180) / Math.PI;
}
