// The real MediaPipe selfie segmenter (lifted to ONNX, run by onnxruntime) on rendered people: mask IoU, blank frames, effects.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { compileFile } from '../../src/compile/compile.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { RuntimeSession } from '../../src/runtimes/runtime.ts';
import { applyEffect, maskIoU, segmentPostprocess, thresholdMask } from '../../src/tasks/segment/index.ts';
import { defaultTask } from '../../src/tasks/parse.ts';
import type { SegmentTask } from '../../src/tasks/task.ts';
import { rgba, sceneSvg, type PersonSpec } from '../support/people.ts';

const TFLITE = 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite';
const SIDE = 256;

describe('MediaPipe selfie segmenter on rendered people (mask → frame size → IoU with the drawn silhouette)', () => {
  let dir: string;
  let session: RuntimeSession;
  let task: SegmentTask;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ondevice-selfie-'));
    await compileFile(TFLITE, join(dir, 'selfie.onnx'), { target: 'onnx' });
    session = await ortNodeRuntime.load(join(dir, 'selfie.onnx'));
    const t = defaultTask(session.inputs[0].shape as number[], Object.fromEntries(session.outputs.map((o) => [o.name, o.shape as number[]])));
    assert.equal(t.task, 'segment');
    task = t as SegmentTask;
  });
  after(async () => {
    await session?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The frame stretched to 256×256 NHWC in [0, 1] (the model's input), run, and the mask brought back to the frame's size. */
  async function segment(svg: string, width: number, height: number) {
    const { data } = await sharp(Buffer.from(svg)).resize(SIDE, SIDE, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const x = new Float32Array(SIDE * SIDE * 3);
    for (let i = 0; i < x.length; i++) x[i] = data[i] / 255;
    const outputs = await session.run({ [session.inputs[0].name]: { dtype: 'float32', dims: [1, SIDE, SIDE, 3], data: x } });
    return segmentPostprocess(task, outputs, width, height);
  }

  async function truth(width: number, height: number, people: PersonSpec[]): Promise<Float32Array> {
    const img = await rgba(sceneSvg(width, height, '', people, true));
    const t = new Float32Array(width * height);
    for (let p = 0; p < t.length; p++) t[p] = img.data[p * 4] / 255;
    return t;
  }

  const cases: { name: string; width: number; height: number; background: string; person: PersonSpec }[] = [
    { name: 'centred, grey-green wall, 320×240', width: 320, height: 240, background: '#9aa89a', person: { cx: 160, cy: 85, r: 47 } },
    { name: 'smaller, light wall, 256×256', width: 256, height: 256, background: '#d8d8d0', person: { cx: 128, cy: 100, r: 40 } },
    { name: 'off-centre, striped wall, 320×240', width: 320, height: 240, background: 'stripes', person: { cx: 190, cy: 90, r: 45 } },
  ];
  for (const c of cases) {
    it(`person ${c.name}: thresholded mask IoU with the silhouette ≥ 0.95`, async () => {
      const mask = await segment(sceneSvg(c.width, c.height, c.background, [c.person]), c.width, c.height);
      const iou = maskIoU(mask.data, await truth(c.width, c.height, [c.person]), 0.5);
      console.log(`# ${c.name}: IoU ${iou.toFixed(3)}`);
      assert.ok(iou >= 0.95, `IoU ${iou.toFixed(3)}`);
    });
  }

  it('a blank wall gives a near-empty mask (< 1% of pixels ≥ 0.5), plain and striped', async () => {
    for (const bg of ['#9aa89a', '#5a7a9a', 'stripes']) {
      const mask = thresholdMask(await segment(sceneSvg(320, 240, bg, []), 320, 240));
      const on = mask.data.reduce((s, v) => s + v, 0) / mask.data.length;
      console.log(`# blank ${bg}: ${(100 * on).toFixed(3)}% foreground`);
      assert.ok(on < 0.01, `${bg}: ${(100 * on).toFixed(2)}% foreground`);
    }
  });

  it('effects on the real mask: replace puts the colour where the mask is 0 and keeps the person where it is 1', async () => {
    const person = { cx: 160, cy: 85, r: 47 };
    const svg = sceneSvg(320, 240, 'stripes', [person]);
    const frame = await rgba(svg);
    const hard = thresholdMask(await segment(svg, 320, 240));
    const out = applyEffect({ task: 'segment', effect: 'replace' }, frame, hard, { background: [0, 177, 64] });
    const inTruth = await truth(320, 240, [person]);
    let keptPerson = 0, greenBackground = 0, personPx = 0, backgroundPx = 0;
    for (let p = 0; p < hard.data.length; p++) {
      const i = p * 4;
      const green = out.data[i] === 0 && out.data[i + 1] === 177 && out.data[i + 2] === 64;
      if (inTruth[p] >= 0.5) { personPx++; if (out.data[i] === frame.data[i] && out.data[i + 1] === frame.data[i + 1] && out.data[i + 2] === frame.data[i + 2]) keptPerson++; }
      else { backgroundPx++; if (green) greenBackground++; }
    }
    console.log(`# replace: ${(100 * keptPerson / personPx).toFixed(1)}% of the person kept, ${(100 * greenBackground / backgroundPx).toFixed(1)}% of the wall green`);
    assert.ok(keptPerson / personPx > 0.9 && greenBackground / backgroundPx > 0.9);
  });
});
