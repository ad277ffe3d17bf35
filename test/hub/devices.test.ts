// The hub with real devices: four headless Chromium pages pair, run profile and parity jobs at once, one is closed
// mid-job (its job finishes on another), the hub restarts over the same database and no result is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { HubClient } from '../../src/hub/client.ts';
import { parityOnDevice, profileOnDevices } from '../../src/hub/remote.ts';
import { startHub, type Hub } from '../../src/hub/server.ts';
import type { JobRecord } from '../../src/hub/queue.ts';
import type { DeviceProfile } from '../../src/hub/protocol.ts';
import { launchChromium } from '../deploy/browser.ts';

const LENET = join(PACKAGE_ROOT, 'models', 'lenet5', 'lenet5.onnx');
const run = promisify(execFile);

let work: string;
let db: string;
let hub: Hub;
let client: HubClient;
let browser: Browser;
const pages: { name: string; context: BrowserContext; page: Page; closed: boolean }[] = [];

type DeviceState = { state: string; deviceId?: string; jobsDone: number };
const deviceState = (page: Page) => page.evaluate(() => (globalThis as unknown as { ondeviceDevice: DeviceState }).ondeviceDevice);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-hub-'));
  db = join(work, 'hub.db');
  hub = await startHub({ db, port: 0 });
  client = new HubClient({ url: hub.url, token: hub.adminToken });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

test('four pages pair (one-time codes), report what they are, and the page has a strict CSP', { timeout: 60_000 }, async () => {
  for (let i = 1; i <= 4; i++) {
    // Separate contexts: each page has its own storage, so each pairs as its own device.
    const context = await browser.newContext();
    const page = await context.newPage();
    const code = hub.pairingCode();
    let response;
    if (i < 4) {
      response = await page.goto(hub.pairingUrl(code).replace('#', `?name=page-${i}#`));
    } else {
      // The fourth types the code on the page, as one would read it off the hub's terminal.
      response = await page.goto(new URL('/device/', hub.url).href);
      await page.waitForSelector('#pair:not([hidden])');
      await page.fill('#code', `${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`);
      await page.fill('#name', `page-${i}`);
      await page.click('#pair button[type=submit]');
    }
    if (i === 1) {
      const csp = response!.headers()['content-security-policy'];
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, 'no inline script');
      assert.equal(response!.headers()['cross-origin-embedder-policy'], 'require-corp');
    }
    pages.push({ name: `page-${i}`, context, page, closed: false });
    // The code was used: a second pairing with it is refused.
    await waitFor(`page-${i} to connect`, async () => (await deviceState(page)).state === 'connected');
    const again = await fetch(new URL('/api/pair', hub.url), { method: 'POST', body: JSON.stringify({ code, info: { name: 'intruder' } }) });
    assert.equal(again.status, 403, 'a pairing code works once');
  }
  const devices = hub.deviceViews();
  assert.deepEqual(devices.map((d) => d.name).sort(), ['page-1', 'page-2', 'page-3', 'page-4']);
  assert.ok(devices.every((d) => d.connected));
  for (const d of devices) {
    assert.match(d.info.userAgent, /Chrome/);
    assert.ok(d.info.backends.includes('wasm'));
    assert.ok(d.info.backends.includes('litert'), 'LiteRT.js loads in the page');
    assert.ok(!d.info.backends.includes('webgpu'), 'headless Chromium without a GPU has no WebGPU adapter');
    assert.equal(d.info.crossOriginIsolated, true);
    assert.ok((d.info.cores ?? 0) >= 1);
  }
});

