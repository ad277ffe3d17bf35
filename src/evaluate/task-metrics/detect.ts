// Detection task metrics: each model's detections by the task's post-processing, mAP@0.5 against ground truth and against the reference.
import { relative } from 'node:path';
import type { DataSource } from '../../data/source.ts';
import type { Detection } from '../../tasks/detect/box.ts';
import { meanAveragePrecision, type ClassAp, type GroundTruth } from '../../tasks/detect/map.ts';
import { detectPostprocess } from '../../tasks/detect/postprocess.ts';
import type { DetectTask } from '../../tasks/task.ts';
import { imageKey } from './ground-truth.ts';
import { forEachExample, type TaskModel } from './models.ts';

/** One model's detection figures. */
export interface DetectModelMetrics {
  path: string;
  /** Detections kept after thresholding and NMS, over every image. */
  detections: number;
  /** mAP@0.5 against the ground-truth boxes (labelled images only), with its per-class APs. */
  map?: number;
  classes?: ClassAp[];
  /** Candidates: mAP@0.5 of this model's detections taking the reference's detections as ground truth (NaN when the reference found nothing). */
  agreement?: number;
}

/** Detection metrics of a reference and its candidates. */
export interface DetectMetrics {
  task: 'detect';
  images: number;
  /** Images with ground truth (listed in the boxes file). */
  labelledImages: number;
  iouThreshold: number;
  models: DetectModelMetrics[];
}

/** Inputs of {@link detectMetrics}. */
export interface DetectMetricsOptions {
  /** Ground-truth boxes by image path relative to `dataDir` (see `readBoxLabels`). */
  groundTruth?: ReadonlyMap<string, readonly GroundTruth[]>;
  /** The image folder the source reads (its `files` are keyed relative to it). */
  dataDir?: string;
  limit?: number;
  batchSize?: number;
}

/**
 * Runs every model (reference first) over `source` and post-processes each image with `detectPostprocess(task, …)` — the
 * code the app runs. Boxes are normalised to the model input, so ground truth matches when the recipe stretches the image
 * to the input (resize 'stretch'). With ground truth, mAP@0.5 per model over the labelled images; for each candidate,
 * mAP@0.5 against the reference's detections.
 */
export async function detectMetrics(task: DetectTask, models: readonly TaskModel[], source: DataSource & { files?: readonly string[] }, options: DetectMetricsOptions = {}): Promise<DetectMetrics> {
  const predictions: Detection[][][] = models.map(() => []);
  const images = await forEachExample(models, source, options, (outputs, index) => {
    outputs.forEach((o, m) => { predictions[m][index] = detectPostprocess(task, o); });
  });
  const truth: (readonly GroundTruth[])[] = [];
  const labelled: number[] = [];
  if (options.groundTruth && source.files) {
    for (let i = 0; i < images; i++) {
      const key = imageKey(options.dataDir ? relative(options.dataDir, source.files[i]) : source.files[i]);
      const gt = options.groundTruth.get(key);
      if (gt) {
        labelled.push(i);
        truth.push(gt);
      }
    }
  }
  const iouThreshold = 0.5;
  const asTruth = (ds: readonly Detection[]): GroundTruth[] => ds.map((d) => ({ box: d.box, classId: d.classId }));
  return {
    task: 'detect', images, labelledImages: labelled.length, iouThreshold,
    models: models.map((m, k) => {
      const mine = predictions[k];
      const out: DetectModelMetrics = { path: m.path, detections: mine.reduce((s, d) => s + d.length, 0) };
      if (labelled.length) {
        const r = meanAveragePrecision(labelled.map((i) => mine[i]), truth, iouThreshold);
        out.map = r.map;
        out.classes = r.classes;
      }
      if (k > 0) out.agreement = meanAveragePrecision(mine, predictions[0].map(asTruth), iouThreshold).map;
      return out;
    }),
  };
}
