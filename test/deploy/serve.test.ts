// The static server: isolation headers, MIME types, folders, 404/405, no escaping the root, LAN URLs, the terminal QR code;
// loopback by default, no dotfiles, the Host check, the CSP (with the deployed app in Chromium), compression, ranges, NO_COLOR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { get as httpsGet } from 'node:https';
import { stripVTControlCharacters } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { CONTENT_SECURITY_POLICY, lanAddresses, lanUrls, serveStatic, type RunningServer } from '../../src/deploy/serve.ts';
import { resolveInside, staticFile } from '../../src/util/static-files.ts';
import { terminalQr } from '../../src/deploy/qr.ts';
import { selfSignedCertificate } from '../../src/deploy/tls.ts';
import { deployWeb } from '../../src/deploy/web.ts';
import { UsageError } from '../../src/errors.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { launchChromium, recordingContext } from './browser.ts';

let work: string;
let root: string;
let server: RunningServer;
/** 60 kB of JavaScript, compressible. */
const BIG_JS = Array.from({ length: 2000 }, (_, i) => `export const v${i} = ${i};\n`).join('');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-serve-'));
  root = join(work, 'site');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><p>home</p>');
  writeFileSync(join(root, 'sub', 'index.html'), '<p>sub</p>');
  writeFileSync(join(root, 'm.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(root, 'g.mjs'), 'export const x = 1;\n');
  writeFileSync(join(root, 'manifest.webmanifest'), '{}');
  writeFileSync(join(work, 'secret.txt'), 'outside the root');
  mkdirSync(join(work, 'outside'));
  writeFileSync(join(work, 'outside', 'index.html'), 'outside the root');
  symlinkSync(join(work, 'secret.txt'), join(root, 'leak.txt'));
  symlinkSync(join(work, 'outside'), join(root, 'leakdir'));
  symlinkSync(join(root, 'g.mjs'), join(root, 'alias.mjs'));
  // Hidden files: dotfiles, dot folders, a visible name linking to a dotfile.
  writeFileSync(join(root, '.env'), 'SECRET=dotfile');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'config'), 'SECRET=dotfile');
  writeFileSync(join(root, 'sub', '.hidden'), 'SECRET=dotfile');
  mkdirSync(join(root, '.well-known'));
  writeFileSync(join(root, '.well-known', 'x.txt'), 'SECRET=dotfile');
  symlinkSync(join(root, '.env'), join(root, 'pub.txt'));
  // Compressible (js, wasm, html) and incompressible (png) files above the 1 KiB threshold.
  writeFileSync(join(root, 'big.js'), BIG_JS);
  writeFileSync(join(root, 'big.wasm'), Buffer.alloc(50_000, 7));
  writeFileSync(join(root, 'long.html'), `<!doctype html>${'<p>paragraph</p>'.repeat(200)}`);
  writeFileSync(join(root, 'pic.png'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  server = await serveStatic(root, { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

interface Answer { status: number; headers: Record<string, unknown>; body: string; bytes: Buffer }

/** A raw request (no URL normalisation, unlike fetch; no Accept-Encoding unless given), to `port` (default: the shared server). */
function raw(method: string, path: string, headers: Record<string, string> = {}, port = server.port): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        ok({ status: res.statusCode!, headers: res.headers, body: bytes.toString('latin1'), bytes });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

test('every response carries COOP/COEP so the page is cross-origin isolated', async () => {
  for (const path of ['/', '/m.wasm', '/missing']) {
    const r = await raw('GET', path);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', path);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', path);
  }
});

test('MIME types: html, wasm, mjs, webmanifest; folders serve index.html', async () => {
  const cases: [string, RegExp, string?][] = [
    ['/', /^text\/html/, 'home'],
    ['/sub/', /^text\/html/, 'sub'],
    ['/m.wasm', /^application\/wasm$/],
    ['/g.mjs', /^text\/javascript/, 'export const x'],
    ['/manifest.webmanifest', /^application\/manifest\+json/],
    ['/index.html?v=1#x', /^text\/html/, 'home'],
  ];
  for (const [path, type, body] of cases) {
    const r = await raw('GET', path);
    assert.equal(r.status, 200, path);
    assert.match(String(r.headers['content-type']), type, path);
    if (body) assert.ok(r.body.includes(body), path);
  }
  const head = await raw('HEAD', '/m.wasm');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '8');
  assert.equal(head.body, '');
});

test('404 for missing files, 405 for other methods, nothing outside the root', async () => {
  assert.equal((await raw('GET', '/nope.js')).status, 404);
  assert.equal((await raw('POST', '/')).status, 405);
  for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/%00']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 404, path);
    assert.ok(!r.body.includes('outside the root'), path);
  }
  assert.equal(resolveInside('/srv/site', '/../etc/passwd'), null);
  assert.equal(resolveInside('/srv/site', '/a/b.js'), '/srv/site/a/b.js');
});

/** Sends `text` on a raw socket (any request line, however malformed) and returns the whole answer. */
function rawSocket(port: number, text: string): Promise<string> {
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text)); // the request says Connection: close
    let answer = '';
    socket.setEncoding('latin1').on('data', (c) => (answer += c)).on('end', () => ok(answer)).on('error', fail);
  });
}

