// A detect task's whole post-processing: model outputs → decoded, thresholded, suppressed detections; BlazeFace as data.
import type { HostTensor } from '../../ir/host-tensor.ts';
import { TASK_DEFAULTS, type DetectTask } from '../task.ts';
import { BLAZEFACE_SHORT_RANGE, ssdAnchors, type Anchor } from './anchors.ts';
import type { Detection } from './box.ts';
import { decodeBoxesScores, decodeSsd } from './decode.ts';
import { nonMaxSuppression } from './nms.ts';

/**
 * MediaPipe's short-range face detector as a task (face_detection.pbtxt: 896 anchors, scales 128, 6 keypoints, sigmoid
 * scores clipped at ±100, min score 0.5, weighted NMS at IoU 0.3). Outputs of the .tflite and of its ONNX lift.
 */
export const BLAZEFACE_SHORT_RANGE_TASK: Readonly<DetectTask> = Object.freeze({
  task: 'detect',
  layout: 'ssd-anchors',
  boxes: 'regressors',
  scores: 'classificators',
  anchors: BLAZEFACE_SHORT_RANGE,
  scales: { x: 128, y: 128, w: 128, h: 128 },
  keypoints: 6,
  sigmoid: true,
  scoreThreshold: 0.5,
  iouThreshold: 0.3,
});

/** Overrides beyond the task file. */
export interface DetectPostprocessOptions {
  /** Default: 'weighted' for 'ssd-anchors' (MediaPipe's face detection), 'hard' for 'boxes-scores'. */
  nms?: 'hard' | 'weighted';
  /** Anchors already generated from `task.anchors` (the app generates them once, not per frame). */
  anchors?: readonly Anchor[];
}

const anchorCache = new WeakMap<object, Anchor[]>();

function values(outputs: Readonly<Record<string, Pick<HostTensor, 'data'>>>, name: string): ArrayLike<number> {
  const t = outputs[name];
  if (!t) throw new Error(`detect: the model has no output '${name}' (it has ${Object.keys(outputs).join(', ') || 'none'})`);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) throw new Error(`detect: output '${name}' holds 64-bit integers, not scores or boxes`);
  return t.data;
}

/**
 * Runs a detect task's post-processing on the model's outputs (by name): decoding ('ssd-anchors': raw heads against
 * MediaPipe anchors, sigmoid by default; 'boxes-scores': ready boxes), the score threshold (default 0.5), then NMS at
 * `iouThreshold` (default 0.3, as `parseTask` fills it) keeping at most `maxDetections`. Boxes are normalised to the model input, best first.
 */
export function detectPostprocess(task: DetectTask, outputs: Readonly<Record<string, Pick<HostTensor, 'data'>>>, options: DetectPostprocessOptions = {}): Detection[] {
  const boxes = values(outputs, task.boxes);
  const scores = values(outputs, task.scores);
  const scoreThreshold = task.scoreThreshold ?? TASK_DEFAULTS.detect.scoreThreshold;
  let decoded: Detection[];
  if (task.layout === 'ssd-anchors') {
    const spec = task.anchors;
    if (!options.anchors && !spec) throw new Error("detect: layout 'ssd-anchors' needs the anchors' options");
    let anchors = options.anchors ?? (spec && anchorCache.get(spec));
    if (!anchors && spec) {
      const generated = ssdAnchors(spec);
      anchorCache.set(spec, generated);
      anchors = generated;
    }
    const scales = task.scales ?? (spec ? { x: spec.inputSizeWidth, y: spec.inputSizeHeight, w: spec.inputSizeWidth, h: spec.inputSizeHeight } : undefined);
    if (!scales) throw new Error("detect: layout 'ssd-anchors' needs the decoding scales");
    decoded = decodeSsd(boxes, scores, anchors!, { scales, keypoints: task.keypoints ?? 0, sigmoid: task.sigmoid ?? true, scoreClip: 100, scoreThreshold });
  } else {
    decoded = decodeBoxesScores(boxes, scores, { boxFormat: task.boxFormat ?? 'yxyx', sigmoid: task.sigmoid ?? false, scoreThreshold });
  }
  return nonMaxSuppression(decoded, {
    iouThreshold: task.iouThreshold ?? TASK_DEFAULTS.detect.iouThreshold,
    algorithm: options.nms ?? (task.layout === 'ssd-anchors' ? 'weighted' : 'hard'),
    maxDetections: task.maxDetections,
    perClass: true,
  });
}
