// The static server: isolation headers, MIME types, folders, 404/405, no escaping the root, LAN URLs, the terminal QR code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { get as httpsGet } from 'node:https';
import { stripVTControlCharacters } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanUrls, serveStatic, type RunningServer } from '../../src/deploy/serve.ts';
import { resolveInside } from '../../src/util/static-files.ts';
import { terminalQr } from '../../src/deploy/qr.ts';
import { selfSignedCertificate } from '../../src/deploy/tls.ts';
import { UsageError } from '../../src/errors.ts';

let work: string;
let root: string;
let server: RunningServer;

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
  server = await serveStatic(root, { port: 0, host: '127.0.0.1' });
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A raw request (no URL normalisation, unlike fetch). */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c) => (body += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
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
  const bad = await rawSocket(server.port, 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(bad, /^HTTP\/1\.1 400 /);
  const badEscape = await rawSocket(server.port, 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(badEscape, /^HTTP\/1\.1 404 /);
  const absolute = await rawSocket(server.port, 'GET http://127.0.0.1/g.mjs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(absolute, /^HTTP\/1\.1 200 [^]*export const x/);
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
