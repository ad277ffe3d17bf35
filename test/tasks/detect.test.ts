// Detection post-processing: MediaPipe SSD anchors (against MediaPipe's golden files), decoding, NMS and mAP on hand-checkable geometry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SsdAnchorOptions } from '../../src/tasks/task.ts';
import { BLAZEFACE_SHORT_RANGE, ssdAnchors, type Anchor } from '../../src/tasks/detect/anchors.ts';
import { iou, type Detection } from '../../src/tasks/detect/box.ts';
import { decodeBoxesScores, decodeSsd, sigmoid } from '../../src/tasks/detect/decode.ts';
import { averagePrecision, meanAveragePrecision, type GroundTruth } from '../../src/tasks/detect/map.ts';
import { nonMaxSuppression } from '../../src/tasks/detect/nms.ts';
import { detectPostprocess } from '../../src/tasks/detect/postprocess.ts';

/** MediaPipe's anchor golden files (calculators/tflite/testdata, commit 85c0cdc): "x_center y_center w h" per line. */
function golden(n: number): Anchor[] {
  const text = readFileSync(fileURLToPath(new URL(`../support/mediapipe-anchors/anchor_golden_file_${n}.txt`, import.meta.url)), 'utf8');
  return text.trim().split('\n').map((line) => {
    const [xCenter, yCenter, w, h] = line.trim().split(/\s+/).map(Number);
    return { xCenter, yCenter, w, h };
  });
}

function assertAnchorsNear(actual: Anchor[], expected: Anchor[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    for (const k of ['xCenter', 'yCenter', 'w', 'h'] as const) {
      assert.ok(Math.abs(a[k] - expected[i][k]) <= tol, `anchor ${i} ${k}: ${a[k]} vs ${expected[i][k]}`);
    }
  });
}

const det = (xmin: number, ymin: number, xmax: number, ymax: number, score: number, classId = 0, keypoints: { x: number; y: number }[] = []): Detection =>
  ({ box: { xmin, ymin, xmax, ymax }, score, classId, keypoints });
const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('SSD anchors (MediaPipe SsdAnchorsCalculator)', () => {
  it('BlazeFace short range: 896 anchors, 16×16×2 at stride 8 then 8×8×6 at stride 16, unit size', () => {
    const anchors = ssdAnchors(BLAZEFACE_SHORT_RANGE);
    assert.equal(anchors.length, 896);
    // Closed form: layer 0 has 2 anchors per cell of a 16×16 grid; the three stride-16 layers merge into 6 per cell of 8×8.
    anchors.forEach((a, i) => {
      const [grid, cell] = i < 512 ? [16, Math.floor(i / 2)] : [8, Math.floor((i - 512) / 6)];
      const x = cell % grid;
      const y = Math.floor(cell / grid);
      near(a.xCenter, (x + 0.5) / grid, 1e-7);
      near(a.yCenter, (y + 0.5) / grid, 1e-7);
      assert.equal(a.w, 1);
      assert.equal(a.h, 1);
    });
    near(anchors[0].xCenter, 0.03125, 0);
    near(anchors[895].xCenter, 0.9375, 0);
  });

  it("matches MediaPipe's FaceDetectionConfig golden file (256×256, strides 8/16/32/32/32, fixed size)", () => {
    const options: SsdAnchorOptions = {
      numLayers: 5, minScale: 0.1171875, maxScale: 0.75, inputSizeHeight: 256, inputSizeWidth: 256, anchorOffsetX: 0.5,
      anchorOffsetY: 0.5, strides: [8, 16, 32, 32, 32], aspectRatios: [1.0], fixedAnchorSize: true,
    };
    assertAnchorsNear(ssdAnchors(options), golden(0), 1e-5);
  });

  it("matches MediaPipe's MobileSSDConfig golden file (300×300, 6 layers, 5 aspect ratios, reduced lowest layer, sized anchors)", () => {
    const options: SsdAnchorOptions = {
      numLayers: 6, minScale: 0.2, maxScale: 0.95, inputSizeHeight: 300, inputSizeWidth: 300, anchorOffsetX: 0.5,
      anchorOffsetY: 0.5, strides: [16, 32, 64, 128, 256, 512], aspectRatios: [1.0, 2.0, 0.5, 3.0, 0.3333], reduceBoxesInLowestLayer: true,
    };
    const anchors = ssdAnchors(options);
    assertAnchorsNear(anchors, golden(1), 1e-5);
    // By hand: the lowest layer's 2nd anchor has scale 0.2 and aspect 2 → w = 0.2·√2, h = 0.2/√2, at the first cell of a 19×19 grid.
    near(anchors[1].w, 0.2 * Math.SQRT2, 1e-6);
    near(anchors[1].h, 0.2 / Math.SQRT2, 1e-6);
    near(anchors[1].xCenter, 0.5 / 19, 1e-7);
  });

  it('non-square input: the grid follows each side (ceil of side / stride), centres on each axis by its own count', () => {
    const anchors = ssdAnchors({ ...BLAZEFACE_SHORT_RANGE, inputSizeHeight: 100, inputSizeWidth: 256, numLayers: 1, strides: [16] });
    // 7 rows (ceil 100/16) × 16 columns × 2 anchors (aspect 1 + interpolated).
    assert.equal(anchors.length, 7 * 16 * 2);
    const a = anchors[(2 * 16 + 5) * 2 + 1];
    near(a.xCenter, 5.5 / 16, 1e-7);
    near(a.yCenter, 2.5 / 7, 1e-7);
  });

  it('refuses strides that do not match the layer count', () => {
    assert.throws(() => ssdAnchors({ ...BLAZEFACE_SHORT_RANGE, numLayers: 3 }), /4 strides for 3 layers/);
  });
});

