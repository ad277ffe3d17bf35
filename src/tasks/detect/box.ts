// Detection boxes: the shared types (normalised corners, score, class, keypoints) and their overlap.

/** A box by its corners, normalised to the model input (0..1), x to the right and y down. */
export interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** A point normalised to the model input. */
export interface Point {
  x: number;
  y: number;
}

/** One detection: its box, score (probability when the model's scores are), class index and keypoints (BlazeFace: 6). */
export interface Detection {
  box: Box;
  score: number;
  classId: number;
  keypoints: Point[];
}

/** A box's area (0 for an inverted box). */
export function boxArea(b: Box): number {
  return Math.max(0, b.xmax - b.xmin) * Math.max(0, b.ymax - b.ymin);
}

/** Intersection over union of two boxes (0 when they do not overlap or the union is empty). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const h = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}
