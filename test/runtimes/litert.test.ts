// The 'litert' runtime: LiteRT.js in headless Chromium runs hand-made .tflite files and matches plain-JS arithmetic.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { closeLiteRt, litertRuntime, type LiteRtSession } from '../../src/runtimes/litert.ts';
import { acquireHost, releaseHost } from '../../src/runtimes/litert/host.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { buildTflite, denseModel, denseReference, mulModel } from './litert-model.ts';
import { seededFloats } from '../../src/util/random.ts';

let dir: string;
let dense: LiteRtSession;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ondevice-litert-'));
  writeFileSync(join(dir, 'dense.tflite'), denseModel());
  dense = (await litertRuntime.load(join(dir, 'dense.tflite'))) as LiteRtSession;
});

after(async () => {
  await dense?.release();
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeded floats in [-2, 2). */
const floats = (n: number, seed: number): Float32Array => seededFloats(n, seed, -2, 2);

test('litert is available here and is the runtime for .tflite', async () => {
  assert.equal(await litertRuntime.available(), true);
  assert.equal((await resolveRuntime({ format: 'tflite' })).name, 'litert');
});

test('reports input and output names, dtypes and shapes from the compiled model', () => {
  assert.deepEqual(dense.inputs, [
    { name: 'x', dtype: 'float32', shape: [1, 4] },
    { name: 'y', dtype: 'float32', shape: [1, 3] },
  ]);
  assert.deepEqual(dense.outputs, [
    { name: 'out', dtype: 'float32', shape: [1, 3] },
    { name: 'h', dtype: 'float32', shape: [1, 3] },
  ]);
});

test('FullyConnected + Add/ReLU outputs match plain-JS arithmetic; fetches limit outputs; in-page latency is reported', async () => {
  let clipped = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const x = floats(4, seed);
    const y = floats(3, seed + 100);
    const got = await dense.run({ x: { dtype: 'float32', dims: [1, 4], data: x }, y: { dtype: 'float32', dims: [1, 3], data: y } });
    const [out, h] = denseReference(x, y);
    assert.deepEqual(Object.keys(got).sort(), ['h', 'out']);
    assert.deepEqual(got.out.dims, [1, 3]);
    assert.equal(got.out.dtype, 'float32');
    assert.ok(got.out.data instanceof Float32Array);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs((got.out.data[i] as number) - out[i]) <= 1e-5, `out[${i}] ${got.out.data[i]} vs ${out[i]}`);
      assert.ok(Math.abs((got.h.data[i] as number) - h[i]) <= 1e-5, `h[${i}] ${got.h.data[i]} vs ${h[i]}`);
    }
    clipped += out.filter((v) => v === 0).length;
  }
  assert.ok(clipped > 0, 'the fused ReLU was exercised');
  const only = await dense.run({ x: { dtype: 'float32', dims: [1, 4], data: floats(4, 9) }, y: { dtype: 'float32', dims: [1, 3], data: floats(3, 10) } }, ['h']);
  assert.deepEqual(Object.keys(only), ['h']);
  const ms = dense.lastRunMs();
  assert.ok(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms < 10_000, `lastRunMs ${ms}`);
});

test('a 1 MiB input (fetched by the page over HTTP) and int32 tensors come back exact', async () => {
  const shape = [1, 128, 128, 16];
  const n = 128 * 128 * 16;
  const file = join(dir, 'mul.tflite');
  writeFileSync(file, mulModel(shape));
  const a = floats(n, 7);
  const b = floats(n, 8);
  const mul = await litertRuntime.load(file);
  try {
    const got = await mul.run({ a: { dtype: 'float32', dims: shape, data: a }, b: { dtype: 'float32', dims: shape, data: b } });
    assert.deepEqual(got.prod.dims, shape);
    const p = got.prod.data as Float32Array;
    let bad = 0;
    for (let i = 0; i < n; i++) if (p[i] !== Math.fround(a[i] * b[i])) bad++;
    assert.equal(bad, 0);
  } finally {
    await mul.release();
  }

  const intFile = join(dir, 'add-int32.tflite');
  writeFileSync(intFile, buildTflite({
    tensors: [{ name: 'p', shape: [2, 3], dtype: 'int32' }, { name: 'q', shape: [2, 3], dtype: 'int32' }, { name: 'sum', shape: [2, 3], dtype: 'int32' }],
    inputs: [0, 1], outputs: [2], ops: [{ op: 'ADD', inputs: [0, 1], outputs: [2] }],
  }));
  const add = await litertRuntime.load(intFile);
  try {
    assert.equal(add.inputs[0].dtype, 'int32');
    const p = Int32Array.from([1, -2, 3, 2_000_000_000, 5, -6]);
    const q = Int32Array.from([10, 20, -30, 100, 0, -7]);
    const got = await add.run({ p: { dtype: 'int32', dims: [2, 3], data: p }, q: { dtype: 'int32', dims: [2, 3], data: q } });
    assert.ok(got.sum.data instanceof Int32Array);
    assert.deepEqual([...got.sum.data as Int32Array], [11, 18, -27, 2_000_000_100, 5, -13]);
  } finally {
    await add.release();
  }
});

