// profileModel on the real LeNet-5 with both runtimes: positive, ordered figures; run counts respected; per-op time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { fileURLToPath } from 'node:url';
import { profileModel } from '../../src/profile/profile.ts';
import { synthesizeInputs } from '../../src/profile/inputs.ts';
import { parseInputShapes } from '../../src/ir/input-shapes.ts';
import { UsageError } from '../../src/errors.ts';

const lenet = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));

for (const runtime of ['ort-node', 'ort-web-wasm']) {
  test(`profile LeNet-5 on ${runtime}`, async () => {
    const r = await profileModel(lenet, { runtime, warmup: 3, runs: 37, perOpRuns: 5 });
    assert.equal(r.runtime, runtime);
    assert.equal(r.fileBytes, statSync(lenet).size);
    assert.equal(r.runs, 37);
    assert.equal(r.warmup, 3);
    assert.equal(r.samplesMs.length, 37);
    assert.equal(r.latencyMs.count, 37);
    assert.deepEqual(r.inputs, [{ name: 'input', dtype: 'float32', dims: [1, 1, 28, 28] }]);
    for (const v of [r.loadMs, r.firstInferenceMs, r.latencyMs.p50, r.latencyMs.mean, r.throughputPerSec, r.memory.maxRssBytes, r.memory.rssBeforeBytes]) {
      assert.ok(v > 0 && Number.isFinite(v), `${v}`);
    }
    assert.ok(r.memory.peakRssDeltaBytes >= 0);
    assert.ok(r.memory.maxRssBytes >= r.memory.rssBeforeBytes);
    const l = r.latencyMs;
    assert.ok(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
    assert.ok(Math.abs(r.throughputPerSec - 1000 / l.mean) < 1e-6 * r.throughputPerSec);
    assert.ok(r.opTimes, 'per-op times');
    assert.equal(r.opTimes.runs, 5);
    const ops = r.opTimes.byOp.map((o) => o.op);
    assert.ok(ops.some((op) => /Conv/.test(op)), ops.join(','));
    if (runtime === 'ort-node') assert.ok(ops.includes('Conv') || ops.includes('FusedConv'), ops.join(','));
    assert.ok(r.opTimes.byOp.some((o) => o.op.includes('Gemm')), ops.join(','));
    assert.ok(r.opTimes.topNodes.length > 0 && r.opTimes.totalUs > 0);
  });
}

test('--input-shape fixes symbolic dims; a dynamic non-batch dim is refused, never invented; bad shapes and runtimes are one clear line', async () => {
  const r = await profileModel(lenet, { warmup: 0, runs: 2, perOp: false, shapes: parseInputShapes(['input=4,1,28,28']) });
  assert.deepEqual(r.inputs[0].dims, [4, 1, 28, 28]);
  assert.equal(r.opTimes, null);
  const info = [{ name: 'x', dtype: 'float32' as const, shape: ['N', 3, 8, 8] }];
  assert.throws(() => parseInputShapes(['x=1,3,bad']), UsageError);
  assert.throws(() => synthesizeInputs(info, { x: [1, 4, 8, 8] }), /dim 1 is fixed at 3/);
  assert.throws(() => synthesizeInputs(info, { y: [1, 3, 8, 8] }), /names 'y'/);
  assert.deepEqual(synthesizeInputs(info).x.dims, [1, 3, 8, 8]);
  // Dynamic height and width (as in PaddleOCR) are not silently set to 1: the error names the flag to give.
  const dynamic = [{ name: 'x', dtype: 'float32' as const, shape: ['N', 3, 'H', 'W'] }];
  assert.throws(() => synthesizeInputs(dynamic), (e: unknown) => e instanceof UsageError && e.message === "input 'x' has dynamic dims [N,3,H,W]; give them with --input-shape x=1,3,N,N");
  assert.deepEqual(synthesizeInputs(dynamic, { x: [1, 3, 48, 192] }).x.dims, [1, 3, 48, 192]);
  await assert.rejects(profileModel(lenet, { runtime: 'coreml' }), (e: unknown) => e instanceof UsageError && /unknown runtime 'coreml'/.test(e.message));
  await assert.rejects(profileModel(lenet, { runs: 0 }), UsageError);
});

/** Runs `fn` with the temp folder (os.tmpdir()) pointed at a fresh folder; returns what is left in it afterwards. */
async function leftInTmp(fn: () => Promise<unknown>): Promise<string[]> {
  const saved = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-profile-tmp-'));
  process.env.TMPDIR = dir;
  try {
    assert.equal(tmpdir(), dir);
    await fn();
    return readdirSync(dir);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('bad per-op options are refused before anything is loaded: no profiler temp folder leaks', async () => {
  const left = await leftInTmp(async () => {
    await assert.rejects(profileModel(lenet, { runtime: 'ort-node', warmup: 0, runs: 2, perOpRuns: 0 }), (e: unknown) => e instanceof UsageError && /--per-op-runs/.test(e.message));
    await assert.rejects(profileModel(lenet, { runtime: 'ort-node', warmup: 0, runs: 2, topNodes: -1 }), UsageError);
    // Checked before the runtime is even resolved, let alone loaded.
    await assert.rejects(profileModel(lenet, { runtime: 'coreml', perOpRuns: 0 }), (e: unknown) => e instanceof UsageError && /--per-op-runs/.test(e.message));
  });
  assert.deepEqual(left, []);
});

test('ort-node: release() removes the profiler temp folder even when endProfiling is never called', async () => {
  let during: string[] = [];
  const left = await leftInTmp(async () => {
    const session = await ortNodeRuntime.load(lenet, { profile: true });
    during = readdirSync(tmpdir());
    await session.run({ input: { dtype: 'float32', dims: [1, 1, 28, 28], data: new Float32Array(784) } });
    await session.release();
  });
  assert.equal(during.filter((f) => f.startsWith('ondevice-ort-profile-')).length, 1, 'the session made its profiler folder');
  assert.deepEqual(left, []);
});
