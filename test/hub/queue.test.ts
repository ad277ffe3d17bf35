// The embedded queue over a real SQLite file: claim order and targets, stale results, drops, restart recovery; pairing codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubDatabase } from '../../src/hub/database.ts';
import { DeviceStore, cleanName } from '../../src/hub/devices.ts';
import { CODE_TTL_MS, MAX_FAILED_PER_MINUTE, PairingCodes } from '../../src/hub/pairing.ts';
import { MAX_ATTEMPTS, type NewJob } from '../../src/hub/queue.ts';
import { SqliteQueue } from '../../src/hub/sqlite-queue.ts';
import { simulatedInfo } from '../../src/hub/simulated-device.ts';
import type { JobSpec } from '../../src/hub/protocol.ts';

const spec: JobSpec = { kind: 'profile', model: { sha256: 'a'.repeat(64), bytes: 1, format: 'onnx' }, backends: ['wasm'], inputDims: [1], warmup: 0, runs: 1, seed: 1 };
const job = (target: string, batch = 'b'): NewJob => ({ batch, target, spec });

function withDb(fn: (db: HubDatabase, path: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-hubq-'));
    const path = join(dir, 'hub.db');
    const db = HubDatabase.open(path);
    try {
      await fn(db, path);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('claims go oldest first to devices the target names (any, a name, an id); no job is claimed twice', withDb(async (db) => {
  const q = new SqliteQueue(db);
  const [j1, j2, j3] = await q.enqueue([job('any'), job('pixel'), job('d-1')]);
  const a = { id: 'd-1', name: 'laptop' }, b = { id: 'd-2', name: 'pixel' };
  assert.equal((await q.claim(a))?.id, j1.id);
  assert.equal((await q.claim(b))?.id, j2.id);
  assert.equal(await q.claim(b), undefined, 'the last job is for d-1 only');
  const c = await q.claim(a);
  assert.equal(c?.id, j3.id);
  assert.equal(c?.state, 'running');
  assert.equal(c?.attempts, 1);
  assert.equal(await q.claim(a), undefined);
  assert.deepEqual(await q.counts('b'), { queued: 0, running: 3, done: 0, failed: 0 });
}));

test('a dropped job goes back to the queue; the old device\'s late result is ignored; the next device finishes it', withDb(async (db) => {
  const q = new SqliteQueue(db);
  const [j] = await q.enqueue([job('any')]);
  await q.claim({ id: 'd-1', name: 'x' });
  const released = await q.release('d-1', 'gone');
  assert.equal(released[0].state, 'queued');
  assert.equal(await q.complete(j.id, 'd-1', { late: true }), undefined, 'a result from a device that no longer holds the job');
  const again = await q.claim({ id: 'd-2', name: 'y' });
  assert.equal(again?.attempts, 2);
  const done = await q.complete(j.id, 'd-2', { ok: 1 });
  assert.equal(done?.state, 'done');
  assert.deepEqual(done?.result, { ok: 1 });
  assert.deepEqual(done?.history.map((h) => h.event), ['queued', 'started', 'dropped', 'started', 'done']);
  assert.equal(await q.fail(j.id, 'd-2', 'twice'), undefined, 'a finished job stays finished');
}));

test(`a job dropped ${MAX_ATTEMPTS} times fails instead of looping forever`, withDb(async (db) => {
  const q = new SqliteQueue(db);
  const [j] = await q.enqueue([job('any')]);
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    assert.ok(await q.claim({ id: `d-${i}`, name: 'x' }));
    await q.release(`d-${i}`, 'gone');
  }
  const failed = await q.get(j.id);
  assert.equal(failed?.state, 'failed');
  assert.match(failed?.error ?? '', /dropped by its device 5 times/);
}));

test('everything survives closing and reopening the file; jobs left running are re-queued by recover()', withDb(async (db, path) => {
  let q = new SqliteQueue(db);
  const [j1, j2] = await q.enqueue([job('any'), job('any')]);
  await q.claim({ id: 'd-1', name: 'x' });
  await q.complete(j1.id, 'd-1', { latency: 1.5 });
  await q.claim({ id: 'd-1', name: 'x' });
  const devices = new DeviceStore(db);
  const { device, token } = db.transaction(() => devices.add(simulatedInfo('phone')));
  db.close();
  const reopened = HubDatabase.open(path);
  try {
    q = new SqliteQueue(reopened);
    assert.equal(await q.recover(), 1);
    assert.deepEqual((await q.get(j1.id))?.result, { latency: 1.5 });
    const back = await q.get(j2.id);
    assert.equal(back?.state, 'queued');
    assert.equal(back?.history.at(-1)?.event, 'recovered');
    assert.equal(new DeviceStore(reopened).byToken(token)?.id, device.id, 'a paired device keeps its token');
    assert.equal(new DeviceStore(reopened).byToken(`${token}x`), undefined);
  } finally {
    reopened.close();
  }
}));

test('a step that throws leaves no write behind; writes commit together and flushed() waits for the commit', withDb(async (db) => {
  const q = new SqliteQueue(db);
  assert.throws(() => db.transaction(() => {
    db.db.run(`INSERT INTO meta (key, value) VALUES ('x', '1')`);
    throw new Error('boom');
  }), /boom/);
  assert.equal(db.meta('x'), undefined);
  db.transaction(() => db.setMeta('y', '2'));
  await db.flushed();
  assert.equal(db.meta('y'), '2');
  assert.equal((await q.list()).length, 0);
}));

test('one hub per database: a second open is refused while the first holds it, a stale lock of a dead hub is cleared', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-hubl-'));
  const path = join(dir, 'hub.db');
  try {
    const first = HubDatabase.open(path);
    assert.throws(() => HubDatabase.open(path), /in use by process \d+/);
    first.close();
    // A hub killed with its lock held: the lock folder and a pid that no longer runs.
    mkdirSync(`${path}.lock`, { recursive: true });
    writeFileSync(`${path}.pid`, '4194303\n');
    const second = HubDatabase.open(path);
    second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pairing codes work once, expire, and pause after many wrong guesses', () => {
  let now = 1_000_000;
  const codes = new PairingCodes(() => now);
  const c = codes.issue();
  assert.match(c, /^[A-HJKMNP-Z2-9]{8}$/);
  assert.equal(codes.redeem(`${c.slice(0, 4).toLowerCase()}-${c.slice(4)}`), true, 'typed in lower case with a dash');
  assert.equal(codes.redeem(c), false, 'used');
  const old = codes.issue();
  now += CODE_TTL_MS + 1;
  assert.equal(codes.redeem(old), false, 'expired');
  const good = codes.issue();
  for (let i = 0; i < MAX_FAILED_PER_MINUTE; i++) codes.redeem('WRONGXYZ');
  assert.equal(codes.redeem(good), false, 'paused after too many wrong codes');
  now += 61_000;
  assert.equal(codes.redeem(good), true, 'and open again a minute later');
  assert.equal(cleanName('<script>x</script> Pixel 8'), 'scriptxscript Pixel 8');
  assert.equal(cleanName(''), 'device');
});
