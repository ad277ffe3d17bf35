// Segmentation task metrics: each candidate's mask (the task's post-processing) against the reference model's, IoU mean and worst.
import { basename } from 'node:path';
import type { DataSource } from '../../data/source.ts';
import { maskGeometry, maskIoU } from '../../tasks/segment/mask.ts';
import { segmentPostprocess } from '../../tasks/segment/postprocess.ts';
import type { SegmentTask } from '../../tasks/task.ts';
import { forEachExample, type ExampleOutputs, type TaskModel } from './models.ts';

/** One candidate's mask agreement with the reference. */
export interface SegmentModelMetrics {
  path: string;
  /** Candidates: mean and worst IoU of the thresholded masks against the reference's, and the example of the worst. */
  meanIoU?: number;
  worstIoU?: number;
  worstExample?: string;
  /** Mean fraction of pixels at or above the threshold (foreground), for context. */
  foreground: number;
}

/** Segmentation metrics of a reference and its candidates. */
export interface SegmentMetrics {
  task: 'segment';
  images: number;
  threshold: number;
  models: SegmentModelMetrics[];
}

/**
 * Runs every model over `source`, turns each output into the foreground probability with `segmentPostprocess(task, …)`
 * (the app's code) at the mask's own size, thresholds at `task.threshold` (default 0.5) and compares each candidate's
 * mask with the reference's: mean and worst IoU over the images.
 */
export async function segmentMetrics(task: SegmentTask, models: readonly TaskModel[], source: DataSource & { files?: readonly string[] }, options: { limit?: number; batchSize?: number } = {}): Promise<SegmentMetrics> {
  const threshold = task.threshold ?? 0.5;
  const sums = models.map(() => ({ iou: 0, worst: Infinity, worstAt: -1, foreground: 0 }));
  const mask = (o: ExampleOutputs) => {
    const name = task.output ?? Object.keys(o)[0];
    const g = o[name] ? maskGeometry(o[name].dims) : { width: 1, height: 1 };
    return segmentPostprocess(task, o, g.width, g.height).data;
  };
  const images = await forEachExample(models, source, options, (outputs, index) => {
    const masks = outputs.map(mask);
    masks.forEach((m, k) => {
      const s = sums[k];
      let on = 0;
      for (let i = 0; i < m.length; i++) if (m[i] >= threshold) on++;
      s.foreground += on / m.length;
      if (k === 0) return;
      const iou = maskIoU(masks[0], m, threshold);
      s.iou += iou;
      if (iou < s.worst) {
        s.worst = iou;
        s.worstAt = index;
      }
    });
  });
  return {
    task: 'segment', images, threshold,
    models: models.map((m, k) => {
      const s = sums[k];
      const out: SegmentModelMetrics = { path: m.path, foreground: images ? s.foreground / images : 0 };
      if (k > 0 && images) {
        out.meanIoU = s.iou / images;
        out.worstIoU = s.worst;
        out.worstExample = source.files?.[s.worstAt] !== undefined ? basename(source.files[s.worstAt]) : `#${s.worstAt}`;
      }
      return out;
    }),
  };
}
