// w4a8 / w4a16 on LeNet-5: int4 Conv/Gemm weights packed in the file (zero point 0, opset 21), run in onnxruntime, top-1 near float.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LENET5_RECIPE, mnistBatches } from '../../src/data/mnist.ts';
import { mnistSource } from '../../src/data/mnist-source.ts';
import { randomSource } from '../../src/data/random.ts';
import { UsageError } from '../../src/errors.ts';
import { evaluateClassifier } from '../../src/evaluate/classify.ts';
import { DEFAULT_GATES } from '../../src/evaluate/verdict.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { attrInt, type Model, type Node } from '../../src/ir/graph.ts';
import { elementCount, tensorBytes, tensorFloats } from '../../src/ir/tensor.ts';
import { dequantizeValues, integerValues } from '../../src/passes/dequantize/values.ts';
import { opsetOf } from '../../src/passes/graph-edit.ts';
import { DEFAULT_PASSES, runPasses } from '../../src/passes/index.ts';
import { DEFAULT_MODEL, PACKAGE_ROOT } from '../../src/paths.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { quantizeOptionsFromProvenance, readProvenance } from '../../src/quantize/provenance.ts';
import type { QuantizeOptions } from '../../src/quantize/schemes.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { seededFloats } from '../../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-w4-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Top-1 on 5,000 MNIST test images, exact Q/DQ execution (or onnxruntime's default optimisations with 'ort-node'). */
async function top1(path: string, runtime = 'onnx-reference'): Promise<number> {
  const session = await (await resolveRuntime({ name: runtime })).load(path);
  try {
    return (await evaluateClassifier(session, mnistBatches('test', 1000, LENET5_RECIPE, { limit: 5000 }))).top1;
  } finally {
    await session.release();
  }
}

const floatTop1 = top1(DEFAULT_MODEL.path);
/** The float weights the quantizer sees (after the default passes fold BatchNorm into Conv), by name. */
const floatWeights = readModel(DEFAULT_MODEL.path).then(async (m) => (await runPasses(m, DEFAULT_PASSES)).model.graph.initializers);

async function quantizeLenet(name: string, options: Omit<QuantizeOptions, 'calibration'>): Promise<{ path: string; model: Model; report: Awaited<ReturnType<typeof quantizeModel>>['report'] }> {
  const { model, report } = await quantizeModel(await readModel(DEFAULT_MODEL.path), { ...options, calibration: { source: mnistSource('train'), limit: 500 } });
  const path = join(dir, `${name}.onnx`);
  await writeModel(model, path);
  return { path, model: await readModel(path), report };
}

/** The weight DequantizeLinear of every Conv/Gemm in the model read back from the file. */
function weightDqs(model: Model): { node: Node; dq: Node }[] {
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  return model.graph.nodes.filter((n) => n.op === 'Conv' || n.op === 'Gemm').map((node) => ({ node, dq: producer.get(node.inputs[1])! }));
}

for (const scheme of ['w4a8', 'w4a16'] as const) {
  test(`${scheme}: Conv/Gemm weights are packed int4 with zero point 0 at opset 21, each within half a step of the float weight; top-1 near float`, async () => {
    const { path, model, report } = await quantizeLenet(scheme, { scheme });
    assert.equal(opsetOf(model.opsets), 21);
    assert.ok(model.irVersion >= 10, `IR version ${model.irVersion}`);
    const floats = await floatWeights;
    const dqs = weightDqs(model);
    assert.equal(dqs.length, 5);
    for (const { node, dq } of dqs) {
      assert.equal(dq.op, 'DequantizeLinear', node.name);
      const [q, scale, zp] = dq.inputs.map((i) => model.graph.initializers.get(i));
      assert.equal(q!.dtype, 'int4', `${node.name} weight`);
      const count = elementCount(q!.dims);
      assert.equal(tensorBytes(q!).byteLength, Math.ceil(count / 2), `${node.name}: two int4 values per byte`);
      if (zp) assert.ok(zp.dtype === 'int4' && integerValues(zp).every((z) => z === 0), `${node.name} zero points`);
      assert.equal(scale!.dims[0], q!.dims[attrInt(dq, 'axis', 1)], `${node.name}: one scale per output channel`);
      const ints = integerValues(q!);
      assert.ok(ints.every((v) => v >= -7 && v <= 7), `${node.name}: symmetric int4 grid`);
      const deq = dequantizeValues(q!, scale!, zp, { axis: attrInt(dq, 'axis', 1) }, node.name);
      const w = tensorFloats(floats.get(node.inputs[1])!);
      const steps = tensorFloats(scale!);
      const inner = count / steps.length;
      for (let i = 0; i < w.length; i++) {
        const step = steps[Math.floor(i / inner) % steps.length];
        assert.ok(Math.abs(deq[i] - w[i]) <= step / 2 + 1e-6, `${node.name}[${i}]: ${deq[i]} vs float ${w[i]} (step ${step})`);
      }
    }
    assert.equal(report.quantized.filter((q) => (q.op === 'Conv' || q.op === 'Gemm') && q.detail.startsWith('int4')).length, 5);
    const [base, exact, optimised] = [await floatTop1, await top1(path), await top1(path, 'ort-node')];
    const drop = (base - exact) * 100;
    const ratio = statSync(path).size / statSync(DEFAULT_MODEL.path).size;
    console.log(`${scheme}: top-1 ${base} → ${exact} exact (${optimised} with default optimisations), size ${(ratio * 100).toFixed(1)}% of float32`);
    assert.ok(drop <= DEFAULT_GATES.maxAccuracyDrop, `${scheme} lost ${drop.toFixed(2)} points`);
    assert.ok(Math.abs(optimised - exact) * 100 <= DEFAULT_GATES.maxAccuracyDrop, 'default optimisations run the int4 model too');
  });
}

test('w4a16 with a block size: DequantizeLinear block_size along the input channels; gptq rounds per-channel int4 on [-7, 7]', async () => {
  const { path, model } = await quantizeLenet('w4a16-b16', { scheme: 'w4a16', blockSize: 16 });
  for (const { node, dq } of weightDqs(model)) {
    const [q, scale] = dq.inputs.map((i) => model.graph.initializers.get(i)!);
    const axis = attrInt(dq, 'axis', 1);
    assert.equal(attrInt(dq, 'block_size', 0), 16, node.name);
    assert.deepEqual(scale.dims, q.dims.map((d, i) => (i === axis ? Math.ceil(d / 16) : d)), `${node.name}: blocked scale shape`);
  }
  const drop = ((await floatTop1) - (await top1(path))) * 100;
  assert.ok(drop <= DEFAULT_GATES.maxAccuracyDrop, `blocked w4a16 lost ${drop.toFixed(2)} points`);

  const g = await quantizeLenet('w4a8-gptq', { scheme: 'w4a8', ptq: ['gptq'] });
  const entry = g.report.ptq?.find((p) => p.step === 'gptq');
  assert.ok(entry && entry.weights === 5, JSON.stringify(g.report.ptq));
  for (const { dq } of weightDqs(g.model)) assert.ok(integerValues(g.model.graph.initializers.get(dq.inputs[0])!).every((v) => v >= -7 && v <= 7));
  const gdrop = ((await floatTop1) - (await top1(g.path))) * 100;
  assert.ok(gdrop <= DEFAULT_GATES.maxAccuracyDrop, `w4a8 gptq lost ${gdrop.toFixed(2)} points`);
});

test('refusals: wrong activation width, blocks per tensor or for qnn, a model that cannot reach opset 21', async () => {
  const model = await readModel(DEFAULT_MODEL.path);
  const calibration = { source: mnistSource('train'), limit: 10 };
  const refuses = (options: Partial<QuantizeOptions>, pattern: RegExp) =>
    assert.rejects(quantizeModel(model, { scheme: 'w4a8', calibration, ...options }), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  await refuses({ activationType: 'uint16' }, /w4a8 takes uint8 or int8/);
  await refuses({ scheme: 'w4a16', activationType: 'int8' }, /w4a16 takes uint16 or int16/);
  await refuses({ blockSize: 32, perChannel: false }, /per-tensor/);
  await refuses({ blockSize: 32, target: 'qnn' }, /qnn/);
  await refuses({ calibration: undefined }, /needs calibration/);
  // DFT changed at opset 20 (dft_length and axis became inputs) and has no rewrite: the upgrade to opset 21 is refused,
  // a UsageError naming the opset and the op.
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 4, 6, 6]);
  b.op('Conv', [x, b.initializer('w', 'float32', [4, 4, 1, 1], seededFloats(16, 1, -1, 1))], {}, { output: 'y' });
  b.output('y', 'float32');
  const sig = b.input('s', 'float32', [1, 8, 2]);
  b.op('DFT', [sig], {}, { output: 'spectrum' });
  b.output('spectrum', 'float32');
  const dft = b.build();
  const sources = randomSource([{ name: 'x', dtype: 'float32', shape: [1, 4, 6, 6] }, { name: 's', dtype: 'float32', shape: [1, 8, 2] }]);
  await assert.rejects(quantizeModel(dft, { scheme: 'w4a16', calibration: { source: sources, limit: 2 } }),
    (e: unknown) => e instanceof UsageError && /opset 21/.test(e.message) && /DFT/.test(e.message));
});

