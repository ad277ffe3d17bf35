// The JobQueue contract run against both engines: the embedded SQLite queue always, BullMQ on a real Redis when
// `redis-server` is installed (started here on a free port; skipped with the reason otherwise). Without Redis, the
// adapter's mapping and its refusal of an unreachable Redis are checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BullQueue, claimOrder, queueNameOf, recordOf, stateOf } from '../../src/hub/bullmq-queue.ts';
import { HubDatabase } from '../../src/hub/database.ts';
import { MAX_ATTEMPTS, type JobQueue } from '../../src/hub/queue.ts';
import { SqliteQueue } from '../../src/hub/sqlite-queue.ts';
import type { JobSpec } from '../../src/hub/protocol.ts';

const spec: JobSpec = { kind: 'profile', model: { sha256: 'a'.repeat(64), bytes: 1, format: 'onnx' }, backends: ['wasm'], inputDims: [1], warmup: 0, runs: 1, seed: 1 };

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** The behaviour every JobQueue must have. `fresh` gives an empty queue with its own namespace. */
function contract(engine: string, fresh: () => Promise<JobQueue>) {
  test(`${engine}: targets route jobs (id, name, any) and nothing is claimed twice`, async () => {
    const q = await fresh();
    try {
      const [forName, forId, forAny] = await q.enqueue([{ batch: 'c1', target: 'pixel', spec }, { batch: 'c1', target: 'd-7', spec }, { batch: 'c1', target: 'any', spec }]);
      const laptop = { id: 'd-1', name: 'laptop' }, pixel = { id: 'd-7', name: 'pixel' };
      const first = await q.claim(laptop);
      assert.equal(first?.id, forAny.id, 'a laptop can only take the job for any device');
      assert.equal(await q.claim(laptop), undefined);
      const a = await q.claim(pixel), b = await q.claim(pixel);
      assert.deepEqual(new Set([a?.id, b?.id]), new Set([forName.id, forId.id]));
      assert.equal(await q.claim(pixel), undefined);
      assert.deepEqual(await q.counts('c1'), { queued: 0, running: 3, done: 0, failed: 0 });
    } finally {
      await q.close();
    }
  });

  test(`${engine}: results, stale results, drops and the drop limit`, async () => {
    const q = await fresh();
    try {
      const [j] = await q.enqueue([{ batch: 'c2', target: 'any', spec }]);
      await q.claim({ id: 'd-1', name: 'x' });
      assert.equal((await q.release('d-1', 'gone'))[0]?.state, 'queued');
      assert.equal(await q.complete(j.id, 'd-1', { late: 1 }), undefined, 'the dropped device cannot finish it');
      assert.equal((await q.claim({ id: 'd-2', name: 'y' }))?.attempts, 2);
      const done = await q.complete(j.id, 'd-2', { p50: 1.25 });
      assert.equal(done?.state, 'done');
      assert.deepEqual(done?.result, { p50: 1.25 });
      assert.deepEqual(done?.history.map((h) => h.event), ['queued', 'started', 'dropped', 'started', 'done']);
      const [k] = await q.enqueue([{ batch: 'c2', target: 'any', spec }]);
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        assert.equal((await q.claim({ id: `d-${i}`, name: 'z' }))?.id, k.id);
        await q.release(`d-${i}`, 'gone');
      }
      assert.equal((await q.get(k.id))?.state, 'failed');
      const [f] = await q.enqueue([{ batch: 'c2', target: 'any', spec }]);
      await q.claim({ id: 'd-9', name: 'z' });
      assert.equal((await q.fail(f.id, 'd-9', 'model does not load'))?.error, 'model does not load');
      assert.deepEqual((await q.list({ batch: 'c2' })).map((r) => r.state), ['done', 'failed', 'failed']);
    } finally {
      await q.close();
    }
  });
}

describe('embedded SQLite queue', () => {
  const dirs: string[] = [];
  const dbs: HubDatabase[] = [];
  after(() => {
    for (const d of dbs) d.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  contract('sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-qc-'));
    dirs.push(dir);
    const db = HubDatabase.open(join(dir, 'hub.db'));
    dbs.push(db);
    return new SqliteQueue(db);
  });
});

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
describe('BullMQ on Redis', { skip: hasRedis ? false : 'redis-server is not installed: only the checks without Redis run' }, () => {
  let redis: ChildProcess;
  let url = '';
  let n = 0;
  before(async () => {
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() === 'PONG') break;
      await new Promise((ok) => setTimeout(ok, 100));
    }
  });
  after(() => {
    redis?.kill();
  });
  contract('bullmq', () => BullQueue.create({ url, prefix: `t${process.pid}-${n++}` }));
});

test('without Redis: an unreachable Redis is one clear error, and the BullMQ mapping', async () => {
  const port = await freePort();
  const t0 = Date.now();
  await assert.rejects(BullQueue.create({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1500 }), (e: Error) => {
    assert.match(e.message, new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: `));
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
  assert.ok(Date.now() - t0 < 10_000);
  assert.deepEqual(claimOrder({ id: 'd-1', name: 'Pixel 8' }), [queueNameOf('d-1'), queueNameOf('Pixel 8'), queueNameOf('any')]);
  assert.match(queueNameOf('a:b c'), /^jobs\.[A-Za-z0-9_-]+$/, 'no ":" (BullMQ\'s key separator) in queue names');
  assert.deepEqual(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'].map(stateOf), ['queued', 'queued', 'queued', 'running', 'done', 'failed']);
  const r = recordOf({ id: 'j-1', data: { batch: 'b', target: 'any', spec, kind: 'profile', deviceId: 'd-1', attempts: 1, history: [] }, returnvalue: { x: 1 }, timestamp: 5, processedOn: 6, finishedOn: 7 }, 'completed');
  assert.deepEqual([r.state, r.deviceId, r.result, r.createdAt, r.startedAt, r.finishedAt, r.error], ['done', 'd-1', { x: 1 }, 5, 6, 7, null]);
});
