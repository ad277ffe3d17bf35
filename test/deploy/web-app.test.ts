// The deployed default site in headless Chromium: fake camera fed real MNIST digits, the drawing pad, offline reload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { loadMnist } from '../../src/data/mnist.ts';
import { deployWeb } from '../../src/deploy/web.ts';
import { serveStatic, type RunningServer } from '../../src/deploy/serve.ts';
import { launchChromium, recordingContext } from './browser.ts';
import { paperDigit } from './paper-digit.ts';
import { writeY4m } from './y4m.ts';

const W = 320, H = 240, FPS = 20, FRAMES_PER_DIGIT = 12;
/** The first test image of each digit 0–9 (indices into the MNIST test set). */
const mnist = loadMnist('test', { limit: 100 });
const FIRST = [...Array(10).keys()].map((d) => mnist.labels.indexOf(d));
const image = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

let work: string;
let site: string;
let server: RunningServer;
let browser: Browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-web-'));
  site = join(work, 'site');
  await deployWeb({ out: site });
  // 0.6 s of each digit, 0 to 9, as dark ink on unevenly lit paper filling the middle of the frame.
  const frames = function* () {
    for (const i of FIRST) {
      const frame = paperDigit(image(i), { width: W, height: H, zoom: 5 });
      for (let k = 0; k < FRAMES_PER_DIGIT; k++) yield frame;
    }
  };
  const video = join(work, 'digits.y4m');
  writeY4m(video, W, H, FPS, frames());
  server = await serveStatic(site, { port: 0, host: '127.0.0.1' });
  browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Entry { t: number; source: string; label: string; score: number }

async function openApp(page: Page, url: string) {
  await page.goto(url);
  return page.evaluate(async () => {
    const o = (globalThis as unknown as { ondevice: { ready: Promise<unknown>; app: { session: { backend: string } } } }).ondevice;
    await o.ready;
    return { backend: o.app.session.backend, isolated: globalThis.crossOriginIsolated };
  });
}

const history = (page: Page) => page.evaluate(() => (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history);

/** Draws strokes (lists of points in 0–1 pad coordinates) with the mouse; returns the page time before the last mouse-up. */
async function draw(page: Page, strokes: [number, number][][]): Promise<number> {
  const box = (await page.locator('#pad').boundingBox())!;
  let beforeLastUp = 0;
  for (const [n, stroke] of strokes.entries()) {
    const [x0, y0] = stroke[0];
    await page.mouse.move(box.x + x0 * box.width, box.y + y0 * box.height);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 3 });
    if (n === strokes.length - 1) beforeLastUp = await page.evaluate(() => performance.now());
    await page.mouse.up();
  }
  return beforeLastUp;
}

/** The label the page settles on for the drawing: the last draw classification, once one finished after `since` and the page is idle. */
async function drawnLabel(page: Page, since: number): Promise<string> {
  await page.waitForFunction((t) => (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history.some((e) => e.source === 'draw' && e.t > t), since);
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 100)))));
  const last = (await history(page)).filter((e) => e.source === 'draw').at(-1)!;
  assert.equal(await page.locator('#topk li').first().getAttribute('data-label'), last.label, 'the page shows what was classified');
  return last.label;
}

/** An MNIST digit traced with the mouse: one horizontal stroke per run of ink in each row, the digit filling the pad's middle. */
function scanlineStrokes(digit: Uint8Array): [number, number][][] {
  const strokes: [number, number][][] = [];
  const at = (v: number) => 0.1 + (v / 28) * 0.8;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (digit[y * 28 + x] < 128) continue;
      let end = x;
      while (end + 1 < 28 && digit[y * 28 + end + 1] >= 128) end++;
      strokes.push([[at(x + 0.5), at(y + 0.5)], [at(end + 0.5), at(y + 0.5)]]);
      x = end;
    }
  }
  return strokes;
}

const SEVEN: [number, number][][] = [[[0.25, 0.22], [0.75, 0.22], [0.45, 0.82]]];
const ONE: [number, number][][] = [[[0.52, 0.18], [0.5, 0.84]]];

