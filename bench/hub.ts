// Benchmark: the hub with 50 simulated devices (plain ws clients in Node speaking the device protocol) and 1,000 jobs,
// some devices dropping mid-job and coming back. Prints throughput and job latency; fails if any job is lost.
// Usage: npm run bench:hub [-- --devices 50 --jobs 1000 --drops 10]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HubClient } from '../src/hub/client.ts';
import { SimulatedDevice } from '../src/hub/simulated-device.ts';
import { startHub } from '../src/hub/server.ts';
import { latencyStats } from '../src/profile/stats.ts';
import { DEFAULT_MODEL } from '../src/paths.ts';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '50' }, jobs: { type: 'string', default: '1000' }, drops: { type: 'string', default: '10' } } });
const DEVICES = Number(args.devices), JOBS = Number(args.jobs), DROPS = Number(args.drops);

const work = mkdtempSync(join(tmpdir(), 'ondevice-bench-hub-'));
const hub = await startHub({ db: join(work, 'hub.db'), port: 0 });
try {
  const client = new HubClient({ url: hub.url, token: hub.adminToken });
  const devices: SimulatedDevice[] = [];
  for (let i = 0; i < DEVICES; i++) devices.push(await SimulatedDevice.pair(hub.url, hub.pairingCode(), { name: `sim-${i}`, jobMs: () => 2 + Math.random() * 8 }));
  const model = await client.uploadModel(DEFAULT_MODEL.path, 'onnx');
  const spec = { kind: 'profile' as const, model, backends: ['wasm' as const], inputDims: [1, 1, 28, 28], warmup: 0, runs: 1, seed: 1 };
  // Devices drop mid-job while the batch runs, then reconnect a little later.
  let dropped = 0;
  const dropper = setInterval(() => {
    const busy = devices.find((d) => d.current !== null && d.connected);
    if (!busy || dropped >= DROPS) return;
    dropped++;
    busy.drop();
    setTimeout(() => void busy.connect(), 50);
  }, 100);
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 25) {
    const chunk = await Promise.all(Array.from({ length: Math.min(25, JOBS - i) }, () => client.submit({ target: 'any', spec, batch: 'bench' })));
    ids.push(...chunk.map((c) => c.jobs[0].id));
  }
  const submitted = (performance.now() - t0) / 1000;
  for (;;) {
    const c = await client.counts('bench');
    if (c.queued + c.running === 0) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(dropper);
  const jobs = await client.jobs({ batch: 'bench', full: true });
  const done = jobs.filter((j) => j.state === 'done');
  const lost = JOBS - done.length;
  const requeued = jobs.filter((j) => j.attempts > 1).length;
  const latency = latencyStats(done.map((j) => j.finishedAt! - j.createdAt));
  const executed = devices.reduce((s, d) => s + d.done.length, 0);
  console.log(`hub bench: ${DEVICES} simulated devices × ${JOBS} jobs (queue ${hub.queue.engine}, SQLite ${(statSync(hub.database.path).size / 1024).toFixed(0)} KiB)`);
  console.log(`  done ${done.length}, failed ${jobs.length - done.length}, lost ${lost}; ${dropped} devices dropped mid-job, ${requeued} jobs re-queued; ${executed} results sent`);
  console.log(`  throughput ${(done.length / seconds).toFixed(1)} jobs/s over ${seconds.toFixed(2)} s (submission included; submitting took ${submitted.toFixed(2)} s)`);
  console.log(`  job latency (queued → done) p50 ${latency.p50.toFixed(0)} ms, p90 ${latency.p90.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms, max ${latency.max.toFixed(0)} ms`);
  for (const d of devices) d.drop();
  if (lost > 0 || ids.length !== JOBS) process.exitCode = 1;
} finally {
  await hub.close();
  rmSync(work, { recursive: true, force: true });
}
