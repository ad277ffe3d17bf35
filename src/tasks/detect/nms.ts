// Non-maximum suppression as MediaPipe's NonMaxSuppressionCalculator does it: hard (DEFAULT) or WEIGHTED, IoU overlap.
import { iou, type Detection } from './box.ts';

/** NMS options. */
export interface NmsOptions {
  /** A box is suppressed by (hard) or merged into (weighted) a better one when their IoU is ABOVE this. */
  iouThreshold: number;
  /**
   * 'hard' keeps the best box of each overlapping group; 'weighted' (MediaPipe's face detection) replaces it by the
   * score-weighted mean of the group's boxes and keypoints, keeping the best score. Default 'hard'.
   */
  algorithm?: 'hard' | 'weighted';
  /** At most this many detections (best first). Default: no limit. */
  maxDetections?: number;
  /** Suppress only within a class (MediaPipe's multiclass_nms), then keep the best `maxDetections` over all classes. Default false. */
  perClass?: boolean;
}

/** Detections best first; equal scores keep their input order (a stable sort). */
function byScore(detections: readonly Detection[]): Detection[] {
  return detections.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i).map((e) => e.d);
}

/** Hard NMS: best first, a detection is kept unless its IoU with a kept one exceeds the threshold. */
function hardNms(sorted: readonly Detection[], threshold: number, max: number): Detection[] {
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= max) break;
    if (!kept.some((k) => iou(k.box, d.box) > threshold)) kept.push(d);
  }
  return kept;
}

/**
 * MediaPipe's weighted NMS: take the best remaining detection, gather every remaining one whose IoU with it exceeds the
 * threshold (itself included), output the score-weighted mean of their corners and keypoints with the best one's score
 * and class, and continue with the rest.
 */
function weightedNms(sorted: readonly Detection[], threshold: number, max: number): Detection[] {
  let remaining = sorted.slice();
  const out: Detection[] = [];
  while (remaining.length && out.length < max) {
    const best = remaining[0];
    const candidates: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (iou(d.box, best.box) > threshold ? candidates : rest).push(d);
    if (!candidates.length) {
      // A degenerate best box (zero area) overlaps nothing, not even itself: MediaPipe outputs it and stops.
      out.push(best);
      break;
    }
    let total = 0;
    const box = { xmin: 0, ymin: 0, xmax: 0, ymax: 0 };
    const keypoints = best.keypoints.map(() => ({ x: 0, y: 0 }));
    for (const c of candidates) {
      total += c.score;
      box.xmin += c.box.xmin * c.score;
      box.ymin += c.box.ymin * c.score;
      box.xmax += c.box.xmax * c.score;
      box.ymax += c.box.ymax * c.score;
      keypoints.forEach((k, i) => {
        k.x += (c.keypoints[i]?.x ?? 0) * c.score;
        k.y += (c.keypoints[i]?.y ?? 0) * c.score;
      });
    }
    out.push({
      box: { xmin: box.xmin / total, ymin: box.ymin / total, xmax: box.xmax / total, ymax: box.ymax / total },
      score: best.score, classId: best.classId,
      keypoints: keypoints.map((k) => ({ x: k.x / total, y: k.y / total })),
    });
    remaining = rest;
  }
  return out;
}

/** Non-maximum suppression of `detections` (any order); the result is best first. */
export function nonMaxSuppression(detections: readonly Detection[], options: NmsOptions): Detection[] {
  const max = options.maxDetections ?? Infinity;
  const run = (ds: readonly Detection[]): Detection[] =>
    (options.algorithm === 'weighted' ? weightedNms : hardNms)(byScore(ds), options.iouThreshold, max);
  if (!options.perClass) return run(detections);
  const classes = new Map<number, Detection[]>();
  for (const d of detections) {
    const list = classes.get(d.classId);
    if (list) list.push(d);
    else classes.set(d.classId, [d]);
  }
  return byScore([...classes.values()].flatMap(run)).slice(0, max);
}
