// The local server for browser runtimes: malformed requests fail alone, mounts never escape their folder, shared MIME table.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../../src/runtimes/browser/server.ts';

let work: string;
let server: LocalServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ondevice-local-server-'));
  mkdirSync(join(work, 'mount'));
  writeFileSync(join(work, 'mount', 'a.wasm'), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(work, 'mount', 'm.tflite'), 'model');
  writeFileSync(join(work, 'secret.txt'), 'outside the mount');
  symlinkSync(join(work, 'secret.txt'), join(work, 'mount', 'leak.txt'));
  server = await startLocalServer({ mounts: { '/m/': join(work, 'mount') }, blobs: { '/page.html': { body: '<p>page</p>' } } });
});

after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Sends a raw request (any request line) and returns the status line. */
function statusOf(requestLine: string): Promise<string> {
  const port = Number(new URL(server.origin).port);
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.setEncoding('latin1').on('data', (c) => (answer += c)).on('end', () => ok(answer.split('\r\n')[0])).on('error', fail);
  });
}

test('a bad %-escape or an unparsable URL gets an error status; the server keeps serving', async () => {
  assert.equal(await statusOf('GET /m/%E0%A4%A HTTP/1.1'), 'HTTP/1.1 404 Not Found');
  assert.equal(await statusOf('GET http://[ HTTP/1.1'), 'HTTP/1.1 400 Bad Request');
  const r = await fetch(`${server.origin}/m/a.wasm`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/wasm');
  assert.equal((await fetch(`${server.origin}/page.html`)).headers.get('content-type'), 'text/html; charset=utf-8');
});

test('mounted files: the shared MIME table, nothing outside the folder (not through .. nor a symlink)', async () => {
  assert.equal((await fetch(`${server.origin}/m/m.tflite`)).headers.get('content-type'), 'application/octet-stream');
  for (const path of ['/m/leak.txt', '/m/..%2fsecret.txt', '/m/%2e%2e/secret.txt']) {
    const r = await fetch(`${server.origin}${path}`);
    assert.equal(r.status, 404, path);
    assert.ok(!(await r.text()).includes('outside the mount'), path);
  }
  assert.equal(await statusOf('GET /m/../secret.txt HTTP/1.1'), 'HTTP/1.1 404 Not Found');
});
