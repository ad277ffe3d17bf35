// Detector outputs → detections: MediaPipe's TensorsToDetectionsCalculator for raw SSD heads, and ready boxes + scores.
import type { Anchor } from './anchors.ts';
import type { Detection, Point } from './box.ts';

/** Decoding of raw SSD regressors against anchors (MediaPipe TensorsToDetectionsCalculatorOptions, as data). */
export interface SsdDecodeOptions {
  /** x/y/w/h_scale: raw offsets are divided by these (BlazeFace: the input size, 128). */
  scales: { x: number; y: number; w: number; h: number };
  /** Keypoints per box after the 4 box values (BlazeFace: 6), two values each. */
  keypoints?: number;
  /**
   * Order of the box and keypoint values: 'xywh' (MediaPipe's reverse_output_order, every BlazeFace model) or 'yxhw'
   * (MediaPipe's default). Default 'xywh'.
   */
  order?: 'xywh' | 'yxhw';
  /** Sizes are log-encoded: h = exp(raw / h_scale) · anchor.h (TF object-detection SSDs). Default false. */
  exponentialSize?: boolean;
  /** Scores are logits: clip to ±`scoreClip` (when given) and apply a sigmoid. */
  sigmoid?: boolean;
  scoreClip?: number;
  /** Boxes whose best score is below this are dropped. */
  scoreThreshold?: number;
}

/** A logistic sigmoid, the logit first clipped to ±clip when a clip is given (MediaPipe's score_clipping_thresh). */
export function sigmoid(logit: number, clip?: number): number {
  const v = clip === undefined ? logit : Math.min(clip, Math.max(-clip, logit));
  return 1 / (1 + Math.exp(-v));
}

/** The best class of box `i` among `numClasses` scores (the first on ties), after the optional sigmoid. */
function bestClass(scores: ArrayLike<number>, i: number, numClasses: number, logits: boolean, clip?: number): { score: number; classId: number } {
  let score = -Infinity;
  let classId = -1;
  for (let c = 0; c < numClasses; c++) {
    const s = logits ? sigmoid(scores[i * numClasses + c], clip) : scores[i * numClasses + c];
    if (s > score) {
      score = s;
      classId = c;
    }
  }
  return { score, classId };
}

/**
 * Decodes raw SSD heads — `regressors` [1,N,4+2K] and `classificators` [1,N,C] (flat data) — against N `anchors` as
 * MediaPipe's TensorsToDetectionsCalculator does on CPU: centre = raw / scale · anchor size + anchor centre, size =
 * raw / scale · anchor size, keypoints like centres; each box keeps its best class; boxes under the score threshold and
 * boxes with a negative or NaN size are dropped. Output order follows the anchors.
 */
export function decodeSsd(regressors: ArrayLike<number>, classificators: ArrayLike<number>, anchors: readonly Anchor[], options: SsdDecodeOptions): Detection[] {
  const n = anchors.length;
  const numKeypoints = options.keypoints ?? 0;
  if (!n || regressors.length % n || classificators.length % n) {
    throw new Error(`SSD decode: ${regressors.length} regressor and ${classificators.length} score values do not divide into ${n} anchors`);
  }
  const numCoords = regressors.length / n;
  const numClasses = classificators.length / n;
  if (numCoords < 4 + 2 * numKeypoints) throw new Error(`SSD decode: ${numCoords} values per box cannot hold a box and ${numKeypoints} keypoints`);
  const { x: xScale, y: yScale, w: wScale, h: hScale } = options.scales;
  const xFirst = (options.order ?? 'xywh') === 'xywh';
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const { score, classId } = bestClass(classificators, i, numClasses, options.sigmoid ?? false, options.scoreClip);
    if (options.scoreThreshold !== undefined && score < options.scoreThreshold) continue;
    const a = anchors[i];
    const o = i * numCoords;
    const [rx, ry, rw, rh] = xFirst
      ? [regressors[o], regressors[o + 1], regressors[o + 2], regressors[o + 3]]
      : [regressors[o + 1], regressors[o], regressors[o + 3], regressors[o + 2]];
    const xc = (rx / xScale) * a.w + a.xCenter;
    const yc = (ry / yScale) * a.h + a.yCenter;
    const h = options.exponentialSize ? Math.exp(rh / hScale) * a.h : (rh / hScale) * a.h;
    const w = options.exponentialSize ? Math.exp(rw / wScale) * a.w : (rw / wScale) * a.w;
    if (!(w >= 0) || !(h >= 0)) continue;
    const keypoints: Point[] = [];
    for (let k = 0; k < numKeypoints; k++) {
      const p = o + 4 + 2 * k;
      const [kx, ky] = xFirst ? [regressors[p], regressors[p + 1]] : [regressors[p + 1], regressors[p]];
      keypoints.push({ x: (kx / xScale) * a.w + a.xCenter, y: (ky / yScale) * a.h + a.yCenter });
    }
    out.push({ box: { xmin: xc - w / 2, ymin: yc - h / 2, xmax: xc + w / 2, ymax: yc + h / 2 }, score, classId, keypoints });
  }
  return out;
}

/** Ready boxes and scores (DetectTask layout 'boxes-scores'). */
export interface BoxesScoresOptions {
  /** How each box's 4 values are ordered. Default 'yxyx' (TF object detection, MediaPipe's default). */
  boxFormat?: 'yxyx' | 'xyxy' | 'cxcywh';
  /** Scores are logits: apply a sigmoid. */
  sigmoid?: boolean;
  scoreThreshold?: number;
  /** Boxes are in pixels of an input this size: divided by it to normalise. Default: already normalised. */
  inputSize?: { width: number; height: number };
}

/**
 * Decodes `boxes` [N,4] and `scores` [N] or [N,C] (flat data; N from the boxes) into detections: each box keeps its
 * best class; boxes under the score threshold, or with a negative or NaN size, are dropped.
 */
export function decodeBoxesScores(boxes: ArrayLike<number>, scores: ArrayLike<number>, options: BoxesScoresOptions = {}): Detection[] {
  if (boxes.length % 4) throw new Error(`boxes-scores decode: ${boxes.length} box values are not N×4`);
  const n = boxes.length / 4;
  if (!n) return [];
  if (scores.length % n) throw new Error(`boxes-scores decode: ${scores.length} scores do not divide into ${n} boxes`);
  const numClasses = scores.length / n;
  const sx = options.inputSize ? 1 / options.inputSize.width : 1;
  const sy = options.inputSize ? 1 / options.inputSize.height : 1;
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const { score, classId } = bestClass(scores, i, numClasses, options.sigmoid ?? false);
    if (options.scoreThreshold !== undefined && score < options.scoreThreshold) continue;
    const [a, b, c, d] = [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]];
    const box = options.boxFormat === 'xyxy' ? { xmin: a, ymin: b, xmax: c, ymax: d }
      : options.boxFormat === 'cxcywh' ? { xmin: a - c / 2, ymin: b - d / 2, xmax: a + c / 2, ymax: b + d / 2 }
        : { xmin: b, ymin: a, xmax: d, ymax: c };
    if (!(box.xmax - box.xmin >= 0) || !(box.ymax - box.ymin >= 0)) continue;
    out.push({ box: { xmin: box.xmin * sx, ymin: box.ymin * sy, xmax: box.xmax * sx, ymax: box.ymax * sy }, score, classId, keypoints: [] });
  }
  return out;
}