test('profile and parity jobs run concurrently on all four devices', { timeout: 120_000 }, async () => {
  const [profile, parity] = await Promise.all([
    profileOnDevices(client, LENET, { device: 'all', warmup: 3, runs: 30, timeoutMs: 90_000 }),
    parityOnDevice(client, LENET, { device: 'all', samples: 3, timeoutMs: 90_000 }),
  ]);
  assert.equal(profile.devices.length, 4);
  assert.deepEqual(profile.devices.map((d) => d.device?.name).sort(), ['page-1', 'page-2', 'page-3', 'page-4'], 'one profile per device');
  for (const d of profile.devices) {
    assert.equal(d.state, 'done', d.error ?? '');
    const p = d.result!;
    assert.match(p.backend, /^wasm \(SIMD, \d threads?\)$/);
    assert.ok(p.skipped.some((s) => s.startsWith('webgpu:')), 'WebGPU was tried first and skipped with a reason');
    assert.equal(p.latencyMs.count, 30);
    assert.equal(p.samplesMs.length, 30);
    assert.ok(p.latencyMs.p50 > 0 && p.latencyMs.p50 <= p.latencyMs.p99 && p.loadMs > 0 && p.firstInferenceMs > 0);
    console.log(`# ${d.device!.name}: load ${p.loadMs.toFixed(1)} ms, first ${p.firstInferenceMs.toFixed(2)} ms, p50 ${p.latencyMs.p50.toFixed(3)} ms, p99 ${p.latencyMs.p99.toFixed(3)} ms, fetch ${p.fetchMs.toFixed(1)} ms${p.cached ? ' (cached)' : ''}`);
  }
  assert.equal(parity.devices.length, 4);
  for (const d of parity.devices) {
    assert.equal(d.state, 'done', d.error ?? '');
    const wasm = d.parity.find((p) => p.backend === 'wasm')!;
    assert.ok(wasm.fidelity, wasm.error);
    assert.equal(wasm.fidelity.count, 3 * 10);
    assert.ok(wasm.fidelity.psnr > 80, `onnxruntime-web WASM on ${d.device!.name} matches onnxruntime-node (${wasm.fidelity.psnr} dB)`);
    const lite = d.parity.find((p) => p.backend === 'litert')!;
    assert.ok(lite.fidelity, lite.error);
    assert.match(lite.ran ?? '', /LiteRT\.js/);
    assert.ok(lite.fidelity.psnr > 60, `LiteRT.js on ${d.device!.name} (the model compiled to .tflite here) matches onnxruntime-node (${lite.fidelity.psnr} dB)`);
    console.log(`# parity ${d.device!.name}: wasm ${wasm.fidelity.psnr.toFixed(1)} dB (max ${wasm.fidelity.maxAbsError.toExponential(1)}), litert ${lite.fidelity.psnr.toFixed(1)} dB (max ${lite.fidelity.maxAbsError.toExponential(1)})`);
    const gpu = d.parity.find((p) => p.backend === 'webgpu')!;
    assert.equal(gpu.ran, null, 'no WebGPU here: reported, not faked');
    assert.match(gpu.error ?? '', /WebGPU/);
  }
  // Both batches overlapped: some device started a parity job before the last profile job finished, or the reverse.
  const all = await client.jobs({ full: true });
  const span = (kind: string) => {
    const js = all.filter((j) => j.kind === kind);
    return [Math.min(...js.map((j) => j.startedAt!)), Math.max(...js.map((j) => j.finishedAt!))];
  };
  const [p0, p1] = span('profile'), [r0, r1] = span('run');
  assert.ok(p0 < r1 && r0 < p1, 'profile and parity jobs were in flight at the same time');
});

test('a device closed mid-job: the job is re-queued and completes on another device', { timeout: 120_000 }, async () => {
  const model = await client.uploadModel(LENET, 'onnx');
  // Long enough to be caught running: many timed runs of LeNet.
  const { jobs: [{ id }] } = await client.submit({ target: 'any', spec: { kind: 'profile', model, backends: ['wasm'], inputDims: [1, 1, 28, 28], warmup: 0, runs: 30_000, seed: 1 } });
  const victim = await waitFor('a device to start the job', async () => hub.deviceViews().find((d) => d.busy === id));
  const entry = pages.find((p) => p.name === victim.name)!;
  await entry.context.close();
  entry.closed = true;
  const [job] = await client.wait([id], { timeoutMs: 90_000 });
  assert.equal(job.state, 'done', job.error ?? '');
  assert.notEqual(job.deviceId, victim.id, 'finished by another device');
  assert.equal(job.attempts, 2);
  assert.deepEqual(job.history.map((h) => h.event), ['queued', 'started', 'dropped', 'started', 'done']);
  assert.equal(job.history[2].deviceId, victim.id);
  assert.equal((job.result as DeviceProfile).latencyMs.count, 30_000);
  assert.equal(hub.deviceViews().find((d) => d.id === victim.id)?.connected, false);
});

