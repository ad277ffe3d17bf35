// Keras layers models lifted to ONNX ops match TF.js: nsfwjs MobileNetV2, esrgan-slim ×2/×3/×4, and small models for the layers easy to get wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeOnnx } from '../../../src/formats/onnx/index.ts';
import { readTfjs } from '../../../src/formats/tfjs/index.ts';
import type { InputShapes } from '../../../src/ir/input-shapes.ts';
import { PACKAGE_ROOT } from '../../../src/paths.ts';
import { liftTfjsOrThrow } from '../../../src/passes/lift-tfjs/index.ts';
import type { TransposeCounts } from '../../../src/passes/lift-tflite/layout.ts';
import { ortNodeRuntime } from '../../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../../src/runtimes/runtime.ts';
import { tfjsRuntime } from '../../../src/runtimes/tfjs.ts';
import { seededFloats } from '../../../src/util/random.ts';
import { compare, runFeeds } from '../../compile/parity.ts';
import { digitScenes } from '../../support/scenes.ts';
import { functional, input, layer, writeLayersModel, type LayerSpec, type WeightSpec } from '../../tfjs/layers-fixture.ts';
import { materialiseNsfwjs } from '../../tfjs/nsfwjs.ts';

const ESRGAN = join(PACKAGE_ROOT, 'node_modules/@upscalerjs/esrgan-slim/models');
const MIN_PSNR = 60;
let dir: string;
let count = 0;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-keras-lift-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Lifts `file` (shapes fixed by `inputShapes`), runs the ONNX model in onnxruntime and the model.json in TF.js on
 * `feeds`; asserts every output within MIN_PSNR dB and returns the PSNRs and where the Transposes are.
 */
async function liftAndCompare(file: string, feeds: Record<string, HostTensor>, inputShapes?: InputShapes): Promise<{ psnr: Record<string, number>; transposes: TransposeCounts; ops: Record<string, number> }> {
  const { model, report } = liftTfjsOrThrow(await readTfjs(file), { inputShapes });
  assert.ok(model.graph.nodes.every((n) => n.domain === ''), 'only standard ONNX ops');
  const onnx = join(dir, `lifted-${count++}.onnx`);
  await writeOnnx(model, onnx);
  const [ref, got] = [await runFeeds(tfjsRuntime, file, feeds), await runFeeds(ortNodeRuntime, onnx, feeds)];
  const psnr: Record<string, number> = {};
  for (const [name, r] of Object.entries(ref)) {
    assert.ok(got[name], `the lifted model has output '${name}'`);
    assert.deepEqual(got[name].dims, r.dims, `dims of '${name}'`);
    const c = compare(r.data as Float32Array, got[name].data as Float32Array);
    psnr[name] = c.psnr;
    assert.ok(c.psnr >= MIN_PSNR && c.peak > 0, `'${name}': ${c.psnr.toFixed(1)} dB (max abs error ${c.maxAbs}, peak ${c.peak})`);
  }
  return { psnr, transposes: report!.transposes, ops: report!.ops };
}

/** An NHWC image batch of tinted MNIST digit scenes scaled to [0, 1]. */
const scene = (h: number, w: number): HostTensor => ({ dtype: 'float32', dims: [1, h, w, 3], data: digitScenes('eval', 1, h, w, (v) => v / 255, true) });

