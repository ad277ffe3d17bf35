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
import { applyEffect, maskIoU, segmentPostprocess, thresholdMask, type RgbaImage } from '../../src/tasks/segment/index.ts';
import { defaultTask } from '../../src/tasks/parse.ts';
import type { SegmentTask } from '../../src/tasks/task.ts';

const TFLITE = 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite';
const SIDE = 256;

/** A person facing the camera: hair, face with eyes, brows, nose and mouth, neck, shoulders and torso to the bottom edge. */
interface PersonSpec { cx: number; cy: number; r: number }

function personSvg({ cx, cy, r }: PersonSpec, height: number, silhouette: boolean): string {
  const f = (c: string) => (silhouette ? 'white' : c);
  const rx = r * 0.78, eyeY = cy - r * 0.15, neckTop = cy + r * 0.7, sh = cy + r * 1.5;
  const features = silhouette ? '' : [-1, 1].map((s) => `<ellipse cx="${cx + s * rx * 0.4}" cy="${eyeY}" rx="${rx * 0.17}" ry="${r * 0.08}" fill="white"/>`
    + `<circle cx="${cx + s * rx * 0.4}" cy="${eyeY}" r="${r * 0.06}" fill="#2a1a10"/>`
    + `<rect x="${cx + s * rx * 0.4 - rx * 0.2}" y="${cy - r * 0.33}" width="${rx * 0.4}" height="${r * 0.05}" fill="#4a2e1c"/>`).join('')
    + `<path d="M ${cx} ${cy - r * 0.1} L ${cx - rx * 0.12} ${cy + r * 0.22} L ${cx + rx * 0.12} ${cy + r * 0.22} Z" fill="#c98d6e"/>`
    + `<ellipse cx="${cx}" cy="${cy + r * 0.5}" rx="${rx * 0.35}" ry="${r * 0.08}" fill="#a0453c"/>`;
  return `<rect x="${cx - r * 0.3}" y="${neckTop}" width="${r * 0.6}" height="${r * 0.9}" fill="${f('#d49c7a')}"/>`
    + `<path d="M ${cx - r * 2.2} ${height} L ${cx - r * 2.0} ${sh + r * 0.5} Q ${cx - r * 1.8} ${sh} ${cx - r * 0.6} ${sh - r * 0.1} L ${cx + r * 0.6} ${sh - r * 0.1} Q ${cx + r * 1.8} ${sh} ${cx + r * 2.0} ${sh + r * 0.5} L ${cx + r * 2.2} ${height} Z" fill="${f('#2f5d8a')}"/>`
    + `<ellipse cx="${cx}" cy="${cy - r * 0.55}" rx="${rx * 1.08}" ry="${r * 0.6}" fill="${f('#3b2414')}"/>`
    + `<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${r}" fill="${f('#e0ac8a')}"/>` + features;
}

/** Background: a plain colour, or vertical stripes of two colours (a textured wall). */
function sceneSvg(width: number, height: number, background: string, people: PersonSpec[], silhouette = false): string {
  const bg = silhouette ? '<rect width="100%" height="100%" fill="black"/>'
    : background === 'stripes'
      ? `<rect width="100%" height="100%" fill="#c8c0a8"/>${Array.from({ length: Math.ceil(width / 24) }, (_, i) => `<rect x="${i * 24}" y="0" width="10" height="${height}" fill="#a89878"/>`).join('')}`
      : `<rect width="100%" height="100%" fill="${background}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${bg}${people.map((p) => personSvg(p, height, silhouette)).join('')}</svg>`;
}

async function rgba(svg: string): Promise<RgbaImage> {
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}

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
