// The hub's HTTP and WebSocket surface without a browser: tokens, Host/Origin checks, bounded uploads, targets, drops.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { HubClient } from '../../src/hub/client.ts';
import { SimulatedDevice } from '../../src/hub/simulated-device.ts';
import { startHub, type Hub } from '../../src/hub/server.ts';
import { PROTOCOL_VERSION, type ProfileSpec } from '../../src/hub/protocol.ts';

const LENET = join(PACKAGE_ROOT, 'models', 'lenet5', 'lenet5.onnx');
let work: string;
let hub: Hub;
let client: HubClient;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-hubs-'));
  hub = await startHub({ db: join(work, 'hub.db'), port: 0, maxUploadBytes: 280_000 });
  client = new HubClient({ url: hub.url, token: hub.adminToken });
});

after(async () => {
  await hub?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A raw request with any Host header. */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: hub.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const host = () => `127.0.0.1:${hub.port}`;

test('loopback by default; a foreign Host (DNS rebinding) is refused; the API wants the hub token', async () => {
  assert.equal(hub.host, '127.0.0.1');
  assert.deepEqual(hub.lanUrls(), []);
  assert.equal((await raw('/api/devices', { Host: `evil.example:${hub.port}`, Authorization: `Bearer ${hub.adminToken}` })).status, 403);
  assert.equal((await raw('/api/devices', { Host: host() })).status, 401);
  assert.equal((await raw('/api/devices', { Host: host(), Authorization: 'Bearer nope' })).status, 401);
  assert.equal((await raw('/api/devices', { Host: host(), Authorization: `Bearer ${hub.adminToken}` })).status, 200);
});

test('the device page has a strict CSP and isolation headers; /ort/ serves only onnxruntime-web\'s files', async () => {
  const page = await raw('/device/', { Host: host() });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-security-policy'], "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; connect-src 'self'");
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.doesNotMatch(page.body, /<script>(?!<\/script>)/, 'no inline script');
  assert.equal((await raw('/ort/ort-wasm-simd-threaded.wasm', { Host: host() })).status, 200);
  assert.equal((await raw('/ort/../package.json', { Host: host() })).status, 404);
  assert.equal((await raw('/ort/ort.min.js', { Host: host() })).status, 404);
});

test('uploads are bounded, models are content-addressed and go to paired devices only', async () => {
  const big = Buffer.alloc(300_000);
  const refused = await raw('/api/models?format=onnx', { Host: host(), Authorization: `Bearer ${hub.adminToken}`, 'Content-Length': String(big.length) }, 'POST', big);
  assert.equal(refused.status, 413);
  const ref = await client.uploadModel(LENET, 'onnx');
  assert.equal(ref.sha256, createHash('sha256').update(readFileSync(LENET)).digest('hex'));
  assert.deepEqual(await client.uploadModel(LENET, 'onnx'), ref, 'the same bytes, the same reference');
  assert.equal((await raw(`/models/${ref.sha256}`, { Host: host() })).status, 401);
  const device = await SimulatedDevice.pair(hub.url, hub.pairingCode(), { name: 'reader' });
  const got = await fetch(new URL(`/models/${ref.sha256}`, hub.url), { headers: { Authorization: `Bearer ${device.token}` } });
  assert.equal(got.status, 200);
  assert.equal(createHash('sha256').update(Buffer.from(await got.arrayBuffer())).digest('hex'), ref.sha256);
  device.drop();
  await assert.rejects(client.submit({ target: 'any', spec: { kind: 'profile', model: { ...ref, sha256: 'f'.repeat(64) }, backends: ['wasm'], inputDims: [1], warmup: 0, runs: 1, seed: 1 } }), /is not on the hub/);
});

test('sockets: a bad token, a foreign Origin and a wrong protocol version are refused', async () => {
  const wsUrl = hub.url.replace('http', 'ws') + 'ws';
  const refusedWith = (ws: WebSocket, hello?: object) => new Promise<string>((ok) => {
    ws.on('open', () => hello && ws.send(JSON.stringify(hello)));
    ws.on('message', (d) => ok(JSON.parse(d.toString()).reason));
    ws.on('unexpected-response', (_req, res) => ok(`HTTP ${res.statusCode}`));
    ws.on('error', () => {});
  });
  const info = { name: 'x', userAgent: '', cores: 1, memoryGiB: null, webgpu: null, backends: ['wasm'], crossOriginIsolated: false };
  assert.equal(await refusedWith(new WebSocket(wsUrl), { type: 'hello', protocol: PROTOCOL_VERSION, token: 'forged', info }), 'unknown device token');
  assert.match(await refusedWith(new WebSocket(wsUrl), { type: 'hello', protocol: 99, token: 'x', info }), /protocol 99/);
  assert.equal(await refusedWith(new WebSocket(wsUrl, { origin: 'http://evil.example' })), 'HTTP 403');
  assert.match(await refusedWith(new WebSocket(wsUrl), { type: 'result', jobId: 'j-1', result: {} }), /say hello first/);
});

test('targets: a job for a name runs on that device only; a dropped device\'s job finishes elsewhere', async () => {
  const model = await client.uploadModel(LENET, 'onnx');
  const spec: ProfileSpec = { kind: 'profile', model, backends: ['wasm'], inputDims: [1, 1, 28, 28], warmup: 0, runs: 1, seed: 1 };
  const slow = await SimulatedDevice.pair(hub.url, hub.pairingCode(), { name: 'slow', jobMs: () => 60_000 });
  const quick = await SimulatedDevice.pair(hub.url, hub.pairingCode(), { name: 'quick', jobMs: () => 1 });
  const named = await client.submit({ target: 'quick', spec });
  const [n] = await client.wait(named.jobs.map((j) => j.id), { timeoutMs: 10_000 });
  assert.equal(n.deviceId, quick.deviceId);
  await assert.rejects(client.submit({ target: 'nobody', spec }), /no paired device is called 'nobody'/);
  // The slow device takes the next 'any' job and never answers; then it vanishes.
  quick.drop();
  const { jobs: [{ id }] } = await client.submit({ target: 'any', spec });
  for (let i = 0; i < 100 && slow.current !== id; i++) await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(slow.current, id, 'the slow device holds the job');
  slow.drop();
  await quick.connect();
  const [j] = await client.wait([id], { timeoutMs: 10_000 });
  assert.equal(j.state, 'done');
  assert.equal(j.deviceId, quick.deviceId);
  assert.deepEqual(j.history.map((h) => h.event), ['queued', 'started', 'dropped', 'started', 'done']);
  quick.drop();
});
