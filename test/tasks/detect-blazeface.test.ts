// The real MediaPipe short-range face detector (lifted to ONNX, run by onnxruntime) on rendered faces: decode + weighted NMS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileFile } from '../../src/compile/compile.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor, RuntimeSession } from '../../src/runtimes/runtime.ts';
import { BLAZEFACE_SHORT_RANGE, ssdAnchors } from '../../src/tasks/detect/anchors.ts';
import { iou } from '../../src/tasks/detect/box.ts';
import { decodeSsd } from '../../src/tasks/detect/decode.ts';
import { BLAZEFACE_SHORT_RANGE_TASK, detectPostprocess } from '../../src/tasks/detect/postprocess.ts';
import { faceSceneSvg, faceTruth, svgToNhwc, type FaceSpec } from '../support/faces.ts';

const TFLITE = 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const SIZE = 256;
const BG = '#6a8caf';

describe('BlazeFace short range on rendered faces (decode + weighted NMS)', () => {
  let dir: string;
  let session: RuntimeSession;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ondevice-blazeface-'));
    await compileFile(TFLITE, join(dir, 'face.onnx'), { target: 'onnx' });
    session = await ortNodeRuntime.load(join(dir, 'face.onnx'));
  });
  after(async () => {
    await session?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(svg: string): Promise<Record<string, HostTensor>> {
    const data = await svgToNhwc(svg, 128);
    return session.run({ input: { dtype: 'float32', dims: [1, 128, 128, 3], data } });
  }

  const cases: FaceSpec[] = [
    { cx: 128, cy: 128, r: 60 },
    { cx: 128, cy: 128, r: 40 },
    { cx: 100, cy: 140, r: 50 },
    { cx: 150, cy: 110, r: 80 },
  ];
  for (const face of cases) {
    it(`finds one face at (${face.cx}, ${face.cy}) radius ${face.r}: box IoU ≥ 0.5 with the drawn face, eyes and mouth where drawn`, async () => {
      const found = detectPostprocess(BLAZEFACE_SHORT_RANGE_TASK, await run(faceSceneSvg([face], SIZE, BG)));
      assert.equal(found.length, 1, JSON.stringify(found.map((d) => d.box)));
      const [d] = found;
      const truth = faceTruth(face, SIZE);
      const overlap = iou(d.box, truth.box);
      assert.ok(overlap >= 0.5, `IoU ${overlap.toFixed(3)}: ${JSON.stringify(d.box)} vs ${JSON.stringify(truth.box)}`);
      assert.ok(d.score >= 0.5 && d.score <= 1);
      assert.equal(d.keypoints.length, 6);
      // BlazeFace keypoints: 0 = the subject's right eye (image left), 1 = left eye, 3 = mouth centre.
      const tol = 0.03;
      for (const [k, p] of [[0, truth.leftEye], [1, truth.rightEye], [3, truth.mouth]] as const) {
        const dist = Math.hypot(d.keypoints[k].x - p.x, d.keypoints[k].y - p.y);
        assert.ok(dist <= tol, `keypoint ${k} at ${JSON.stringify(d.keypoints[k])}, drawn at ${JSON.stringify(p)}`);
      }
    });
  }

  it('weighted NMS merges the overlapping anchors: the face box is their score-weighted mean, not the best anchor alone', async () => {
    const out = await run(faceSceneSvg([cases[0]], SIZE, BG));
    const raw = decodeSsd(out.regressors.data as Float32Array, out.classificators.data as Float32Array, ssdAnchors(BLAZEFACE_SHORT_RANGE),
      { scales: { x: 128, y: 128, w: 128, h: 128 }, keypoints: 6, sigmoid: true, scoreThreshold: 0.5 });
    assert.ok(raw.length >= 3, `${raw.length} anchors over 0.5`);
    const best = raw.reduce((a, b) => (b.score > a.score ? b : a));
    const group = raw.filter((d) => iou(d.box, best.box) > 0.3);
    const total = group.reduce((s, d) => s + d.score, 0);
    const [merged] = detectPostprocess(BLAZEFACE_SHORT_RANGE_TASK, out);
    assert.equal(merged.score, best.score);
    for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
      const mean = group.reduce((s, d) => s + d.box[k] * d.score, 0) / total;
      assert.ok(Math.abs(merged.box[k] - mean) < 1e-9, `${k}: ${merged.box[k]} vs ${mean}`);
    }
    assert.notDeepEqual(merged.box, best.box);
  });

  it('finds two faces side by side as two boxes, each on its own face', async () => {
    const faces: FaceSpec[] = [{ cx: 70, cy: 128, r: 45 }, { cx: 186, cy: 128, r: 45 }];
    const found = detectPostprocess(BLAZEFACE_SHORT_RANGE_TASK, await run(faceSceneSvg(faces, SIZE, BG)));
    assert.equal(found.length, 2);
    const left = found.find((d) => d.box.xmax < 0.5);
    const right = found.find((d) => d.box.xmin > 0.5);
    assert.ok(left && right, JSON.stringify(found.map((d) => d.box)));
    assert.ok(iou(left.box, faceTruth(faces[0], SIZE).box) >= 0.5);
    assert.ok(iou(right.box, faceTruth(faces[1], SIZE).box) >= 0.5);
  });

  it('finds nothing on blank and gradient images', async () => {
    const blanks = [BG, '#e0ac8a', '#ffffff', '#202020'].map((c) => faceSceneSvg([], SIZE, c));
    blanks.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><defs><linearGradient id="g">`
      + '<stop offset="0" stop-color="#e0ac8a"/><stop offset="1" stop-color="#3b2414"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>');
    for (const svg of blanks) assert.deepEqual(detectPostprocess(BLAZEFACE_SHORT_RANGE_TASK, await run(svg)), []);
  });

  it("decodes the best anchor's raw values as an independent closed-form computation does", async () => {
    const out = await run(faceSceneSvg([cases[2]], SIZE, BG));
    const reg = out.regressors.data as Float32Array;
    const cls = out.classificators.data as Float32Array;
    assert.deepEqual(out.regressors.dims, [1, 896, 16]);
    const best = cls.indexOf(Math.max(...cls));
    // Anchor `best` in closed form: 16×16 cells × 2 at stride 8, then 8×8 cells × 6 at stride 16, unit size.
    const [grid, cell] = best < 512 ? [16, Math.floor(best / 2)] : [8, Math.floor((best - 512) / 6)];
    const ax = ((cell % grid) + 0.5) / grid;
    const ay = (Math.floor(cell / grid) + 0.5) / grid;
    const r = reg.subarray(best * 16, best * 16 + 16);
    const cx = ax + r[0] / 128;
    const cy = ay + r[1] / 128;
    const all = decodeSsd(reg, cls, ssdAnchors(BLAZEFACE_SHORT_RANGE), { scales: { x: 128, y: 128, w: 128, h: 128 }, keypoints: 6, sigmoid: true });
    const d = all[best];
    const tol = 1e-6;
    assert.ok(Math.abs(d.box.xmin - (cx - r[2] / 256)) < tol && Math.abs(d.box.xmax - (cx + r[2] / 256)) < tol);
    assert.ok(Math.abs(d.box.ymin - (cy - r[3] / 256)) < tol && Math.abs(d.box.ymax - (cy + r[3] / 256)) < tol);
    assert.ok(Math.abs(d.keypoints[2].x - (ax + r[8] / 128)) < tol && Math.abs(d.keypoints[2].y - (ay + r[9] / 128)) < tol);
    assert.ok(Math.abs(d.score - 1 / (1 + Math.exp(-cls[best]))) < 1e-12);
  });
});