describe('decoding', () => {
  const anchor: Anchor = { xCenter: 0.5, yCenter: 0.5, w: 1, h: 1 };
  const scales = { x: 128, y: 128, w: 128, h: 128 };

  it('SSD regressors against an anchor (xywh, MediaPipe reverse_output_order): centre offset and size over the scale, keypoints', () => {
    // x +12.8 → centre x 0.6, y −6.4 → 0.45, w 64 → 0.5, h 32 → 0.25; keypoint (25.6, 0) → (0.7, 0.5).
    const [d] = decodeSsd([12.8, -6.4, 64, 32, 25.6, 0], [0], [anchor], { scales, keypoints: 1, sigmoid: true });
    near(d.box.xmin, 0.35);
    near(d.box.xmax, 0.85);
    near(d.box.ymin, 0.325);
    near(d.box.ymax, 0.575);
    near(d.keypoints[0].x, 0.7);
    near(d.keypoints[0].y, 0.5);
    assert.equal(d.score, 0.5);
  });

  it('yxhw order reads y first; log-encoded sizes are exponentiated; anchor size scales the offsets', () => {
    const small: Anchor = { xCenter: 0.25, yCenter: 0.75, w: 0.5, h: 0.2 };
    const [d] = decodeSsd([12.8, -6.4, 0, 0], [3], [small], { scales, order: 'yxhw', exponentialSize: true });
    // y centre 0.75 + 0.1·0.2 = 0.77, x centre 0.25 − 0.05·0.5 = 0.225; sizes exp(0)·anchor = 0.2 high, 0.5 wide.
    near(d.box.ymin, 0.77 - 0.1);
    near(d.box.ymax, 0.77 + 0.1);
    near(d.box.xmin, 0.225 - 0.25);
    near(d.box.xmax, 0.225 + 0.25);
    assert.equal(d.score, 3);
  });

  it('keeps the best class, applies the sigmoid with clipping and the score threshold, drops negative sizes', () => {
    const anchors = [anchor, anchor, anchor];
    const regressors = [0, 0, 10, 10, 0, 0, 10, 10, 0, 0, -10, 10];
    const logits = [-1, 2, /* box 1 */ -3, -2, /* box 2 (negative width) */ 5, 5];
    const ds = decodeSsd(regressors, logits, anchors, { scales, sigmoid: true, scoreThreshold: 0.5 });
    assert.equal(ds.length, 1);
    assert.equal(ds[0].classId, 1);
    near(ds[0].score, 1 / (1 + Math.exp(-2)));
    assert.equal(sigmoid(1000, 100), 1 / (1 + Math.exp(-100)));
    assert.equal(sigmoid(-1000, 100), 1 / (1 + Math.exp(100)));
  });

  it('boxes + scores in yxyx, xyxy, cxcywh and pixels', () => {
    const yxyx = decodeBoxesScores([0.1, 0.2, 0.3, 0.4], [0.9]);
    assert.deepEqual(yxyx[0].box, { xmin: 0.2, ymin: 0.1, xmax: 0.4, ymax: 0.3 });
    const xyxy = decodeBoxesScores([0.1, 0.2, 0.3, 0.4], [0.9], { boxFormat: 'xyxy' });
    assert.deepEqual(xyxy[0].box, { xmin: 0.1, ymin: 0.2, xmax: 0.3, ymax: 0.4 });
    const c = decodeBoxesScores([50, 100, 20, 40], [0.9], { boxFormat: 'cxcywh', inputSize: { width: 100, height: 200 } });
    assert.deepEqual(c[0].box, { xmin: 0.4, ymin: 0.4, xmax: 0.6, ymax: 0.6 });
  });

  it('boxes + scores [N,C]: best class per box, threshold, inverted boxes dropped', () => {
    const ds = decodeBoxesScores([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0], [0.1, 0.7, 0.2, 0.3, 0.1, 0.1, 0.9, 0.9, 0.9], { scoreThreshold: 0.5 });
    assert.equal(ds.length, 1);
    assert.equal(ds[0].classId, 1);
    assert.equal(ds[0].score, 0.7);
  });
});