test('a bad .tflite gives one clear error naming the file, and the runtime keeps working', async () => {
  const notTflite = join(dir, 'not.tflite');
  writeFileSync(notTflite, Buffer.from('this is not a flatbuffer at all'));
  await assert.rejects(litertRuntime.load(notTflite), (e: Error & { file?: string }) => {
    assert.equal(e.file, notTflite);
    assert.match(e.message, /^LiteRT cannot load the model: not a TFLite flatbuffer/);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  const good = denseModel();
  const corrupt = good.slice();
  for (let i = 8; i < corrupt.length; i++) corrupt[i] = (i * 37) & 255;
  const corruptFile = join(dir, 'corrupt.tflite');
  writeFileSync(corruptFile, corrupt);
  await assert.rejects(litertRuntime.load(corruptFile), (e: Error & { file?: string }) => {
    assert.equal(e.file, corruptFile);
    assert.equal(e.message, 'LiteRT cannot load the model: Failed to load model from buffer');
    return true;
  });
  const x = floats(4, 3);
  const y = floats(3, 4);
  const got = await dense.run({ x: { dtype: 'float32', dims: [1, 4], data: x }, y: { dtype: 'float32', dims: [1, 3], data: y } });
  assert.ok(Math.abs((got.h.data[0] as number) - denseReference(x, y)[1][0]) <= 1e-5);
});

test('wrong feeds give one clear error', async () => {
  const y = { dtype: 'float32' as const, dims: [1, 3], data: floats(3, 1) };
  await assert.rejects(dense.run({ y }), /missing input x/);
  await assert.rejects(dense.run({ x: { dtype: 'int32', dims: [1, 4], data: new Int32Array(4) }, y }), /input x must be float32, got int32/);
  await assert.rejects(dense.run({ x: { dtype: 'float32', dims: [1, 5], data: new Float32Array(4) }, y }), /dims \[1,5\] hold 5 values but the data has 4/);
  await assert.rejects(dense.run({ x: { dtype: 'float32', dims: [1, 4], data: new Float32Array(4) }, y }, ['nope']), /unknown output nope/);
});

test('the page only ever talks to the local server, and could not reach anything else', async () => {
  const host = await acquireHost(1);
  try {
    const { origin } = host.server;
    assert.ok(host.page.requests.length >= 5, 'page, script, LiteRT bundle, wasm, model were all requested');
    assert.ok(host.page.requests.some((u) => u.endsWith('.wasm')));
    for (const u of host.page.requests) assert.ok(u.startsWith(`${origin}/`), `request outside the local server: ${u}`);
    assert.deepEqual(host.page.foreign, []);
    const failed = host.server.log.filter((l) => !/ 2\d\d$/.test(l));
    assert.deepEqual(failed, [], 'every request the page made was served');
    // The recorder and the network lock both work: a foreign request is recorded, and fails.
    const outcome = await host.page.page.evaluate(() => fetch('http://example.com/probe', { mode: 'no-cors' }).then(() => 'reached', () => 'failed'));
    assert.equal(outcome, 'failed');
    assert.deepEqual(host.page.foreign, ['http://example.com/probe']);
  } finally {
    releaseHost(1, host);
  }
});

test('a session whose browser was closed (idle, or closeLiteRt) reopens it and recompiles on the next run', async () => {
  const x = floats(4, 21);
  const y = floats(3, 22);
  await closeLiteRt();
  const got = await dense.run({ x: { dtype: 'float32', dims: [1, 4], data: x }, y: { dtype: 'float32', dims: [1, 3], data: y } });
  const [out] = denseReference(x, y);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs((got.out.data[i] as number) - out[i]) <= 1e-5);
});