test('the hub restarts over the same database mid-batch: every job finishes and no result is lost', { timeout: 150_000 }, async () => {
  const model = await client.uploadModel(LENET, 'onnx');
  const spec = { kind: 'profile' as const, model, backends: ['wasm' as const], inputDims: [1, 1, 28, 28], warmup: 0, runs: 10_000, seed: 1 };
  const { jobs } = await client.submit({ target: 'any', spec: { ...spec } });
  const more = await Promise.all(Array.from({ length: 5 }, () => client.submit({ target: 'any', spec })));
  const ids = [jobs[0].id, ...more.map((m) => m.jobs[0].id)];
  await waitFor('one job done and one running', async () => {
    const js = await Promise.all(ids.map((id) => client.job(id)));
    return js.some((j) => j.state === 'done') && js.some((j) => j.state === 'running');
  }, 90_000);
  const before = new Map((await client.jobs({ full: true })).map((j) => [j.id, j]));
  const port = hub.port;
  await hub.close();
  // The pages notice and keep reconnecting; a new hub comes up on the same port over the same file.
  hub = await startHub({ db, port });
  client = new HubClient({ url: hub.url, token: hub.adminToken });
  const recovered = (await client.jobs({ full: true })).filter((j) => j.history.some((h) => h.event === 'recovered'));
  assert.ok(recovered.length >= 1, 'a job running when the hub stopped went back to the queue');
  const finished = await client.wait(ids, { timeoutMs: 120_000 });
  assert.ok(finished.every((j) => j.state === 'done'), finished.map((j) => `${j.id} ${j.state} ${j.error}`).join('; '));
  const after = await client.jobs({ full: true });
  assert.equal(after.length, before.size, 'every job is still there');
  for (const j of after) {
    assert.equal(j.state, 'done', `${j.id} (${j.kind})`);
    const old = before.get(j.id) as JobRecord;
    if (old.state === 'done') assert.deepEqual(j.result, old.result, `${j.id}: a result from before the restart is kept as it was`);
  }
  const live = pages.filter((p) => !p.closed);
  await waitFor('the three live pages to reconnect', async () => hub.deviceViews().filter((d) => d.connected).length === live.length);
  assert.equal(hub.deviceViews().length, 4, 'paired devices survive the restart');
});

test('the CLI: profile --device NAME --json and jobs list --json against the running hub', { timeout: 90_000 }, async () => {
  const env = { ...process.env, ONDEVICE_HUB: hub.url, ONDEVICE_HUB_TOKEN: hub.adminToken, NO_COLOR: '1' };
  const bin = join(PACKAGE_ROOT, 'bin', 'ondevice.js');
  const name = pages.find((p) => !p.closed)!.name;
  const report = join(work, 'devices.html');
  const { stdout } = await run(process.execPath, [bin, 'profile', LENET, '--device', name, '--runs', '20', '--warmup', '2', '--json', '--report', report], { env, timeout: 60_000 });
  const r = JSON.parse(stdout) as { devices: { device: { name: string }; state: string; result: DeviceProfile }[] };
  assert.equal(r.devices.length, 1);
  assert.equal(r.devices[0].device.name, name);
  assert.equal(r.devices[0].result.latencyMs.count, 20);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /Profile on devices/);
  assert.match(html, new RegExp(`<td>${name}</td>`), 'the device has its row in the report');
  const parityHtml = join(work, 'parity.html');
  const parity = await run(process.execPath, [bin, 'profile', LENET, '--device', name, '--parity', '--report', parityHtml], { env, timeout: 60_000 });
  assert.match(parity.stdout, new RegExp(`${name}.*wasm.*wasm \\(SIMD`), 'a wasm row with what ran it');
  assert.match(parity.stdout, /litert.*LiteRT\.js/);
  assert.match(parity.stdout, /webgpu.*did not run/);
  assert.match(readFileSync(parityHtml, 'utf8'), /Parity on devices/);
  const list = JSON.parse((await run(process.execPath, [bin, 'jobs', 'list', '--json', '--limit', '100'], { env, timeout: 30_000 })).stdout) as { jobs: JobRecord[] };
  assert.equal(list.jobs.length, (await client.jobs()).length);
  assert.ok(list.jobs.every((j) => j.state === 'done'));
  const bad = await run(process.execPath, [bin, 'profile', LENET, '--device', 'no-such-phone'], { env }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 2);
  assert.match((bad as { stderr: string }).stderr, /no paired device is called 'no-such-phone'/);
});