test('nsfwjs MobileNetV2 (uint8 weights) lifted to ONNX matches TF.js: one Transpose (the input), ZeroPadding2D folded into the convolutions', async (t) => {
  const file = materialiseNsfwjs();
  try {
    const r = await liftAndCompare(file, { input_1: scene(224, 224) });
    t.diagnostic(`PSNR ${JSON.stringify(r.psnr)}; transposes ${JSON.stringify(r.transposes)}`);
    assert.deepEqual(r.transposes, { boundary: 1, inside: 0 });
    assert.equal(r.ops.Conv, 52);
    assert.equal(r.ops.Pad, undefined, 'the 5 ZeroPadding2D layers are Conv pads');
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
});

for (const scale of ['x2', 'x3', 'x4']) {
  test(`esrgan-slim ${scale} at 1×64×64×3 lifted to ONNX matches TF.js, Transposes only at the input and output`, async (t) => {
    const r = await liftAndCompare(join(ESRGAN, scale, 'model.json'), { LR: scene(64, 64) }, { LR: [1, 64, 64, 3] });
    t.diagnostic(`PSNR ${JSON.stringify(r.psnr)}; transposes ${JSON.stringify(r.transposes)}`);
    assert.deepEqual(r.transposes, { boundary: 2, inside: 0 });
  });
}

/** Writes a small functional model over one input of shape [1, …dims] and compares its lift with TF.js on seeded data. */
async function smallModel(layers: LayerSpec[], outputs: string[], weights: WeightSpec[], dims: number[], range = 2): Promise<{ psnr: Record<string, number>; transposes: TransposeCounts; ops: Record<string, number> }> {
  const file = writeLayersModel(mkdtempSync(join(dir, 'm-')), functional([input('x', dims), ...layers], ['x'], outputs), weights);
  const n = dims.reduce((a, b) => a * b, 1);
  return liftAndCompare(file, { x: { dtype: 'float32', dims: [1, ...dims], data: seededFloats(n, 7, -range, range) } });
}

const conv = (name: string, kernel: number[], inC: number, outC: number, bias = true): WeightSpec[] => [
  { name: `${name}/kernel`, dims: [...kernel, inC, outC] }, ...(bias ? [{ name: `${name}/bias`, dims: [outC] }] : []),
];

test('Flatten of NHWC data feeding Dense flattens in NHWC order', async () => {
  await smallModel([
    layer('Conv2D', 'c', { filters: 6, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, ['x']),
    layer('Flatten', 'f', {}, ['c']),
    layer('Dense', 'd', { units: 7, activation: 'softmax' }, ['f']),
  ], ['d'], [...conv('c', [3, 3], 3, 6), { name: 'd/kernel', dims: [5 * 4 * 6, 7] }, { name: 'd/bias', dims: [7] }], [5, 4, 3]);
});

test("pooling with 'same' padding: the average counts only pixels inside the image", async () => {
  await smallModel([
    layer('AveragePooling2D', 'avg', { pool_size: [3, 3], strides: [2, 2], padding: 'same' }, ['x']),
    layer('MaxPooling2D', 'max', { pool_size: [2, 2], strides: [2, 2], padding: 'same' }, ['x']),
    layer('AveragePooling2D', 'avg_valid', { pool_size: [2, 2], padding: 'valid' }, ['x']),
  ], ['avg', 'max', 'avg_valid'], [], [7, 7, 3]);
});

test("Conv2D 'same' with stride 2 on odd sizes (even and odd kernels), dilation, ZeroPadding2D folded into convolutions", async () => {
  const r = await smallModel([
    layer('Conv2D', 'k4', { filters: 4, kernel_size: [4, 4], strides: [2, 2], padding: 'same' }, ['x']),
    layer('Conv2D', 'k3', { filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: false, activation: 'softmax' }, ['x']),
    layer('Conv2D', 'dil', { filters: 2, kernel_size: [3, 3], dilation_rate: [2, 2], padding: 'same', activation: 'tanh' }, ['x']),
    layer('Conv2D', 'valid', { filters: 3, kernel_size: [2, 3], strides: [3, 2], padding: 'valid' }, ['x']),
    layer('ZeroPadding2D', 'zp', { padding: [[1, 0], [2, 1]] }, ['x']),
    layer('Conv2D', 'padded', { filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }, ['zp']),
    layer('DepthwiseConv2D', 'padded_dw', { kernel_size: [3, 3], padding: 'valid' }, ['zp']),
  ], ['k4', 'k3', 'dil', 'valid', 'padded', 'padded_dw'], [
    ...conv('k4', [4, 4], 3, 4), ...conv('k3', [3, 3], 3, 4, false), ...conv('dil', [3, 3], 3, 2), ...conv('valid', [2, 3], 3, 3),
    ...conv('padded', [3, 3], 3, 2), { name: 'padded_dw/depthwise_kernel', dims: [3, 3, 3, 1] }, { name: 'padded_dw/bias', dims: [3] },
  ], [9, 11, 3]);
  assert.equal(r.ops.Pad, undefined, JSON.stringify(r.ops));
});

test('DepthwiseConv2D with depth_multiplier 2 and SeparableConv2D', async () => {
  await smallModel([
    layer('DepthwiseConv2D', 'dw', { kernel_size: [3, 3], depth_multiplier: 2, strides: [2, 2], padding: 'same', activation: 'relu6' }, ['x']),
    layer('SeparableConv2D', 'sep', { filters: 5, kernel_size: [3, 3], depth_multiplier: 2, padding: 'same', activation: 'sigmoid' }, ['x']),
  ], ['dw', 'sep'], [
    { name: 'dw/depthwise_kernel', dims: [3, 3, 3, 2] }, { name: 'dw/bias', dims: [6] },
    { name: 'sep/depthwise_kernel', dims: [3, 3, 3, 2] }, { name: 'sep/pointwise_kernel', dims: [1, 1, 6, 5] }, { name: 'sep/bias', dims: [5] },
  ], [9, 8, 3]);
});

test('Conv2DTranspose: same and valid padding, a kernel smaller than the stride', async () => {
  await smallModel([
    layer('Conv2DTranspose', 'same', { filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: 'same' }, ['x']),
    layer('Conv2DTranspose', 'valid', { filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'valid' }, ['x']),
    layer('Conv2DTranspose', 'small', { filters: 2, kernel_size: [2, 2], strides: [3, 3], padding: 'same' }, ['x']),
  ], ['same', 'valid', 'small'], [
    { name: 'same/kernel', dims: [3, 3, 3, 4] }, { name: 'same/bias', dims: [3] },
    { name: 'valid/kernel', dims: [3, 3, 2, 4] }, { name: 'valid/bias', dims: [2] },
    { name: 'small/kernel', dims: [2, 2, 2, 4] }, { name: 'small/bias', dims: [2] },
  ], [5, 6, 4]);
});

test('UpSampling2D bilinear and nearest with unequal factors', async () => {
  await smallModel([
    layer('UpSampling2D', 'bilinear', { size: [2, 3], interpolation: 'bilinear' }, ['x']),
    layer('UpSampling2D', 'nearest', { size: [3, 2], interpolation: 'nearest' }, ['x']),
  ], ['bilinear', 'nearest'], [], [5, 6, 3]);
});

test('every Keras activation as TF.js computes it (hard_sigmoid is clip(0.2x + 0.5, 0, 1)), and the activation layers', async () => {
  const names = ['hard_sigmoid', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'softplus', 'softsign', 'elu', 'selu', 'swish', 'gelu', 'mish', 'linear'];
  const layers = [
    ...names.map((a) => layer('Activation', `act_${a}`, { activation: a }, ['x'])),
    layer('ReLU', 'relu_max', { max_value: 1.5, negative_slope: 0, threshold: 0 }, ['x']),
    layer('LeakyReLU', 'leaky', { alpha: 0.1 }, ['x']),
    layer('ELU', 'elu_layer', { alpha: 1 }, ['x']),
    layer('ThresholdedReLU', 'thresholded', { theta: 0.5 }, ['x']),
    layer('Softmax', 'softmax_layer', { axis: -1 }, ['x']),
  ];
  await smallModel(layers, layers.map((l) => l.name), [], [4, 5, 3], 4);
});

test('PReLU with shared_axes [1, 2] and without', async () => {
  await smallModel([
    layer('PReLU', 'shared', { shared_axes: [1, 2] }, ['x']),
    layer('PReLU', 'full', { shared_axes: null }, ['x']),
  ], ['shared', 'full'], [{ name: 'shared/alpha', dims: [1, 1, 3] }, { name: 'full/alpha', dims: [4, 5, 3] }], [4, 5, 3]);
});

test('BatchNormalization (with and without center/scale), padding/cropping, merges, global pooling, reshape/permute, Conv1D, LayerNormalization, Dense on rank 3, Rescaling, dropouts and noise', async () => {
  const r = await smallModel([
    layer('BatchNormalization', 'bn', { axis: -1, epsilon: 0.001 }, ['x']),
    layer('ZeroPadding2D', 'pad', { padding: [[1, 2], [0, 1]] }, ['bn']),
    layer('Cropping2D', 'crop', { cropping: [[2, 1], [1, 0]] }, ['pad']),
    layer('Multiply', 'mul', {}, ['crop', 'x']),
    layer('Add', 'sub', {}, ['mul', 'bn', 'x']),
    layer('Average', 'avg', {}, ['sub', 'x', 'bn']),
    layer('Maximum', 'max', {}, ['avg', 'bn']),
    layer('Minimum', 'min', {}, ['max', 'x']),
    layer('Concatenate', 'cat', { axis: -1 }, ['min', 'bn']),
    layer('GlobalAveragePooling2D', 'gap', {}, ['cat']),
    layer('GlobalMaxPooling2D', 'gmp', {}, ['cat']),
    layer('RepeatVector', 'rep', { n: 3 }, ['gap']),
    layer('Reshape', 'rs', { target_shape: [36, 4] }, ['bn']),
    layer('Permute', 'perm', { dims: [2, 1] }, ['rs']),
    layer('Conv1D', 'c1', { filters: 3, kernel_size: [3], padding: 'same', activation: 'elu' }, ['rs']),
    layer('LayerNormalization', 'ln', { axis: -1, epsilon: 0.001 }, ['c1']),
    layer('Dense', 'd3', { units: 2 }, ['ln']),
    layer('Dropout', 'drop', { rate: 0.5 }, ['d3']),
    layer('SpatialDropout1D', 'sdrop', { rate: 0.5 }, ['drop']),
    layer('GaussianNoise', 'noise', { stddev: 1 }, ['x']),
    layer('Rescaling', 'rescale', { scale: 0.5, offset: -1 }, ['noise']),
    layer('BatchNormalization', 'bn_plain', { axis: -1, center: false, scale: false, epsilon: 0.01 }, ['rescale']),
  ], ['cat', 'gap', 'gmp', 'rep', 'perm', 'sdrop', 'bn_plain'], [
    { name: 'bn_plain/moving_mean', dims: [4] }, { name: 'bn_plain/moving_variance', dims: [4], low: 0.5, high: 1.5 },
    { name: 'bn/gamma', dims: [4] }, { name: 'bn/beta', dims: [4] }, { name: 'bn/moving_mean', dims: [4] }, { name: 'bn/moving_variance', dims: [4], low: 0.5, high: 1.5 },
    ...conv('c1', [3], 4, 3), { name: 'ln/gamma', dims: [3] }, { name: 'ln/beta', dims: [3] }, { name: 'd3/kernel', dims: [3, 2] }, { name: 'd3/bias', dims: [2] },
  ], [6, 6, 4]);
  for (const op of ['BatchNormalization', 'Pad', 'Slice', 'GlobalAveragePool', 'GlobalMaxPool', 'Tile', 'LayerNormalization', 'MatMul']) assert.ok(r.ops[op] > 0, `${op} in ${JSON.stringify(r.ops)}`);
});

test('Embedding picks rows by the (float) indices', async () => {
  const file = writeLayersModel(mkdtempSync(join(dir, 'm-')), functional([input('ids', [5]), layer('Embedding', 'emb', { input_dim: 10, output_dim: 4 }, ['ids'])], ['ids'], ['emb']), [{ name: 'emb/embeddings', dims: [10, 4] }]);
  await liftAndCompare(file, { ids: { dtype: 'float32', dims: [2, 5], data: Float32Array.from([0, 3, 9, 1, 1, 7, 2, 5, 8, 4]) } });
});

test('a Lambda layer is refused with the reason, naming the layer', async () => {
  const file = writeLayersModel(mkdtempSync(join(dir, 'm-')), functional([input('x', [3]), layer('Lambda', 'custom', { function: 'lambda x: x' }, ['x'])], ['x'], ['custom']), []);
  const model = await readTfjs(file);
  assert.throws(() => liftTfjsOrThrow(model), /node 'custom' \(Lambda\): a Lambda layer runs Python code/);
});

// (Not BatchNormalization on axis 1 of 4-D data: TF.js's CPU kernel applies the statistics along the last axis whatever the axis.)
test('channels_first layers: Conv2D (softmax over the last axis), padding, pooling, upsampling, Flatten in channels-last order', async () => {
  const cf = { data_format: 'channels_first' };
  await smallModel([
    layer('Conv2D', 'c', { ...cf, filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'softmax' }, ['x']),
    layer('ZeroPadding2D', 'pad', { ...cf, padding: [1, 1] }, ['c']),
    layer('MaxPooling2D', 'pool', { ...cf, pool_size: [2, 2], padding: 'valid' }, ['pad']),
    layer('UpSampling2D', 'up', { ...cf, size: [2, 2] }, ['pool']),
    layer('Flatten', 'f', cf, ['up']),
  ], ['c', 'pad', 'pool', 'up', 'f'], conv('c', [3, 3], 3, 4), [3, 7, 6]);
});

test('a Sequential model (input from the first layer) runs as TF.js runs it', async () => {
  const seq = { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'Conv2D', config: { name: 'sc', batch_input_shape: [null, 6, 5, 2], filters: 3, kernel_size: [3, 3], padding: 'same', activation: 'relu' } },
    { class_name: 'MaxPooling2D', config: { name: 'sp', pool_size: [2, 2] } },
    { class_name: 'Flatten', config: { name: 'sf' } },
    { class_name: 'Dense', config: { name: 'sd', units: 4, activation: 'softmax' } },
  ] } };
  const seqFile = writeLayersModel(mkdtempSync(join(dir, 'm-')), seq, [...conv('sc', [3, 3], 2, 3), { name: 'sd/kernel', dims: [18, 4] }, { name: 'sd/bias', dims: [4] }]);
  await liftAndCompare(seqFile, { sc_input: { dtype: 'float32', dims: [1, 6, 5, 2], data: seededFloats(60, 3, -1, 1) } });

});

