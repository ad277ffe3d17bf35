// ort-web-wasm runs LeNet-5 in Node with the same outputs as ort-node on real MNIST images, and is in the registry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mnistBatches } from '../../src/data/mnist.ts';
import { resolveRuntime, runtimeNames } from '../../src/runtimes/registry.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { ortWebWasmRuntime } from '../../src/runtimes/ort-web.ts';
import { UsageError } from '../../src/errors.ts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModel } from '../../src/formats/registry.ts';
import { writeOnnx } from '../../src/formats/onnx/index.ts';

const lenet = fileURLToPath(new URL('../../models/lenet5/lenet5.onnx', import.meta.url));

test('ort-web-wasm is registered after ort-node and available', async () => {
  const names = runtimeNames();
  assert.ok(names.indexOf('ort-web-wasm') > names.indexOf('ort-node'));
  assert.equal((await resolveRuntime({ name: 'ort-web-wasm' })).name, 'ort-web-wasm');
  await assert.rejects(resolveRuntime({ name: 'tflite-gpu' }), (e: unknown) => e instanceof UsageError && /unknown runtime 'tflite-gpu'.*ort-web-wasm/.test(e.message));
});

test('ort-web-wasm and ort-node agree within 1e-4 on 256 real MNIST test images', async () => {
  const web = await ortWebWasmRuntime.load(lenet, { threads: 1 });
  const node = await ortNodeRuntime.load(lenet);
  try {
    assert.deepEqual(web.inputs, node.inputs);
    assert.deepEqual(web.outputs.map((o) => o.name), ['logits']);
    let compared = 0, maxDiff = 0;
    for (const b of mnistBatches('test', 128, undefined, { limit: 256 })) {
      const feed = { input: { dtype: 'float32' as const, dims: b.dims, data: b.input } };
      const [w, n] = [(await web.run(feed)).logits, (await node.run(feed)).logits];
      assert.deepEqual(w.dims, [b.dims[0], 10]);
      assert.deepEqual(w.dims, n.dims);
      for (let i = 0; i < w.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs((w.data[i] as number) - (n.data[i] as number)));
      compared += b.dims[0];
    }
    assert.equal(compared, 256);
    assert.ok(maxDiff <= 1e-4, `max abs difference ${maxDiff}`);
  } finally {
    await web.release();
    await node.release();
  }
});

test('ort-web-wasm names the file when it cannot load a model', async () => {
  await assert.rejects(ortWebWasmRuntime.load(fileURLToPath(new URL('../../package.json', import.meta.url))),
    (e: Error) => /onnxruntime-web \(wasm\) cannot load the model/.test(e.message));
});

test('ort-web-wasm loads a model whose weights are in an external-data file, with the same outputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-ort-web-external-'));
  try {
    const external = join(dir, 'lenet-ext.onnx');
    await writeOnnx(await readModel(lenet), external, { externalDataThreshold: 1024 });
    assert.deepEqual(readdirSync(dir).sort(), ['lenet-ext.onnx', 'lenet-ext.onnx.data']);
    const web = await ortWebWasmRuntime.load(external, { threads: 1 });
    const node = await ortNodeRuntime.load(lenet);
    try {
      const [b] = mnistBatches('test', 16, undefined, { limit: 16 });
      const feed = { input: { dtype: 'float32' as const, dims: b.dims, data: b.input } };
      const [w, n] = [(await web.run(feed)).logits, (await node.run(feed)).logits];
      assert.deepEqual(w.dims, n.dims);
      for (let i = 0; i < w.data.length; i++) assert.ok(Math.abs((w.data[i] as number) - (n.data[i] as number)) <= 1e-4, `logit ${i}`);
    } finally {
      await web.release();
      await node.release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
