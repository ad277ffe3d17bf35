// Detection mean average precision: PASCAL VOC (2010+) all-point interpolated AP per class at an IoU threshold, averaged.
import { iou, type Box, type Detection } from './box.ts';

/** A labelled object in one image. `difficult` ones (VOC) are neither required nor counted as false positives. */
export interface GroundTruth {
  box: Box;
  classId: number;
  difficult?: boolean;
}

/** One class's figures. */
export interface ClassAp {
  classId: number;
  /** Average precision (0 when nothing was found; NaN when the class has no ground truth). */
  ap: number;
  /** Ground-truth objects (not difficult), true and false positives among the predictions. */
  groundTruth: number;
  truePositives: number;
  falsePositives: number;
}

/** mAP and the per-class APs it averages. */
export interface MapResult {
  /** Mean of the APs of the classes that have ground truth (NaN when no image has any). */
  map: number;
  iouThreshold: number;
  classes: ClassAp[];
}

/**
 * Area under the precision/recall curve with all-point interpolation (VOC 2010+): precision made monotonically
 * non-increasing from the right, summed over the recall steps. `recall` ascending, both per ranked prediction.
 */
export function averagePrecision(recall: readonly number[], precision: readonly number[]): number {
  const r = [0, ...recall, 1];
  const p = [0, ...precision, 0];
  for (let i = p.length - 2; i >= 0; i--) p[i] = Math.max(p[i], p[i + 1]);
  let ap = 0;
  for (let i = 1; i < r.length; i++) if (r[i] !== r[i - 1]) ap += (r[i] - r[i - 1]) * p[i];
  return ap;
}

/**
 * mAP over a data set: `predictions[i]` and `groundTruth[i]` belong to image i. Per class, predictions from every
 * image are ranked by score; each is a true positive when its best-overlapping ground truth of that class in its image
 * has IoU ≥ `iouThreshold` (default 0.5, VOC's minoverlap) and was not matched before, else a false positive (matching a
 * difficult object counts as neither). Classes with ground truth are averaged; a class only predicted is reported with
 * AP NaN and left out of the mean.
 */
export function meanAveragePrecision(predictions: readonly (readonly Detection[])[], groundTruth: readonly (readonly GroundTruth[])[], iouThreshold = 0.5): MapResult {
  if (predictions.length !== groundTruth.length) throw new Error(`mAP: ${predictions.length} prediction lists for ${groundTruth.length} images`);
  const classIds = new Set<number>();
  for (const list of [...predictions, ...groundTruth]) for (const d of list) classIds.add(d.classId);
  const classes: ClassAp[] = [...classIds].sort((a, b) => a - b).map((classId) => classAp(classId, predictions, groundTruth, iouThreshold));
  const scored = classes.filter((c) => c.groundTruth > 0);
  const map = scored.length ? scored.reduce((s, c) => s + c.ap, 0) / scored.length : NaN;
  return { map, iouThreshold, classes };
}

function classAp(classId: number, predictions: readonly (readonly Detection[])[], groundTruth: readonly (readonly GroundTruth[])[], threshold: number): ClassAp {
  const gts = groundTruth.map((list) => list.filter((g) => g.classId === classId));
  const used = gts.map((list) => list.map(() => false));
  const total = gts.reduce((s, list) => s + list.filter((g) => !g.difficult).length, 0);
  const ranked = predictions.flatMap((list, image) => list.filter((d) => d.classId === classId).map((d) => ({ d, image })))
    .map((e, i) => ({ ...e, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const { d, image } of ranked) {
    let best = -1;
    let bestIou = -Infinity;
    gts[image].forEach((g, j) => {
      const o = iou(d.box, g.box);
      if (o > bestIou) {
        bestIou = o;
        best = j;
      }
    });
    if (best >= 0 && bestIou >= threshold) {
      if (gts[image][best].difficult) continue;
      if (!used[image][best]) {
        used[image][best] = true;
        tp++;
      } else fp++;
    } else fp++;
    recall.push(total ? tp / total : 0);
    precision.push(tp / (tp + fp));
  }
  return { classId, ap: total ? averagePrecision(recall, precision) : NaN, groundTruth: total, truePositives: tp, falsePositives: fp };
}