test('a malformed request line gets an error status and the server keeps serving', async () => {
  const host = `Host: 127.0.0.1:${server.port}`;
  const bad = await rawSocket(server.port, `GET http://[ HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`);
  assert.match(bad, /^HTTP\/1\.1 400 /);
  const badEscape = await rawSocket(server.port, `GET /%E0%A4%A HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`);
  assert.match(badEscape, /^HTTP\/1\.1 404 /);
  // Absolute-form: the target's authority stands for the Host header (here a wrong one).
  const absolute = await rawSocket(server.port, `GET http://127.0.0.1:${server.port}/g.mjs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.match(absolute, /^HTTP\/1\.1 200 [^]*export const x/);
  const elsewhere = await rawSocket(server.port, `GET http://evil.example:${server.port}/g.mjs HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`);
  assert.match(elsewhere, /^HTTP\/1\.1 403 /);
  const r = await raw('GET', '/');
  assert.equal(r.status, 200);
  assert.ok(r.body.includes('home'));
});

test('symlinks are followed only while they stay inside the served folder', async () => {
  for (const path of ['/leak.txt', '/leakdir/', '/leakdir/index.html']) {
    const r = await raw('GET', path);
    assert.equal(r.status, 404, path);
    assert.ok(!r.body.includes('outside the root'), path);
  }
  const inside = await raw('GET', '/alias.mjs');
  assert.equal(inside.status, 200);
  assert.match(String(inside.headers['content-type']), /^text\/javascript/);
});

test('a port in use is a one-line usage error; a missing folder too', async () => {
  await assert.rejects(serveStatic(root, { port: server.port, host: '127.0.0.1' }), (e) => e instanceof UsageError && /already in use/.test(e.message));
  await assert.rejects(serveStatic(join(work, 'missing')), UsageError);
  // No --port: the message names the default port, not "undefined" (hold 8080 unless something already does).
  const holder = createServer();
  const held = await new Promise<boolean>((ok) => holder.once('error', () => ok(false)).listen(8080, '127.0.0.1', () => ok(true)));
  try {
    await assert.rejects(serveStatic(root, { host: '127.0.0.1' }), (e) => e instanceof UsageError && /^port 8080 is already in use/.test(e.message));
  } finally {
    if (held) await new Promise((ok) => holder.close(ok));
  }
});

test('LAN URLs are external IPv4 addresses; the QR code is a block of equal-width rows that depends on the text', async () => {
  for (const u of lanUrls(8080)) assert.match(u, /^http:\/\/\d+\.\d+\.\d+\.\d+:8080\/$/);
  const a = await terminalQr('http://192.168.1.20:8080/');
  const b = await terminalQr('http://192.168.1.21:8080/');
  const rows = stripVTControlCharacters(a).split('\n').filter((r) => r.trim() !== '');
  assert.ok(rows.length >= 12, `${rows.length} rows`);
  assert.ok(rows.every((r) => r.length === rows[0].length));
  assert.notEqual(a, b);
});

test('--https: a self-signed certificate valid for the address served, verified in a real TLS handshake', { timeout: 30_000 }, async () => {
  const cert = await selfSignedCertificate(['127.0.0.1']);
  const tls = await serveStatic(root, { port: 0, host: '127.0.0.1', tls: cert });
  try {
    assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const body = await new Promise<{ status: number; coep: unknown; text: string }>((ok, fail) => {
      httpsGet(tls.url, { ca: cert.cert }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => ok({ status: res.statusCode!, coep: res.headers['cross-origin-embedder-policy'], text }));
      }).on('error', fail);
    });
    assert.deepEqual([body.status, body.coep], [200, 'require-corp']);
    assert.match(body.text, /home/);
    // Without trusting the certificate the handshake is refused: it really is self-signed.
    await assert.rejects(new Promise((ok, fail) => httpsGet(tls.url, ok).on('error', fail)), /self-signed|self signed/);
  } finally {
    await tls.close();
  }
});