test('a shared layer called twice and a nested model run as TF.js runs them', async () => {
  const shared = { ...layer('Dense', 'shared', { units: 3, activation: 'tanh' }, []), inbound_nodes: [[['x', 0, 0, {}]], [['shared', 0, 0, {}]]] };
  const inner = {
    class_name: 'Functional', name: 'inner',
    config: { name: 'inner', layers: [input('inner_x', [3]), layer('Dense', 'inner_d', { units: 3 }, ['inner_x'])], input_layers: [['inner_x', 0, 0]], output_layers: [['inner_d', 0, 0]] },
    inbound_nodes: [[['shared', 1, 0, {}]]],
  };
  const top = functional([input('x', [3]), shared, inner as never, layer('Add', 'sum', {}, [])], ['x'], ['sum']);
  // Keras numbers a nested model's calls from 1 (its node 0 links its own inputs to its outputs).
  (top.config as { layers: LayerSpec[] }).layers[3].inbound_nodes = [[['shared', 0, 0, {}], ['inner', 1, 0, {}]]];
  const file = writeLayersModel(mkdtempSync(join(dir, 'm-')), top, [...conv('shared', [], 3, 3), ...conv('inner_d', [], 3, 3)]);
  await liftAndCompare(file, { x: { dtype: 'float32', dims: [2, 3], data: seededFloats(6, 4, -1, 1) } });
});