test('fake camera showing MNIST digits 0–9 on paper: the page names each digit and reports fps', { timeout: 60_000 }, async (t) => {
  const { context, urls } = await recordingContext(browser);
  const page = await context.newPage();
  const { backend, isolated } = await openApp(page, server.url);
  assert.ok(isolated, 'COOP/COEP make the page cross-origin isolated');
  assert.match(backend, /^wasm \(SIMD, \d+ threads?\)/, 'headless Chromium has no WebGPU adapter: WASM (threads as many as the CPUs allow)');
  assert.equal(await page.locator('#backend').textContent(), backend);
  await page.click('#mode-camera');
  const loop = (FIRST.length * FRAMES_PER_DIGIT * 1000) / FPS;
  await page.waitForFunction((ms) => {
    const h = (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history.filter((e) => e.source === 'camera');
    return h.length > 0 && h.at(-1)!.t - h[0].t > ms;
  }, loop * 1.3, { timeout: 40_000 });
  const shots = (await history(page)).filter((e) => e.source === 'camera');
  // Collapse into runs; runs of ≥ 3 frames are what the page showed (a shorter one may straddle a digit change).
  const runs: { label: string; n: number }[] = [];
  for (const e of shots) {
    if (runs.at(-1)?.label === e.label) runs.at(-1)!.n++;
    else runs.push({ label: e.label, n: 1 });
  }
  const shown = runs.filter((r) => r.n >= 3).map((r) => r.label);
  const wrongFrames = runs.filter((r) => r.n < 3).reduce((s, r) => s + r.n, 0);
  assert.deepEqual(new Set(shown), new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']), `runs: ${JSON.stringify(runs)}`);
  for (let i = 1; i < shown.length; i++) {
    assert.equal(Number(shown[i]), (Number(shown[i - 1]) + 1) % 10, `digits follow the video's order 0,1,…,9: ${shown.join(' ')}`);
  }
  assert.ok(wrongFrames <= shots.length * 0.1, `${wrongFrames} of ${shots.length} frames in short runs`);
  const fps = Number(await page.locator('#fps').textContent());
  const latency = await page.locator('#latency').textContent();
  assert.ok(fps > 0, `fps shown: ${fps}`);
  assert.match(latency ?? '', /^\d+\.\d+ ms$/);
  t.diagnostic(`${backend}: ${shots.length} camera frames classified in ${((shots.at(-1)!.t - shots[0].t) / 1000).toFixed(1)} s, ` +
    `page shows ${fps} fps, ${latency} median inference; runs ${shown.join(' ')}; ${wrongFrames} frames in short runs`);
  const origin = new URL(server.url).origin;
  assert.deepEqual(urls.filter((u) => !u.startsWith(`${origin}/`)), [], 'no request leaves the site');
  await context.close();
});

test('digits drawn on the pad with the mouse (traced MNIST digits, a hand-drawn 7 and 1), and a photo of a digit', { timeout: 60_000 }, async () => {
  const { context } = await recordingContext(browser);
  const page = await context.newPage();
  await openApp(page, server.url);
  assert.equal(await page.locator('#view-draw').isVisible(), true, 'the default model opens on the drawing pad');
  const cases: [string, [number, number][][]][] = [
    ...[1, 3, 4].map((i): [string, [number, number][][]] => [String(mnist.labels[i]), scanlineStrokes(image(i))]),
    ['7', SEVEN],
    ['1', ONE],
  ];
  for (const [label, strokes] of cases) {
    await page.click('#clear');
    const since = await draw(page, strokes);
    assert.equal(await drawnLabel(page, since), label);
  }
  // A photo (PNG) of MNIST test digit #18, a 3, on paper, uploaded through the file input.
  await page.click('#mode-photo');
  const png = await sharp(Buffer.from(paperDigit(image(18), { width: 400, height: 300, zoom: 8 })), { raw: { width: 400, height: 300, channels: 1 } }).png().toBuffer();
  await page.setInputFiles('#file', { name: 'digit.png', mimeType: 'image/png', buffer: png });
  await page.waitForFunction(() => (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history.some((e) => e.source === 'photo'));
  assert.equal(mnist.labels[18], 3);
  assert.equal((await history(page)).filter((e) => e.source === 'photo').at(-1)!.label, '3');
  await context.close();
});

/** What the result panel shows, read in the same task as clicking `click` (so nothing the page does later can blur it). */
function panelAfter(page: Page, click: string | null = null) {
  return page.evaluate((id) => {
    if (id) document.getElementById(id)!.click();
    // No named helpers in here: tsx would wrap them in a __name() the page does not have.
    const [seen, pad] = ['seen', 'pad'].map((c) => {
      const canvas = document.getElementById(c) as HTMLCanvasElement;
      return canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    });
    return {
      topk: document.querySelectorAll('#topk li').length,
      seenDrawn: seen.some((v) => v !== 0),
      latency: document.getElementById('latency')!.textContent,
      fps: document.getElementById('fps')!.textContent,
      padInked: pad.some((v) => v < 128),
      photo: (document.getElementById('photo') as HTMLImageElement).hasAttribute('src'),
    };
  }, click);
}
const CLEARED = { topk: 0, seenDrawn: false, latency: '–', fps: '–', padInked: false, photo: false };
const cameraShots = (page: Page) => page.evaluate(() => (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history.filter((e) => e.source === 'camera').length);

test('every source switch clears the shown result: Draw → Photo → Camera → Draw, and no late camera frame shows after', { timeout: 60_000 }, async () => {
  const { context } = await recordingContext(browser);
  const page = await context.newPage();
  await openApp(page, server.url);
  assert.equal(await drawnLabel(page, await draw(page, SEVEN)), '7');
  const drawn = await panelAfter(page);
  assert.ok(drawn.topk === 5 && drawn.seenDrawn && drawn.padInked && /ms$/.test(drawn.latency ?? ''), JSON.stringify(drawn));
  assert.deepEqual(await panelAfter(page, 'mode-photo'), CLEARED, 'Draw → Photo');

  const png = await sharp(Buffer.from(paperDigit(image(18), { width: 400, height: 300, zoom: 8 })), { raw: { width: 400, height: 300, channels: 1 } }).png().toBuffer();
  await page.setInputFiles('#file', { name: 'digit.png', mimeType: 'image/png', buffer: png });
  await page.waitForFunction(() => document.querySelectorAll('#topk li').length > 0);
  const photo = await panelAfter(page);
  assert.ok(photo.topk === 5 && photo.seenDrawn && photo.photo && /ms$/.test(photo.latency ?? ''), JSON.stringify(photo));
  assert.deepEqual(await panelAfter(page, 'mode-camera'), CLEARED, 'Photo → Camera');

  await page.waitForFunction(() => document.querySelectorAll('#topk li').length > 0 && (globalThis as unknown as { ondevice: { history: Entry[] } }).ondevice.history.some((e) => e.source === 'camera'));
  assert.match((await panelAfter(page)).fps ?? '', /^\d+$/);
  assert.deepEqual(await panelAfter(page, 'mode-draw'), CLEARED, 'Camera → Draw');
  const shots = await cameraShots(page);
  await page.waitForTimeout(500);
  assert.deepEqual(await panelAfter(page), CLEARED, 'half a second later the drawing pad still shows nothing');
  assert.equal(await cameraShots(page), shots, 'the camera stopped, and a frame in flight at the switch was dropped');
  await context.close();
});

test('offline: after one visit, with the server stopped, a reload still classifies; no request to another origin', { timeout: 60_000 }, async () => {
  const own = await serveStatic(site, { port: 0, host: '127.0.0.1' });
  const origin = new URL(own.url).origin;
  const { context, urls } = await recordingContext(browser);
  try {
    const page = await context.newPage();
    await openApp(page, own.url);
    await page.waitForFunction(() => (globalThis as unknown as { ondevice: { serviceWorker?: string } }).ondevice.serviceWorker === 'active' && navigator.serviceWorker.controller !== null);
    await own.close();
    await assert.rejects(fetch(own.url), 'the server is down');
    const { backend } = await openApp(page, own.url);
    assert.match(backend, /^wasm/);
    const since = await draw(page, SEVEN);
    assert.equal(await drawnLabel(page, since), '7');
    assert.ok(urls.some((u) => u === `${origin}/ort/ort-wasm-simd-threaded.wasm`), 'the wasm came from the site itself');
    assert.deepEqual(urls.filter((u) => !u.startsWith(`${origin}/`)), [], 'no request leaves the site');
  } finally {
    await context.close();
    await own.close();
  }
});
