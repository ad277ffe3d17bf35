// LeNet-5 quantized for real: w8a8 (calibrated on MNIST train) and fp16 keep top-1 on the 10,000 test images and shrink the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { UsageError } from '../../src/errors.ts';
import { evaluateClassifier } from '../../src/evaluate/classify.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { tensorFloats } from '../../src/ir/tensor.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import { readProvenance } from '../../src/quantize/provenance.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-quantize-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function top1(path: string): Promise<number> {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(path);
  try {
    return (await evaluateClassifier(session, mnistBatches('test', 1000))).top1;
  } finally {
    await session.release();
  }
}

const floatSize = statSync(DEFAULT_MODEL.path).size;
const floatTop1 = top1(DEFAULT_MODEL.path);

test('w8a8 calibrated on 1000 MNIST train images loses <= 0.2 points top-1; file shrinks by 3 bytes per weight', async () => {
  const { model, report } = await quantizeModel(await readModel(DEFAULT_MODEL.path), {
    scheme: 'w8a8', calibration: { source: mnistSource('train'), method: 'minmax', limit: 1000 },
  });
  const out = join(dir, 'lenet5.w8a8.onnx');
  await writeModel(model, out);
  const [base, quant] = [await floatTop1, await top1(out)];
  const drop = (base - quant) * 100;
  const ratio = statSync(out).size / floatSize;
  console.log(`w8a8: top-1 ${base} → ${quant} (drop ${drop.toFixed(2)} points), size ${(ratio * 100).toFixed(1)}% of float32`);
  assert.ok(drop <= 0.2, `w8a8 lost ${drop.toFixed(2)} points`);
  // The bound, derived from the float model rather than copied from a measurement: each Conv/Gemm weight goes from 4 bytes
  // to 1, each output channel gains a float32 scale and at most an int8 zero point, biases stay 4 bytes (int32), and
  // the Q/DQ nodes plus the provenance metadata take under 2 KB. The int8 weights alone set the floor.
  const float = await readModel(DEFAULT_MODEL.path);
  let weights = 0, channels = 0;
  for (const n of float.graph.nodes.filter((x) => x.op === 'Conv' || x.op === 'Gemm')) {
    const w = float.graph.initializers.get(n.inputs[1])!;
    weights += w.dims.reduce((a, b) => a * b, 1);
    channels += w.dims[0];
  }
  const size = statSync(out).size;
  const bound = floatSize - 3 * weights + 5 * channels + 2048;
  assert.ok(size >= weights && size <= bound, `w8a8 file is ${size} bytes; int8 weights ${weights} bytes, bound ${bound} (${(bound / floatSize * 100).toFixed(1)}% of float32)`);
  const reloaded = await readModel(out);
  const ops = reloaded.graph.nodes.map((n) => n.op);
  assert.equal(ops.filter((o) => o === 'Conv').length, 2);
  assert.ok(ops.filter((o) => o === 'QuantizeLinear').length >= 5);
  // A Relu before a QuantizeLinear whose zero point is the grid minimum (int8 -128 here) is redundant (the grid clamps at 0): none is left.
  const producer = new Map(reloaded.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  assert.equal(ops.filter((o) => o === 'Relu').length, 0);
  // Every Conv/Gemm weight is int8 behind a DequantizeLinear; biases are int32.
  for (const n of reloaded.graph.nodes.filter((x) => x.op === 'Conv' || x.op === 'Gemm')) {
    const wdq = producer.get(n.inputs[1])!;
    assert.equal(wdq.op, 'DequantizeLinear');
    assert.equal(reloaded.graph.initializers.get(wdq.inputs[0])!.dtype, 'int8');
    assert.equal(reloaded.graph.initializers.get(producer.get(n.inputs[2])!.inputs[0])!.dtype, 'int32');
  }
  assert.equal(report.float.length, 0);
  const prov = readProvenance(reloaded)!;
  assert.equal(prov.scheme, 'w8a8');
  assert.equal(prov.method, 'minmax');
  assert.equal(prov.dataFingerprint, await mnistSource('train').fingerprint());
});

test('fp16 loses <= 0.05 points top-1, file <= 51%, inputs/outputs stay float32', async () => {
  const { model } = await quantizeModel(await readModel(DEFAULT_MODEL.path), { scheme: 'fp16' });
  const out = join(dir, 'lenet5.fp16.onnx');
  await writeModel(model, out);
  const [base, quant] = [await floatTop1, await top1(out)];
  const drop = (base - quant) * 100;
  const ratio = statSync(out).size / floatSize;
  console.log(`fp16: top-1 ${base} → ${quant} (drop ${drop.toFixed(2)} points), size ${(ratio * 100).toFixed(1)}% of float32`);
  assert.ok(drop <= 0.05, `fp16 lost ${drop.toFixed(2)} points`);
  assert.ok(ratio <= 0.51, `fp16 file is ${(ratio * 100).toFixed(1)}% of float32`);
  const reloaded = await readModel(out);
  assert.deepEqual(reloaded.graph.inputs.map((v) => v.type.kind === 'tensor' && v.type.dtype), ['float32']);
  assert.deepEqual(reloaded.graph.outputs.map((v) => v.type.kind === 'tensor' && v.type.dtype), ['float32']);
  assert.ok([...reloaded.graph.initializers.values()].every((t) => t.dtype !== 'float32'));
});

test('--exclude keeps the named node and op type in float', async () => {
  const { model, report } = await quantizeModel(await readModel(DEFAULT_MODEL.path), {
    scheme: 'w8a8', calibration: { source: mnistSource('train'), limit: 200 }, exclude: ['/fc3/Gemm', 'MaxPool'],
  });
  const fc3 = model.graph.nodes.find((n) => n.name === '/fc3/Gemm')!;
  const weight = model.graph.initializers.get(fc3.inputs[1]);
  assert.equal(weight?.dtype, 'float32', 'fc3 reads its float32 weight directly');
  assert.ok(tensorFloats(weight!).length > 0);
  assert.ok(report.float.some((d) => d.node === '/fc3/Gemm' && d.detail === 'excluded by the user'));
  assert.equal(report.float.filter((d) => d.op === 'MaxPool').length, 2);
  assert.ok(report.quantized.some((d) => d.node === '/fc1/Gemm'));
  assert.deepEqual(JSON.parse(model.metadata.find(([k]) => k === 'ondevice.quantization')![1]).excluded, ['/fc3/Gemm', 'MaxPool']);
});

test('unknown scheme or method, or a static scheme without data, fails with a clear UsageError', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  await assert.rejects(quantizeModel(model, { scheme: 'int3' as never }), (e: unknown) => e instanceof UsageError && /unknown quantization scheme 'int3' \(known: fp16, int8-dynamic, w8a8, w8a16, w4a8, w4a16, w4\)/.test((e as Error).message));
  await assert.rejects(quantizeModel(model, { scheme: 'w8a8' }), (e: unknown) => e instanceof UsageError && /needs calibration data/.test((e as Error).message));
  await assert.rejects(quantizeModel(model, { scheme: 'w8a8', calibration: { source: mnistSource('train'), method: 'kl' as never } }), (e: unknown) => e instanceof UsageError && /unknown calibration method 'kl'/.test((e as Error).message));
});