describe('a detect task end to end (boxes-scores)', () => {
  const f32 = (v: number[]) => ({ data: Float32Array.from(v) });
  it('decodes by the task, thresholds, suppresses per class (hard), caps the count', () => {
    // Boxes (yxyx): two overlapping class-0 boxes, one class-1 box on the same spot, one below the threshold.
    const outputs = {
      boxes: f32([0, 0.1, 0.5, 0.6, 0, 0.1, 0.5, 0.55, 0, 0.1, 0.5, 0.6, 0.6, 0.6, 0.9, 0.9]),
      scores: f32([0.9, 0.1, 0.8, 0.1, 0.2, 0.7, 0.3, 0.2]),
    };
    const task = { task: 'detect', layout: 'boxes-scores', boxes: 'boxes', scores: 'scores', scoreThreshold: 0.5, iouThreshold: 0.5 } as const;
    const found = detectPostprocess(task, outputs);
    assert.deepEqual(found.map((d) => [d.classId, Math.fround(d.score)]), [[0, Math.fround(0.9)], [1, Math.fround(0.7)]]);
    assert.deepEqual(found[0].box, { xmin: Math.fround(0.1), ymin: 0, xmax: Math.fround(0.6), ymax: 0.5 });
    assert.equal(detectPostprocess({ ...task, maxDetections: 1 }, outputs).length, 1);
    assert.throws(() => detectPostprocess({ ...task, scores: 'nope' }, outputs), /no output 'nope'/);
  });
});

describe('NMS', () => {
  it('IoU of hand-placed boxes', () => {
    near(iou({ xmin: 0, ymin: 0, xmax: 2, ymax: 1 }, { xmin: 1, ymin: 0, xmax: 3, ymax: 1 }), 1 / 3);
    assert.equal(iou({ xmin: 0, ymin: 0, xmax: 1, ymax: 1 }, { xmin: 1, ymin: 0, xmax: 2, ymax: 1 }), 0);
    assert.equal(iou({ xmin: 0, ymin: 0, xmax: 1, ymax: 1 }, { xmin: 0, ymin: 0, xmax: 1, ymax: 1 }), 1);
  });

  it('hard: the better of two overlapping boxes survives, a distant one too; best first', () => {
    const a = det(0, 0, 1, 1, 0.6);
    const b = det(0, 0, 1, 0.8, 0.9); // IoU 0.8 with a
    const c = det(2, 2, 3, 3, 0.7);
    assert.deepEqual(nonMaxSuppression([a, b, c], { iouThreshold: 0.5 }), [b, c]);
    assert.deepEqual(nonMaxSuppression([a, b, c], { iouThreshold: 0.85 }), [b, c, a]);
    assert.deepEqual(nonMaxSuppression([a, b, c], { iouThreshold: 0.85, maxDetections: 2 }), [b, c]);
  });

  it('hard: suppresses only ABOVE the threshold (IoU 1/3 at threshold 1/3 is kept)', () => {
    const a = det(0, 0, 2, 1, 0.9);
    const b = det(1, 0, 3, 1, 0.8);
    assert.equal(nonMaxSuppression([a, b], { iouThreshold: 1 / 3 }).length, 2);
    assert.equal(nonMaxSuppression([a, b], { iouThreshold: 0.3 }).length, 1);
  });

  it('weighted (MediaPipe): the group becomes its score-weighted mean box and keypoints with the best score', () => {
    const a = det(0, 0, 1, 1, 0.75, 0, [{ x: 0, y: 0 }]);
    const b = det(0.1, 0, 1.1, 1, 0.25, 0, [{ x: 1, y: 1 }]); // IoU 0.9/1.1 with a
    const far = det(5, 5, 6, 6, 0.5, 0, [{ x: 5, y: 5 }]);
    const [m, f] = nonMaxSuppression([b, far, a], { iouThreshold: 0.3, algorithm: 'weighted' });
    near(m.box.xmin, 0.025);
    near(m.box.xmax, 1.025);
    near(m.box.ymin, 0);
    near(m.box.ymax, 1);
    assert.equal(m.score, 0.75);
    near(m.keypoints[0].x, 0.25);
    near(m.keypoints[0].y, 0.25);
    assert.deepEqual(f, far);
  });

  it('per class: overlapping boxes of different classes both survive; across classes the best is kept', () => {
    const a = det(0, 0, 1, 1, 0.9, 0);
    const b = det(0, 0, 1, 1, 0.8, 1);
    const a2 = det(0, 0, 1, 0.9, 0.7, 0);
    assert.deepEqual(nonMaxSuppression([a, b, a2], { iouThreshold: 0.5, perClass: true }), [a, b]);
    assert.deepEqual(nonMaxSuppression([a, b, a2], { iouThreshold: 0.5 }), [a]);
    assert.deepEqual(nonMaxSuppression([a, b, a2], { iouThreshold: 0.5, perClass: true, maxDetections: 1 }), [a]);
  });
});

