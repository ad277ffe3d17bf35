// The coreml-reference runtime (.mlpackage → MIL reference executor), the dequantizing constants against onnxruntime, classify, and errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GraphError } from '../../src/errors.ts';
import { readCoreMlPackage } from '../../src/formats/coreml/read.ts';
import { writeCoreMlPackage } from '../../src/formats/coreml/write.ts';
import type { MilBinding, MilDtype, MilOperation, MinIos } from '../../src/formats/coreml/program.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { floatToHalf } from '../../src/ir/half.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { halfToFloat } from '../../src/ir/tensor.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { coremlReferenceRuntime, IO_NAMES_KEY } from '../../src/runtimes/coreml-reference.ts';
import { hostStrings, runMilProgram, supportedMilOps } from '../../src/runtimes/coreml/executor.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { buildModel, CLASSES } from '../formats/coreml-fixture.ts';
import { assertClose, hostValues, milModel, tempFolder } from './coreml-harness.ts';

const { dir, cleanup } = tempFolder();
after(cleanup);

const rnd = mulberry32(42);
const randoms = (n: number): Float32Array => Float32Array.from({ length: n }, () => rnd() * 2 - 1);
const c = (dtype: MilDtype, shape: number[], data: unknown): MilBinding => ({ value: { type: { dtype, shape }, data: data as never } });
const op = (type: string, inputs: Record<string, MilBinding[]>, name: string, dtype: MilDtype, shape: number[]): MilOperation =>
  ({ type, inputs, outputs: [{ name, type: { dtype, shape } }], attributes: {} });

/** A value rounded to float16 and back (what an fp16 tensor holds), in the ONNX graph. */
const asHalf = (b: ModelBuilder, v: string): string => b.op('Cast', [b.op('Cast', [v], { to: 10 })], { to: 1 });

async function ort(b: ModelBuilder, feeds: Record<string, HostTensor>, name: string): Promise<HostTensor> {
  const model = b.build();
  const file = join(dir, `${name}.onnx`);
  await writeModel(model, file);
  const s = await ortNodeRuntime.load(file, { threads: 1 });
  try {
    return (await s.run(feeds))[model.graph.outputs[0].name];
  } finally {
    await s.release();
  }
}