/** The error a request to `url` fails with (its network cause, e.g. ECONNREFUSED). */
async function refusal(url: string): Promise<string> {
  try {
    await fetch(url);
    return 'answered';
  } catch (e) {
    return String(((e as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? e);
  }
}

test('loopback by default: serveStatic without a host binds 127.0.0.1, unreachable on the LAN address', async () => {
  const own = await serveStatic(root, { port: 0 });
  try {
    assert.equal((own.server.address() as AddressInfo).address, '127.0.0.1');
    assert.match(own.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal((await fetch(own.url)).status, 200);
    for (const a of lanAddresses()) assert.equal(await refusal(`http://${a}:${own.port}/`), 'ECONNREFUSED', a);
  } finally {
    await own.close();
  }
});

test('hidden files: any path segment starting with a dot is 404, answered exactly like a missing file', async () => {
  const missing = await raw('GET', '/no-such-file');
  assert.equal(missing.status, 404);
  const paths = ['/.env', '/.git/config', '/.git/', '/.git', '/sub/.hidden', '/.well-known/x.txt', '/%2eenv', '/sub/%2Ehidden',
    '/sub/../.env', '/pub.txt'];
  for (const path of paths) {
    for (const method of ['GET', 'HEAD']) {
      const r = await raw(method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.headers['content-length'], missing.headers['content-length'], `${method} ${path}`);
      assert.equal(r.body, method === 'GET' ? missing.body : '', `${method} ${path}`);
    }
  }
  assert.equal(staticFile(root, '/.env'), null, 'the LiteRT page server shares the resolver');
  assert.equal(staticFile(root, '/g.mjs')?.size, 20);
});

test('Host check on loopback: only localhost, 127.0.0.1 and [::1] at this port; anything else (DNS rebinding) 403 with one line', async () => {
  const p = server.port;
  for (const host of [`localhost:${p}`, `127.0.0.1:${p}`, `[::1]:${p}`, `LocalHost:${p}`]) {
    const r = await raw('GET', '/g.mjs', { host });
    assert.equal(r.status, 200, host);
  }
  const refused = [`evil.example:${p}`, 'evil.example', `localhost:${p + 1}`, 'localhost', `localhost.evil.example:${p}`,
    `127.0.0.1.nip.io:${p}`, `user@localhost:${p}`, `${lanAddresses()[0] ?? '192.168.1.20'}:${p}`, `${hostname()}:${p}`];
  for (const host of refused) {
    const r = await raw('GET', '/g.mjs', { host });
    assert.equal(r.status, 403, `Host: ${host}`);
    assert.match(r.body, /^host not allowed: [^\n]+\n$/, `Host: ${host}`);
    assert.ok(!r.body.includes('export const'), `Host: ${host}`);
  }
  assert.match(await rawSocket(p, 'GET /g.mjs HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 403 /, 'HTTP/1.0 without Host');
  assert.match(await rawSocket(p, 'GET /g.mjs HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 403 /, 'an empty Host');
});

test('Host check with --lan (0.0.0.0): this machine\'s own addresses and name are accepted too, other names still 403', async () => {
  const lan = await serveStatic(root, { port: 0, host: '0.0.0.0' });
  const p = lan.port;
  try {
    for (const host of [`localhost:${p}`, `${hostname()}:${p}`, ...lanAddresses().map((a) => `${a}:${p}`)]) {
      assert.equal((await raw('GET', '/g.mjs', { host }, p)).status, 200, host);
    }
    for (const url of lanUrls(p)) assert.equal((await fetch(url)).status, 200, `${url} over the network interface`);
    for (const host of [`evil.example:${p}`, `${lanAddresses()[0] ?? '192.0.2.2'}:${p + 1}`]) {
      assert.equal((await raw('GET', '/g.mjs', { host }, p)).status, 403, host);
    }
  } finally {
    await lan.close();
  }
});

test('Content-Security-Policy on HTML responses only (no inline script, wasm compilation allowed); COOP/COEP kept', async () => {
  for (const path of ['/', '/sub/', '/index.html', '/long.html']) {
    const r = await raw('GET', path, { 'accept-encoding': 'br' });
    const csp = String(r.headers['content-security-policy']);
    assert.equal(csp, CONTENT_SECURITY_POLICY, path);
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives.get('default-src'), ["'self'"]);
    assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'") && !csp.includes('*'), csp);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', path);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', path);
  }
  for (const path of ['/g.mjs', '/m.wasm', '/missing']) assert.equal((await raw('GET', path)).headers['content-security-policy'], undefined, path);
});

/** Decodes a response body by its Content-Encoding. */
function decoded(r: Answer): Buffer {
  const enc = r.headers['content-encoding'];
  return enc === 'br' ? brotliDecompressSync(r.bytes) : enc === 'gzip' ? gunzipSync(r.bytes) : r.bytes;
}

test('compression: brotli or gzip by Accept-Encoding for js, wasm and html, with Vary; png, small files and no Accept-Encoding as they are', async () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['/big.js', 'gzip, deflate, br', 'br'],
    ['/big.js', 'gzip', 'gzip'],
    ['/big.js', 'br;q=0, gzip;q=0.5', 'gzip'],
    ['/big.js', 'gzip;q=1, br;q=0.5', 'gzip'],
    ['/big.js', '*', 'br'],
    ['/big.js', 'identity', undefined],
    ['/big.js', undefined, undefined],
    ['/big.wasm', 'gzip, br', 'br'],
    ['/long.html', 'gzip, br', 'br'],
    ['/pic.png', 'gzip, br', undefined],
    ['/index.html', 'gzip, br', undefined],
  ];
  for (const [path, ae, expected] of cases) {
    const r = await raw('GET', path, ae ? { 'accept-encoding': ae } : {});
    const label = `${path} Accept-Encoding: ${ae}`;
    assert.equal(r.status, 200, label);
    assert.equal(r.headers['content-encoding'], expected, label);
    assert.equal(r.headers['content-length'], String(r.bytes.length), label);
    assert.deepEqual(decoded(r), readFileSync(join(root, path === '/' ? 'index.html' : path.slice(1))), label);
    assert.equal(r.headers.vary, path === '/pic.png' ? undefined : 'Accept-Encoding', label);
    if (expected) assert.ok(r.bytes.length < decoded(r).length / 4, `${label}: ${r.bytes.length} bytes`);
  }
  const get = await raw('GET', '/big.js', { 'accept-encoding': 'br' });
  const head = await raw('HEAD', '/big.js', { 'accept-encoding': 'br' });
  assert.deepEqual([head.status, head.headers['content-encoding'], head.headers['content-length'], head.body], [200, 'br', String(get.bytes.length), '']);
});

test('compressed bytes are made once per file and mtime: same mtime → the cached copy, a new mtime → compressed again', async () => {
  const file = join(root, 'cached.js');
  const [a, b] = ['a', 'b'].map((c) => `export const s = '${c.repeat(4000)}';\n`);
  const t = Math.floor(Date.now() / 1000) - 100;
  writeFileSync(file, a);
  utimesSync(file, t, t);
  /** Which content a response decodes to ('a', 'b' or 'other'), so a failure prints one word, not 4 kB. */
  const which = (r: Answer) => ({ [a]: 'a', [b]: 'b' })[decoded(r).toString()] ?? 'other';
  const br = async () => which(await raw('GET', '/cached.js', { 'accept-encoding': 'br' }));
  assert.equal(await br(), 'a');
  writeFileSync(file, b); // same size; the mtime put back: the cache cannot tell
  utimesSync(file, t, t);
  assert.equal(which(await raw('GET', '/cached.js')), 'b', 'uncompressed answers read the file');
  assert.equal(await br(), 'a', 'the compressed copy is reused, not made again');
  utimesSync(file, t + 10, t + 10);
  assert.equal(await br(), 'b', 'a new mtime compresses the new content');
});

test('Range: one byte range → 206 with Content-Range (uncompressed, even with Accept-Encoding); 416 when unsatisfiable', async () => {
  const wasm = readFileSync(join(root, 'm.wasm')); // 8 bytes
  const partial: [string, number, number][] = [['bytes=1-3', 1, 3], ['bytes=4-', 4, 7], ['bytes=-2', 6, 7], ['bytes=5-100', 5, 7], ['bytes=0-0', 0, 0], ['bytes=-100', 0, 7]];
  for (const [range, start, end] of partial) {
    const r = await raw('GET', '/m.wasm', { range });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers['content-range'], `bytes ${start}-${end}/8`, range);
    assert.equal(r.headers['content-length'], String(end - start + 1), range);
    assert.deepEqual(r.bytes, wasm.subarray(start, end + 1), range);
  }
  for (const range of ['bytes=8-', 'bytes=100-200', 'bytes=-0']) {
    const r = await raw('GET', '/m.wasm', { range });
    assert.equal(r.status, 416, range);
    assert.equal(r.headers['content-range'], 'bytes */8', range);
  }
  // Ignored, as RFC 9110 allows: several ranges, a malformed one, another unit, an If-Range (no validators here).
  const ignored: Record<string, string>[] = [{ range: 'bytes=0-1,4-5' }, { range: 'bytes=3-1' }, { range: 'items=0-1' }, { range: 'bytes=0-1', 'if-range': '"x"' }];
  for (const headers of ignored) {
    const r = await raw('GET', '/m.wasm', headers);
    assert.equal(r.status, 200, JSON.stringify(headers));
    assert.deepEqual(r.bytes, wasm, JSON.stringify(headers));
  }
  const full = await raw('GET', '/m.wasm');
  assert.equal(full.headers['accept-ranges'], 'bytes');
  const js = await raw('GET', '/big.js', { range: 'bytes=100-199', 'accept-encoding': 'gzip, br' });
  assert.deepEqual([js.status, js.headers['content-encoding'], js.headers['content-range']], [206, undefined, `bytes 100-199/${Buffer.byteLength(BIG_JS)}`]);
  assert.equal(js.body, BIG_JS.slice(100, 200));
  const head = await raw('HEAD', '/m.wasm', { range: 'bytes=1-3' });
  assert.deepEqual([head.status, head.headers['content-length'], head.body], [206, '3', '']);
});

/** The light (true) / dark modules of a plain half-block QR rendering, row by row. */
function plainModules(text: string): boolean[][] {
  const lines = text.split('\n').filter((l) => l !== '');
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    rows.push(chars.map((c) => c === '█' || c === '▀'), chars.map((c) => c === '█' || c === '▄'));
  }
  return rows;
}

test('NO_COLOR: the QR code has no ANSI escapes and draws exactly the code\'s modules (light as blocks, a quiet zone)', async () => {
  const url = 'http://192.168.1.20:8080/';
  const saved = process.env.NO_COLOR;
  try {
    process.env.NO_COLOR = '1';
    const plain = await terminalQr(url);
    assert.ok(!plain.includes('\x1b'), 'no escape sequences');
    const lines = plain.split('\n').filter((l) => l !== '');
    assert.ok(lines.every((l) => [...l].length === [...lines[0]].length && /^[█▀▄ ]+$/.test(l)));
    const grid = plainModules(plain);
    const { size, data } = QRCode.create(url, { errorCorrectionLevel: 'M' }).modules;
    const margin = ([...lines[0]].length - size) / 2;
    assert.ok(Number.isInteger(margin) && margin >= 2, `quiet zone ${margin}`);
    for (let y = 0; y < size + 2 * margin; y++) {
      for (let x = 0; x < size + 2 * margin; x++) {
        const [r, c] = [y - margin, x - margin];
        const dark = r >= 0 && c >= 0 && r < size && c < size && data[r * size + c] === 1;
        assert.equal(grid[y][x], !dark, `module ${r},${c}`);
      }
    }
    assert.notEqual(await terminalQr('http://192.168.1.21:8080/'), plain);
    process.env.NO_COLOR = '';
    assert.ok((await terminalQr(url)).includes('\x1b['), 'an empty NO_COLOR does not count');
    assert.ok(!(await terminalQr(url, { color: false })).includes('\x1b'));
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

const BIN = join(PACKAGE_ROOT, 'bin', 'ondevice.js');

/** Starts `ondevice serve ROOT --port 0 ARGS`; resolves with what it printed once it is ready, and a way to stop it. */
function serveCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ out: string; stop: () => void }> {
  const child = spawn(process.execPath, [BIN, 'serve', root, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // never outlive the test
  child.once('exit', () => clearTimeout(timer));
  let out = '';
  return new Promise((ok, fail) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (/Ctrl\+C/.test(out)) ok({ out, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${out}`)));
  });
}

test('the CLI: loopback unless --lan; --lan prints the network URLs and a QR code (plain under NO_COLOR); --lan with --host is refused', { timeout: 60_000 }, async () => {
  const help = spawnSync(process.execPath, [BIN, 'serve', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--lan\s/);
  assert.match(help.stdout, /--host <address>\s+interface to bind \(default: 127\.0\.0\.1/);

  const local = await serveCli([]);
  try {
    const url = /local:\s+(\S+)/.exec(local.out)![1];
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.doesNotMatch(local.out, /network:|[▀▄█]/, 'no LAN URL, no QR code');
    assert.match(local.out, /add --lan/);
    assert.equal((await fetch(new URL('g.mjs', url))).status, 200);
    for (const a of lanAddresses()) assert.equal(await refusal(`http://${a}:${new URL(url).port}/`), 'ECONNREFUSED');
  } finally {
    local.stop();
  }

  const lan = await serveCli(['--lan'], { NO_COLOR: '1' });
  try {
    const port = Number(/local:\s+http:\/\/localhost:(\d+)\//.exec(lan.out)![1]);
    const network = [...lan.out.matchAll(/network: (\S+)/g)].map((m) => m[1]);
    assert.deepEqual(network, lanUrls(port));
    if (network.length > 0) {
      assert.match(lan.out, /[▀▄█]{5}/, 'a QR code');
      assert.ok(!lan.out.includes('\x1b'), 'NO_COLOR: no escape sequences');
      assert.equal((await fetch(new URL('g.mjs', network[0]))).status, 200);
    }
  } finally {
    lan.stop();
  }

  const both = spawnSync(process.execPath, [BIN, 'serve', root, '--lan', '--host', '127.0.0.1'], { encoding: 'utf8' });
  assert.equal(both.status, 2);
  assert.equal(both.stderr.trim().split('\n').length, 1, both.stderr);
  assert.match(both.stderr, /--lan/);
});

test('the deployed web app works under the CSP in Chromium: wasm threads, service worker, camera, photo; no violation', { timeout: 120_000 }, async () => {
  const site = join(work, 'web');
  await deployWeb({ out: site });
  const own = await serveStatic(site, { port: 0, host: '127.0.0.1' });
  const browser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  try {
    const { context, urls } = await recordingContext(browser);
    const violations: string[] = [];
    context.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await context.addInitScript('document.addEventListener("securitypolicyviolation", (e) => console.error("Content Security Policy violation: " + e.violatedDirective + " " + e.blockedURI));');
    const page = await context.newPage();
    const response = await page.goto(`${own.url}?threads=2`);
    assert.equal(response!.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
    type Ondevice = { ready: Promise<unknown>; app: { session: { backend: string } }; serviceWorker?: string; history: { source: string }[] };
    let timer: NodeJS.Timeout | undefined;
    const backend = await Promise.race([page.evaluate(async () => {
      const o = (globalThis as unknown as { ondevice: Ondevice }).ondevice;
      await o.ready;
      return `${o.app.session.backend} isolated=${globalThis.crossOriginIsolated}`;
    }), new Promise<string>((_, fail) => { timer = setTimeout(() => fail(new Error(`the app did not start: ${violations.join('; ')}`)), 60_000); })]);
    clearTimeout(timer);
    assert.match(backend, /^wasm \(SIMD, 2 threads\) isolated=true$/, 'threaded wasm: compiled under wasm-unsafe-eval, workers allowed');
    await page.waitForFunction(() => (globalThis as unknown as { ondevice: Ondevice }).ondevice.serviceWorker === 'active' && navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await page.click('#mode-camera');
    await page.waitForFunction(() => (globalThis as unknown as { ondevice: Ondevice }).ondevice.history.some((e) => e.source === 'camera'), undefined, { timeout: 30_000 });
    await page.click('#mode-photo');
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#fff' } }).png().toBuffer();
    await page.setInputFiles('#file', { name: 'white.png', mimeType: 'image/png', buffer: png });
    await page.waitForFunction(() => (document.getElementById('photo') as HTMLImageElement).naturalWidth === 64, undefined, { timeout: 30_000 });
    assert.deepEqual(violations, []);
    const origin = new URL(own.url).origin;
    assert.deepEqual(urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:')), []);
    await context.close();
  } finally {
    await browser.close();
    await own.close();
  }
});