describe('mAP@0.5 (VOC all-point interpolation)', () => {
  const gt = (xmin: number, ymin: number, xmax: number, ymax: number, classId = 0, difficult = false): GroundTruth =>
    ({ box: { xmin, ymin, xmax, ymax }, classId, difficult });

  it('all-point interpolated AP of a hand-made precision/recall curve', () => {
    // Interpolated precision 1 up to recall 0.4, then 0.75 up to 0.6: 0.4·1 + 0.2·0.75.
    near(averagePrecision([0.2, 0.4, 0.4, 0.6], [1, 1, 2 / 3, 0.75]), 0.55);
    // FP, TP, TP over 2 objects: the precision 1/2 at recall 1/2 is lifted to the later 2/3 → AP 2/3 (not 1/2·1/2 + 1/2·2/3).
    near(averagePrecision([0, 0.5, 1], [0, 0.5, 2 / 3]), 2 / 3);
  });

  it('perfect predictions score 1', () => {
    const truth = [[gt(0, 0, 0.5, 0.5, 0), gt(0.5, 0.5, 1, 1, 1)], [gt(0.2, 0.2, 0.4, 0.6, 1)]];
    const preds = truth.map((list) => list.map((g, i) => det(g.box.xmin, g.box.ymin, g.box.xmax, g.box.ymax, 0.9 - 0.1 * i, g.classId)));
    const r = meanAveragePrecision(preds, truth);
    assert.equal(r.map, 1);
    assert.deepEqual(r.classes.map((c) => [c.classId, c.ap, c.groundTruth, c.truePositives]), [[0, 1, 1, 1], [1, 1, 2, 2]]);
  });

  it('a box shifted to IoU 1/3 scores 0; at IoU exactly 0.5 it still counts', () => {
    const truth = [[gt(0, 0, 1, 1)]];
    assert.equal(meanAveragePrecision([[det(0.5, 0, 1.5, 1, 0.9)]], truth).map, 0);
    assert.equal(meanAveragePrecision([[det(0, 0, 1, 0.5, 0.9)]], truth).map, 1);
    assert.equal(meanAveragePrecision([[det(0, 0, 1, 0.5, 0.9)]], truth, 0.75).map, 0);
  });

  it('a mixed case: a false positive between hits, a duplicate, a missed class, a class only predicted', () => {
    const truth = [
      [gt(0, 0, 1, 1, 0), gt(2, 2, 3, 3, 1), gt(5, 5, 6, 6, 3)],
      [gt(0, 0, 1, 1, 0)],
    ];
    const preds = [
      [det(0, 0, 1, 1, 0.9, 0), det(4, 4, 5, 5, 0.8, 0), det(2, 2, 3, 3, 0.6, 1), det(2, 2, 3, 2.9, 0.5, 1), det(8, 8, 9, 9, 0.4, 2)],
      [det(0.05, 0, 1, 1, 0.7, 0)],
    ];
    const r = meanAveragePrecision(preds, truth);
    // Class 0 ranks TP, FP, TP: recall 0.5, 0.5, 1 at precision 1, 0.5, 2/3 → AP 0.5 + 0.5·2/3 = 5/6.
    // Class 1: TP then a duplicate (FP) → AP 1. Class 3 never predicted → 0. Class 2 has no ground truth → left out.
    const ap = Object.fromEntries(r.classes.map((c) => [c.classId, c.ap]));
    near(ap[0], 5 / 6);
    assert.equal(ap[1], 1);
    assert.ok(Number.isNaN(ap[2]));
    assert.equal(ap[3], 0);
    near(r.map, (5 / 6 + 1 + 0) / 3);
    assert.deepEqual(r.classes.find((c) => c.classId === 1), { classId: 1, ap: 1, groundTruth: 1, truePositives: 1, falsePositives: 1 });
  });

  it('a prediction on a difficult object is neither a hit nor a false positive', () => {
    const truth = [[gt(0, 0, 1, 1), gt(2, 2, 3, 3, 0, true)]];
    const r = meanAveragePrecision([[det(2, 2, 3, 3, 0.95), det(0, 0, 1, 1, 0.9)]], truth);
    assert.equal(r.map, 1);
    assert.equal(r.classes[0].falsePositives, 0);
    assert.equal(r.classes[0].groundTruth, 1);
  });
});