test('.mlpackage folders resolve to coreml-reference, which runs what it reads exactly as the in-memory program', async () => {
  assert.equal((await resolveRuntime({ format: 'coreml' })).name, 'coreml-reference');
  for (const ios of [15, 16, 17, 18] as MinIos[]) {
    const model = buildModel(ios);
    const path = join(dir, `fixture-ios${ios}.mlpackage`);
    await writeCoreMlPackage(model, path);
    const session = await coremlReferenceRuntime.load(path);
    assert.deepEqual(session.info, { runtime: 'coreml-reference', engine: 'ondevice MIL reference', version: session.info.version, threads: 1 });
    assert.match(session.info.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(session.inputs, [{ name: 'image', dtype: 'float32', shape: [1, 3, 8, 8] }]);
    assert.deepEqual(session.outputs.map((o) => [o.name, o.dtype]), [['logits', 'float32'], ['classLabel', 'string'], ['classLabel_probs', 'float64']]);
    const feeds = { image: { dtype: 'float32' as const, dims: [1, 3, 8, 8], data: randoms(192) } };
    const fromDisk = await session.run(feeds);
    const inMemory = runMilProgram(model, feeds);
    assert.deepEqual(hostValues(fromDisk.logits), hostValues(inMemory.logits), `iOS ${ios}`);
    // The label is the class of the largest probability; the dict holds the softmax of the logits.
    const probs = hostValues(fromDisk.classLabel_probs);
    const best = probs.indexOf(Math.max(...probs));
    assert.deepEqual(hostStrings(fromDisk.classLabel), [CLASSES[best]]);
    const logits = hostValues(fromDisk.logits);
    const top = Math.max(...logits);
    const z = logits.reduce((s, v) => s + Math.exp(v - top), 0);
    probs.forEach((p, i) => assert.ok(Math.abs(p - Math.exp(logits[i] - top) / z) < 1e-6, `iOS ${ios} class ${i}: ${p} vs ${Math.exp(logits[i] - top) / z}`));
    const only = await session.run(feeds, ['logits']);
    assert.deepEqual(Object.keys(only), ['logits']);
    await session.release();
  }
});

test('I/O take the source names the metadata maps MIL names to', async () => {
  const model = milModel([{ name: 'x_in', type: { dtype: 'fp32', shape: [2, 3] } }], [op('relu', { x: [{ name: 'x_in' }] }, 'y_out', 'fp32', [2, 3])], ['y_out']);
  model.description.metadata.userDefined[IO_NAMES_KEY] = JSON.stringify({ x_in: 'x.in', y_out: 'y.out:0' });
  const path = join(dir, 'named.mlpackage');
  await writeCoreMlPackage(model, path);
  const session = await coremlReferenceRuntime.load(path);
  assert.deepEqual(session.inputs.map((i) => i.name), ['x.in']);
  assert.deepEqual(session.outputs.map((o) => o.name), ['y.out:0']);
  const x = randoms(6);
  const out = await session.run({ 'x.in': { dtype: 'float32', dims: [2, 3], data: x } }, ['y.out:0']);
  assert.deepEqual(Array.from(hostValues(out['y.out:0'])), Array.from(x, (v) => Math.max(v, 0)));
});

test('constexpr_affine_dequantize (int8 per channel, fp32 and fp16 scale) matches DequantizeLinear', async () => {
  const q = Int8Array.of(-128, -3, 0, 5, 127, 9, -9, 1, 2, 3, 4, -100);
  const scale = [0.05, 0.25, 0.125];
  const zp = Int8Array.of(0, 3, -2);
  const x = randoms(12);
  for (const T of ['fp32', 'fp16'] as const) {
    const sv = T === 'fp16' ? scale.map((s) => halfToFloat(floatToHalf(s))) : scale;
    const b = new ModelBuilder({ opset: 17 });
    b.input('x', 'float32', [3, 4]);
    const dq = b.op('DequantizeLinear', [b.initializer('q', 'int8', [3, 4], q), b.initializer('s', 'float32', [3], Float32Array.from(sv)), b.initializer('z', 'int8', [3], zp)], { axis: 0 });
    b.output(b.op('Add', ['x', T === 'fp16' ? asHalf(b, dq) : dq]));
    const xv = T === 'fp16' ? x.map((v) => halfToFloat(floatToHalf(v))) : x;
    const want = await ort(b, { x: { dtype: 'float32', dims: [3, 4], data: Float32Array.from(xv) } }, `affine-${T}`);
    const scaleConst = T === 'fp16' ? c('fp16', [3], Uint16Array.from(sv, floatToHalf)) : c('fp32', [3], Float32Array.from(sv));
    const model = milModel([{ name: 'x', type: { dtype: T, shape: [3, 4] } }], [
      op('constexpr_affine_dequantize', { quantized_data: [c('int8', [3, 4], q)], zero_point: [c('int8', [3], zp)], scale: [scaleConst], axis: [c('int32', [], Int32Array.of(0))] }, 'w', T, [3, 4]),
      op('add', { x: [{ name: 'x' }], y: [{ name: 'w' }] }, 'y', T, [3, 4]),
    ], ['y']);
    const got = runMilProgram(model, { x: { dtype: 'float32', dims: [3, 4], data: Float32Array.from(xv) } });
    assertClose({ got: [hostValues(got.y)], want: [hostValues(want)], unroundedFp16: 0 }, T, `affine ${T}`);
  }
});

test('constexpr_blockwise_shift_scale (int8 and int4 blocks with offset) matches blocked DequantizeLinear', async () => {
  const rows = 6, cols = 8, block = 4;
  const data = Int8Array.from({ length: rows * cols }, () => Math.floor(rnd() * 16) - 8);
  const offset = Int8Array.from({ length: rows * 2 }, () => Math.floor(rnd() * 16) - 8);
  const scale = Float32Array.from({ length: rows * 2 }, () => halfToFloat(floatToHalf(0.01 + rnd() * 0.2)));
  const x = Float32Array.from(randoms(rows * cols), (v) => halfToFloat(floatToHalf(v)));
  for (const T of ['fp32', 'fp16'] as const) {
    const b = new ModelBuilder({ opset: 21 });
    b.input('x', 'float32', [rows, cols]);
    const dq = b.op('DequantizeLinear', [b.initializer('d', 'int8', [rows, cols], data), b.initializer('s', 'float32', [rows, 2], scale), b.initializer('o', 'int8', [rows, 2], offset)], { axis: 1, block_size: block });
    b.output(b.op('Add', ['x', T === 'fp16' ? asHalf(b, dq) : dq]));
    const want = hostValues(await ort(b, { x: { dtype: 'float32', dims: [rows, cols], data: x } }, `blockwise-${T}`));
    for (const src of ['int8', 'int4'] as const) {
      const scaleConst = T === 'fp16' ? c('fp16', [rows, 2], Uint16Array.from(scale, floatToHalf)) : c('fp32', [rows, 2], scale);
      const model = milModel([{ name: 'x', type: { dtype: T, shape: [rows, cols] } }], [
        op('constexpr_blockwise_shift_scale', { data: [c(src, [rows, cols], data)], scale: [scaleConst], offset: [c(src, [rows, 2], offset)] }, 'w', T, [rows, cols]),
        op('add', { x: [{ name: 'x' }], y: [{ name: 'w' }] }, 'y', T, [rows, cols]),
      ], ['y']);
      const got = runMilProgram(model, { x: { dtype: 'float32', dims: [rows, cols], data: x } });
      assertClose({ got: [hostValues(got.y)], want: [want], unroundedFp16: 0 }, T, `blockwise ${src} ${T}`);
    }
  }
});

test('classify with int64 classes returns the int64 label of the top probability', () => {
  const p = Float32Array.of(0.1, 0.05, 0.6, 0.25);
  const classes = [7n, 11n, 13n, 17n];
  const model = milModel([{ name: 'p', type: { dtype: 'fp32', shape: [1, 4] } }], [{
    type: 'classify',
    inputs: { probabilities: [{ name: 'p' }], classes: [{ value: { type: { kind: 'list', element: { dtype: 'int64', shape: [] }, length: 4 }, items: classes.map((k) => ({ type: { dtype: 'int64' as const, shape: [] }, data: BigInt64Array.of(k) })) } }] },
    outputs: [{ name: 'label', type: { dtype: 'int64', shape: [] } }, { name: 'probs', type: { kind: 'dict', key: { dtype: 'int64', shape: [] }, value: { dtype: 'fp64', shape: [] } } }],
    attributes: {},
  }], ['label', 'probs']);
  const out = runMilProgram(model, { p: { dtype: 'float32', dims: [1, 4], data: p } });
  assert.equal(out.label.dtype, 'int64');
  assert.equal((out.label.data as BigInt64Array)[0], classes[p.indexOf(Math.max(...p))]);
  assert.deepEqual(Array.from(hostValues(out.probs)), Array.from(p, (v) => v));
});

test('an unknown op type, a wrong declared shape and a missing parameter fail naming the op', () => {
  const x = { name: 'x', type: { dtype: 'fp32' as const, shape: [2, 3] } };
  const feeds = { x: { dtype: 'float32' as const, dims: [2, 3], data: randoms(6) } };
  assert.throws(() => runMilProgram(milModel([x], [op('frobnicate', { x: [{ name: 'x' }] }, 'y', 'fp32', [2, 3])], ['y']), feeds),
    (e: Error) => e instanceof GraphError && /'frobnicate' is not supported/.test(e.message) && /node 'y'/.test(e.message));
  assert.throws(() => runMilProgram(milModel([x], [op('relu', { x: [{ name: 'x' }] }, 'y', 'fp32', [3, 2])], ['y']), feeds),
    /MIL op 'relu' output 0 computed shape \[2,3\], declared \[3,2\]/);
  assert.throws(() => runMilProgram(milModel([x], [op('leaky_relu', { x: [{ name: 'x' }] }, 'y', 'fp32', [2, 3])], ['y']), feeds),
    /MIL op 'leaky_relu': missing required parameter 'alpha'/);
  assert.throws(() => runMilProgram(milModel([x], [op('relu', { x: [{ name: 'x' }] }, 'y', 'fp32', [2, 3])], ['y']), { x: { ...feeds.x, dims: [3, 2] } }),
    /input 'x': fed shape \[3,2\], the program declares \[2,3\]/);
  for (const type of ['conv', 'conv_transpose', 'max_pool', 'avg_pool', 'constexpr_affine_dequantize', 'constexpr_blockwise_shift_scale', 'classify', 'resize_bilinear']) {
    assert.ok(supportedMilOps().includes(type), type);
  }
});

test('resize_bilinear sampling modes sample the grid points coremltools documents (Xin = 2)', () => {
  // From resize_bilinear's docstring (iOS15 image_resizing.py): input [0, 1] along the width, so each output is its grid point.
  const documented: Record<string, Record<number, number[]>> = {
    UNALIGN_CORNERS: { 5: [0, 0.1, 0.5, 0.9, 1], 6: [0, 0, 0.33, 0.67, 1, 1] },
    STRICT_ALIGN_CORNERS: { 5: [0, 0.25, 0.5, 0.75, 1], 6: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    ALIGN_CORNERS: { 5: [0, 0.25, 0.5, 0.75, 1], 6: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    DEFAULT: { 5: [0, 0.4, 0.8, 1, 1], 6: [0, 0.33, 0.67, 1, 1, 1] },
    OFFSET_CORNERS: { 5: [0.1, 0.3, 0.5, 0.7, 0.9], 6: [0.08, 0.25, 0.42, 0.58, 0.75, 0.92] },
  };
  for (const [mode, byOut] of Object.entries(documented)) {
    for (const [out, points] of Object.entries(byOut)) {
      const w = Number(out);
      const model = milModel([{ name: 'x', type: { dtype: 'fp32', shape: [1, 1, 2] } }], [op('resize_bilinear', {
        x: [{ name: 'x' }], target_size_height: [c('int32', [], Int32Array.of(1))], target_size_width: [c('int32', [], Int32Array.of(w))],
        sampling_mode: [c('string', [], [mode])],
      }, 'y', 'fp32', [1, 1, w])], ['y']);
      const y = hostValues(runMilProgram(model, { x: { dtype: 'float32', dims: [1, 1, 2], data: Float32Array.of(0, 1) } }).y);
      y.forEach((v, i) => assert.ok(Math.abs(v - points[i]) < 0.006, `${mode} Xout=${w}: point ${i} is ${v}, documented ${points[i]}`));
    }
  }
});

test('ML Programs serialised by Apple coremltools (test/formats/coreml-coremltools) run to the values their ops define', async () => {
  const dirOf = join(import.meta.dirname, '..', 'formats', 'coreml-coremltools');
  // iOS 17 classifier: conv 1x1 with weights [0.5, -1, 2] → reduce_mean over H, W → tile ×3 → reshape [3] → softmax → classify.
  const image = randoms(48);
  const classifier = await coremlReferenceRuntime.load(join(dirOf, 'classifier-ios17.mlmodel'));
  const out = await classifier.run({ image: { dtype: 'float32', dims: [1, 3, 4, 4], data: image } });
  let mean = 0;
  for (let p = 0; p < 16; p++) mean += (0.5 * image[p] - image[16 + p] + 2 * image[32 + p]) / 16;
  const probs = hostValues(out.classLabel_probs);
  probs.forEach((p) => assert.ok(Math.abs(p - 1 / 3) < 1e-6, `softmax of three equal logits (${mean}) is 1/3, got ${p}`));
  assert.deepEqual(hostStrings(out.classLabel), ['ant']);
  let m: number[] = [];
  runMilProgram(await readCoreMlPackage(join(dirOf, 'classifier-ios17.mlmodel')), { image: { dtype: 'float32', dims: [1, 3, 4, 4], data: image } }, {
    onOp: (op, values) => { if (op.outputs[0].name === 'm' && values[0].kind === 'tensor') m = Array.from(values[0].data as Float32Array); },
  });
  assert.equal(m.length, 1);
  assert.ok(Math.abs(m[0] - mean) < 1e-6, `reduce_mean of the conv: ${m[0]}, expected ${mean}`);
  // iOS 16: linear(x, 0.5 · [[1, -2, 3], [4, 5, -6]]) with the int8 weights behind constexpr_affine_dequantize (attributes).
  const dequantize = await coremlReferenceRuntime.load(join(dirOf, 'dequantize-ios16.mlmodel'));
  const x = Float32Array.of(0.25, -1.5, 2);
  const y = hostValues((await dequantize.run({ [dequantize.inputs[0].name]: { dtype: 'float32', dims: [1, 3], data: x } }))[dequantize.outputs[0].name]);
  const w = [[1, -2, 3], [4, 5, -6]];
  assert.deepEqual(Array.from(y), w.map((row) => row.reduce((s, q, i) => s + 0.5 * q * x[i], 0)));
  // iOS 18: 2 · int4 [1, -2, 3, -8, 7] through constexpr_blockwise_shift_scale, cast to fp32.
  const blockwise = await coremlReferenceRuntime.load(join(dirOf, 'blockwise-int4-ios18.mlmodel'));
  const d = await blockwise.run({ [blockwise.inputs[0].name]: { dtype: 'int32', dims: [5], data: new Int32Array(5) } });
  assert.deepEqual(Array.from(hostValues(d[blockwise.outputs[0].name])), [2, -4, 6, -16, 14]);
});