test('profile --device a model with several inputs (Silero VAD: audio, LSTM state, an int64 sample rate given by --input-value)', { timeout: 90_000 }, async () => {
  const env = { ...process.env, ONDEVICE_HUB: hub.url, ONDEVICE_HUB_TOKEN: hub.adminToken, NO_COLOR: '1' };
  const bin = join(PACKAGE_ROOT, 'bin', 'ondevice.js');
  const vad = join(PACKAGE_ROOT, 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
  const { stdout } = await run(process.execPath, [bin, 'profile', vad, '--device', 'any', '--runs', '20', '--warmup', '2', '--json',
    '--input-shape', 'input=1,512', '--input-shape', 'state=2,1,128', '--input-value', 'sr=16000'], { env, timeout: 60_000 });
  const r = JSON.parse(stdout) as { inputDims: number[]; inputs: { name: string; dtype: string; dims: number[] }[]; devices: { state: string; result: DeviceProfile }[] };
  assert.deepEqual(r.inputs, [{ name: 'input', dtype: 'float32', dims: [1, 512] }, { name: 'state', dtype: 'float32', dims: [2, 1, 128] }, { name: 'sr', dtype: 'int64', dims: [] }]);
  assert.equal(r.devices[0].state, 'done');
  assert.equal(r.devices[0].result.latencyMs.count, 20);
  // Without the sample rate the model's If has no branch for sr = 0..7: the device reports the failure, nothing hangs.
  const failed = await run(process.execPath, [bin, 'profile', vad, '--device', 'any', '--runs', '2', '--json', '--input-shape', 'input=1,512', '--input-shape', 'state=2,1,128'], { env, timeout: 60_000 })
    .catch((e: { code: number; stdout: string }) => e);
  const out = JSON.parse((failed as { stdout: string }).stdout) as { devices: { state: string; error?: string }[] };
  assert.equal((failed as { code?: number }).code, 1, 'a failed device job is exit 1');
  assert.equal(out.devices[0].state, 'failed');
});

test('evaluate --device: LeNet and its w8a8 copy on a page, MNIST accuracy and fidelity, JSON and HTML report', { timeout: 120_000 }, async () => {
  const env = { ...process.env, ONDEVICE_HUB: hub.url, ONDEVICE_HUB_TOKEN: hub.adminToken, NO_COLOR: '1' };
  const bin = join(PACKAGE_ROOT, 'bin', 'ondevice.js');
  const cand = join(work, 'lenet-w8a8.onnx');
  await run(process.execPath, [bin, 'quantize', LENET, '--scheme', 'w8a8', '--calibration', 'mnist:test', '--limit', '200', '-o', cand], { env, timeout: 60_000 });
  const name = pages.find((p) => !p.closed)!.name;
  const report = join(work, 'evaluate.html');
  const { stdout } = await run(process.execPath, [bin, 'evaluate', LENET, cand, '--data', 'mnist:test', '--limit', '50', '--device', name, '--json', '--report', report], { env, timeout: 90_000 });
  const r = JSON.parse(stdout) as { examples: number; reference: { accuracy: number; hostFidelity: { psnr: number | string }; device: { name: string } }; candidates: { accuracy: number; fidelity: { psnr: number }; top1Agreement: number }[] };
  assert.equal(r.examples, 50);
  assert.equal(r.reference.device.name, name);
  assert.ok(r.reference.accuracy >= 0.94, `LeNet on the page: ${r.reference.accuracy}`);
  const host = r.reference.hostFidelity.psnr;
  assert.ok(host === 'Infinity' || (host as number) > 80, `the page's WASM matches onnxruntime-node here (${host} dB)`);
  const [c] = r.candidates;
  assert.ok(c.fidelity.psnr > 20 && Number.isFinite(c.fidelity.psnr), `w8a8 differs from float, a little (${c.fidelity.psnr} dB)`);
  assert.ok(c.top1Agreement >= 0.9);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /Evaluation on a device/);
  assert.match(html, new RegExp(name));
});

test('a model whose bytes do not hash to what the job names is not run', { timeout: 60_000 }, async () => {
  // Upload some bytes, then swap the stored file for a valid model: a device that ran what it was sent would succeed.
  const bogus = join(work, 'bogus.onnx');
  writeFileSync(bogus, Buffer.concat([readFileSync(LENET), Buffer.from('not the same bytes')]));
  const model = await client.uploadModel(bogus, 'onnx');
  copyFileSync(LENET, join(work, 'hub-models', model.sha256));
  const name = pages.find((p) => !p.closed)!.name;
  const { jobs: [{ id }] } = await client.submit({ target: name, spec: { kind: 'profile', model, backends: ['wasm'], inputDims: [1, 1, 28, 28], warmup: 0, runs: 1, seed: 1 } });
  const [job] = await client.wait([id], { timeoutMs: 30_000 });
  assert.equal(job.state, 'failed');
  assert.match(job.error ?? '', new RegExp(`model ${model.sha256.slice(0, 12)}… arrived with SHA-256 [0-9a-f]{12}…: not run`));
});