test('ondevice quantize --scheme w4a16 --block-size 16 writes blocked int4 weights; w4a8 with uint16 activations is a usage error (exit 2)', async () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), 'quantize', DEFAULT_MODEL.path, ...args], { encoding: 'utf8' });
  const out = join(dir, 'cli-w4a16.onnx');
  const ok = cli('-o', out, '--scheme', 'w4a16', '--calibration', 'mnist:train', '--limit', '100', '--block-size', '16', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).scheme, 'w4a16');
  const model = await readModel(out);
  for (const { node, dq } of weightDqs(model)) {
    assert.equal(model.graph.initializers.get(dq.inputs[0])!.dtype, 'int4', node.name);
    assert.equal(attrInt(dq, 'block_size', 0), 16, node.name);
  }
  const bad = cli('-o', join(dir, 'bad.onnx'), '--scheme', 'w4a8', '--calibration', 'mnist:train', '--activation-type', 'uint16');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /w4a8 takes uint8 or int8 activations/);
});

test('mixed weight precision: --int8-weights keeps the named layers int8 (per channel) among int4 ones; unknown names and 8-bit schemes are refused', async () => {
  const g = await quantizeLenet('w4a16-gptq', { scheme: 'w4a16', ptq: ['gptq'] });
  // GPTQ records each layer's output power beside its error: the ranking --auto keeps at int8 first.
  const layers = g.report.ptq!.find((p) => p.step === 'gptq')!.layers!;
  assert.equal(layers.length, 5);
  for (const l of layers) assert.ok(l.power! > l.after && l.after > 0, `${l.node}: power ${l.power}, error ${l.after}`);
  const noisiest = [...layers].sort((a, b) => b.after / b.power! - a.after / a.power!).slice(0, 2).map((l) => l.node);
  const { path, model, report } = await quantizeLenet('w4a16-mixed', { scheme: 'w4a16', ptq: ['gptq'], int8Weights: noisiest });
  for (const { node, dq } of weightDqs(model)) {
    const q = model.graph.initializers.get(dq.inputs[0])!;
    assert.equal(q.dtype, noisiest.includes(node.name) ? 'int8' : 'int4', node.name);
    assert.equal(model.graph.initializers.get(dq.inputs[1])!.dims[0], q.dims[attrInt(dq, 'axis', 1)], `${node.name}: per channel`);
  }
  // The model says how it was made: the steps and the int8 layers come back as options (evaluate --propose-exclude re-quantizes so).
  const record = readProvenance(model)!;
  assert.deepEqual(record.ptq, ['gptq']);
  assert.deepEqual(quantizeOptionsFromProvenance(record).int8Weights, noisiest);
  const int8 = report.quantized.filter((q) => q.detail.startsWith('int8'));
  assert.deepEqual(int8.map((q) => q.node).sort(), [...noisiest].sort());
  assert.ok(statSync(path).size > statSync(g.path).size, 'int8 layers take more bytes');
  const drop = ((await floatTop1) - (await top1(path))) * 100;
  assert.ok(drop <= DEFAULT_GATES.maxAccuracyDrop, `mixed w4a16 lost ${drop.toFixed(2)} points`);

  const model0 = await readModel(DEFAULT_MODEL.path);
  const calibration = { source: mnistSource('train'), limit: 10 };
  await assert.rejects(quantizeModel(model0, { scheme: 'w4a16', calibration, int8Weights: ['no_such_conv'] }), (e: unknown) => e instanceof UsageError && /'no_such_conv'/.test(e.message));
  await assert.rejects(quantizeModel(model0, { scheme: 'w8a8', calibration, int8Weights: [noisiest[0]] }), (e: unknown) => e instanceof UsageError && /int4 schemes/.test(e.message));
  const relu = model0.graph.nodes.find((n) => n.op === 'Relu')!.name;
  await assert.rejects(quantizeModel(model0, { scheme: 'w4a16', calibration, int8Weights: [relu] }), (e: unknown) => e instanceof UsageError && e.message.includes(`'${relu}' is not`));
  const cli = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'ondevice.js'), 'quantize', DEFAULT_MODEL.path, '-o', join(dir, 'cli-mixed.onnx'), '--scheme', 'w4a8', '--calibration', 'mnist:train', '--limit', '50', '--int8-weights', noisiest.join(','), '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const written = await readModel(join(dir, 'cli-mixed.onnx'));
  assert.deepEqual(weightDqs(written).filter(({ dq }) => written.graph.initializers.get(dq.inputs[0])!.dtype === 'int8').map(({ node }) => node.name).sort(), [...noisiest].sort());
});
