// The deployed site's failures in headless Chromium (camera denied or missing, a bad photo, a failed model fetch):
// the page says one friendly sentence, the raw browser error goes to the console.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { deployWeb } from '../../src/deploy/web.ts';
import { serveStatic, type RunningServer } from '../../src/deploy/serve.ts';
import { friendlyError } from '../../web/app/ui/messages.ts';
import { launchChromium } from './browser.ts';

let work: string;
let server: RunningServer;
/** A fake camera the page has no permission for: getUserMedia rejects with NotAllowedError. */
let denied: Browser;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-web-errors-'));
  await deployWeb({ out: join(work, 'site') });
  server = await serveStatic(join(work, 'site'), { port: 0, host: '127.0.0.1' });
  denied = await launchChromium(['--use-fake-device-for-media-stream']);
});

after(async () => {
  await denied?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A page (service worker blocked, so routes see every fetch) with its console errors collected. */
async function open(browser: Browser, route?: (context: BrowserContext) => Promise<unknown>): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await route?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.url);
  return { page, errors, close: () => context.close() };
}

const ready = (page: Page) => page.evaluate(() => (globalThis as unknown as { ondevice: { ready: Promise<unknown> } }).ondevice.ready);

/** The status line once it shows a message that is not progress ('loading the model…'). */
async function errorShown(page: Page): Promise<string> {
  await page.waitForFunction(() => /[^…]$/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 15_000 });
  return (await page.locator('#status').textContent()) ?? '';
}

const styledAsError = async (page: Page) => assert.equal(await page.locator('#status.error').count(), 1, 'the status line is styled as an error');

test('camera access denied: one friendly sentence, the old result cleared, the DOMException in the console', { timeout: 60_000 }, async () => {
  const { page, errors, close } = await open(denied);
  await ready(page);
  const box = (await page.locator('#pad').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelectorAll('#topk li').length > 0);
  await page.click('#mode-camera');
  const text = await errorShown(page);
  assert.equal(text, friendlyError('camera', { name: 'NotAllowedError' }));
  assert.match(text, /^Camera access was denied — allow the camera .*, or use Photo or Draw\.$/);
  assert.doesNotMatch(text, /Permission denied|DOMException/);
  await styledAsError(page);
  assert.equal(await page.locator('#topk li').count(), 0, 'the drawn digit\'s result is gone');
  assert.ok(errors.some((e) => e.includes('ondevice: camera failed: NotAllowedError: Permission denied')), errors.join('\n'));
  await close();
});

test('no camera at all: one friendly sentence, the DOMException in the console', { timeout: 60_000 }, async () => {
  const plain = await launchChromium();
  try {
    const { page, errors } = await open(plain);
    await ready(page);
    await page.click('#mode-camera');
    const text = await errorShown(page);
    assert.match(text, /^No camera was found — .*, or use Photo or Draw\.$/);
    assert.doesNotMatch(text, /Requested device not found|NotFoundError/);
    await styledAsError(page);
    assert.ok(errors.some((e) => e.includes('ondevice: camera failed: NotFoundError: Requested device not found')), errors.join('\n'));
  } finally {
    await plain.close();
  }
});

test('a file that is not an image: one friendly sentence, no broken photo, the decoder error in the console', { timeout: 60_000 }, async () => {
  const { page, errors, close } = await open(denied);
  await ready(page);
  await page.click('#mode-photo');
  await page.setInputFiles('#file', { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are notes, not a PNG') });
  const text = await errorShown(page);
  assert.equal(text, 'That file could not be opened as an image — choose a JPEG, PNG or WebP photo.');
  await styledAsError(page);
  assert.equal(await page.locator('#photo').getAttribute('src'), null, 'no broken image is shown');
  assert.ok(errors.some((e) => e.includes('ondevice: photo failed: InvalidStateError: The source image could not be decoded.')), errors.join('\n'));
  await close();
});

test('the model cannot be fetched (HTTP 404, network down) or run (corrupt bytes): one friendly sentence each', { timeout: 60_000 }, async () => {
  const model = '**/model/lenet5.onnx';
  const cases: [string, (c: BrowserContext) => Promise<unknown>, RegExp, string][] = [
    ['404', (c) => c.route(model, (r) => r.fulfill({ status: 404, body: 'not here' })), /^The model could not be downloaded — check your connection and reload the page\.$/, 'HTTP 404'],
    ['network down', (c) => c.route(model, (r) => r.abort('internetdisconnected')), /^The model could not be downloaded — /, 'TypeError: Failed to fetch'],
    ['corrupt', (c) => c.route(model, (r) => r.fulfill({ status: 200, body: Buffer.alloc(4096, 7) })), /^This browser could not run the model — /, 'NoBackendError: no backend could run the model'],
  ];
  for (const [name, route, friendly, raw] of cases) {
    const { page, errors, close } = await open(denied, route);
    const text = await errorShown(page);
    assert.match(text, friendly, `${name}: ${text}`);
    assert.doesNotMatch(text, /HTTP|fetch|backend|wasm|lenet5/i, `${name}: no raw detail in ${JSON.stringify(text)}`);
    await styledAsError(page);
    assert.ok(errors.some((e) => e.includes('ondevice: load failed: ') && e.includes(raw)), `${name}: ${errors.join('\n')}`);
    await close();
  }
});
