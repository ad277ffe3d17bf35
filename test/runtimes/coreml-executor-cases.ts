// The differential cases for the MIL reference executor: each MIL op beside the ONNX graph that computes the same thing.
import type { OpCase } from './coreml-harness.ts';

const SQRT1_2 = Math.SQRT1_2;

/** conv, conv_transpose. */
export const CONV_CASES: OpCase[] = [
  {
    name: 'conv 3x3 custom pad + bias',
    inputs: { x: [1, 4, 9, 9] }, weights: { w: [6, 4, 3, 3], b: [6] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b'), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w'), o.w('b')], { pads: [1, 1, 1, 1] })],
  },
  {
    name: 'conv same stride 2 (extra pad after)',
    inputs: { x: [1, 3, 10, 10] }, weights: { w: [5, 3, 4, 4] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), pad_type: h.s('same'), strides: h.is(2, 2) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w')], { auto_pad: 'SAME_UPPER', strides: [2, 2] })],
  },
  {
    name: 'conv same_lower',
    inputs: { x: [1, 3, 8, 8] }, weights: { w: [2, 3, 2, 2] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), pad_type: h.s('same_lower') } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w')], { auto_pad: 'SAME_LOWER' })],
  },
  {
    name: 'conv depthwise 3x3 stride 2',
    inputs: { x: [1, 8, 12, 12] }, weights: { w: [8, 1, 3, 3], b: [8] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b'), groups: h.i(8), strides: h.is(2, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w'), o.w('b')], { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] })],
  },
  {
    name: 'conv grouped dilated',
    inputs: { x: [1, 6, 11, 11] }, weights: { w: [4, 3, 3, 3] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), groups: h.i(2), dilations: h.is(2, 2), pad_type: h.s('valid') } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w')], { group: 2, dilations: [2, 2] })],
  },
  {
    name: 'conv grouped, strided, dilated, padded (packed GEMM path)',
    inputs: { x: [2, 8, 13, 11] }, weights: { w: [10, 4, 3, 3], b: [10] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b'), groups: h.i(2), strides: h.is(2, 1), dilations: h.is(1, 2), pad_type: h.s('custom'), pad: h.is(1, 2, 0, 1) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w'), o.w('b')], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] })],
  },
  {
    name: 'conv pointwise 1x1 batch 2',
    inputs: { x: [2, 16, 7, 7] }, weights: { w: [23, 16, 1, 1], b: [23] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b') } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w'), o.w('b')])],
  },
  {
    name: 'conv asymmetric kernel, strides and pads',
    inputs: { x: [1, 3, 9, 13] }, weights: { w: [4, 3, 2, 5] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), strides: h.is(1, 2), pad_type: h.s('custom'), pad: h.is(0, 1, 2, 2) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w')], { strides: [1, 2], pads: [0, 2, 1, 2] })],
  },
  {
    name: 'conv 1-D',
    inputs: { x: [1, 4, 20] }, weights: { w: [5, 4, 3] },
    mil: (h) => ({ type: 'conv', params: { x: h.x('x'), weight: h.w('w'), strides: h.is(2), pad_type: h.s('custom'), pad: h.is(2, 1) } }),
    onnx: (b, o) => [b.op('Conv', ['x', o.w('w')], { strides: [2], pads: [2, 1] })],
  },
  {
    name: 'conv_transpose stride 2 custom pad',
    inputs: { x: [1, 4, 5, 5] }, weights: { w: [4, 3, 3, 3], b: [3] },
    mil: (h) => ({ type: 'conv_transpose', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b'), strides: h.is(2, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1) } }),
    onnx: (b, o) => [b.op('ConvTranspose', ['x', o.w('w'), o.w('b')], { strides: [2, 2], pads: [1, 1, 1, 1] })],
  },
  {
    name: 'conv_transpose grouped same',
    inputs: { x: [1, 4, 4, 4] }, weights: { w: [4, 2, 3, 3] },
    mil: (h) => ({ type: 'conv_transpose', params: { x: h.x('x'), weight: h.w('w'), groups: h.i(2), strides: h.is(2, 2), pad_type: h.s('same') } }),
    onnx: (b, o) => [b.op('ConvTranspose', ['x', o.w('w')], { group: 2, strides: [2, 2], pads: [0, 0, 1, 1] })],
  },
  {
    name: 'conv_transpose output_shape (extra row and column)',
    inputs: { x: [1, 2, 3, 3] }, weights: { w: [2, 3, 3, 3] },
    mil: (h) => ({ type: 'conv_transpose', params: { x: h.x('x'), weight: h.w('w'), strides: h.is(2, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1), output_shape: h.is(1, 3, 6, 6) } }),
    onnx: (b, o) => [b.op('ConvTranspose', ['x', o.w('w')], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })],
  },
  {
    name: 'conv_transpose 1-D dilated',
    inputs: { x: [1, 3, 6] }, weights: { w: [3, 2, 4] },
    mil: (h) => ({ type: 'conv_transpose', params: { x: h.x('x'), weight: h.w('w'), strides: h.is(3), dilations: h.is(2) } }),
    onnx: (b, o) => [b.op('ConvTranspose', ['x', o.w('w')], { strides: [3], dilations: [2] })],
  },
];

/** max_pool, avg_pool. */
export const POOL_CASES: OpCase[] = [
  {
    name: 'max_pool 3x3 stride 2 pad 1',
    inputs: { x: [1, 3, 9, 9] },
    mil: (h) => ({ type: 'max_pool', params: { x: h.x('x'), kernel_sizes: h.is(3, 3), strides: h.is(2, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1) } }),
    onnx: (b) => [b.op('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
  },
  {
    name: 'max_pool ceil_mode',
    inputs: { x: [1, 2, 10, 10] },
    mil: (h) => ({ type: 'max_pool', params: { x: h.x('x'), kernel_sizes: h.is(3, 3), strides: h.is(2, 2), pad_type: h.s('valid'), ceil_mode: h.b(true) } }),
    onnx: (b) => [b.op('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })],
  },
  {
    name: 'avg_pool exclude padding',
    inputs: { x: [1, 3, 7, 8] },
    mil: (h) => ({ type: 'avg_pool', params: { x: h.x('x'), kernel_sizes: h.is(3, 3), strides: h.is(2, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 1, 1), exclude_padding_from_average: h.b(true) } }),
    onnx: (b) => [b.op('AveragePool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 })],
  },
  {
    name: 'avg_pool include padding (default)',
    inputs: { x: [1, 3, 7, 8] },
    mil: (h) => ({ type: 'avg_pool', params: { x: h.x('x'), kernel_sizes: h.is(3, 2), strides: h.is(1, 2), pad_type: h.s('custom'), pad: h.is(1, 1, 0, 1) } }),
    onnx: (b) => [b.op('AveragePool', ['x'], { kernel_shape: [3, 2], strides: [1, 2], pads: [1, 0, 1, 1], count_include_pad: 1 })],
  },
  {
    name: 'avg_pool same',
    inputs: { x: [1, 2, 9, 9] },
    mil: (h) => ({ type: 'avg_pool', params: { x: h.x('x'), kernel_sizes: h.is(2, 2), strides: h.is(2, 2), pad_type: h.s('same'), exclude_padding_from_average: h.b(true) } }),
    onnx: (b) => [b.op('AveragePool', ['x'], { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 0 })],
  },
  {
    name: 'avg_pool global',
    inputs: { x: [2, 5, 6, 7] },
    mil: (h) => ({ type: 'avg_pool', params: { x: h.x('x'), kernel_sizes: h.is(6, 7), pad_type: h.s('valid') } }),
    onnx: (b) => [b.op('GlobalAveragePool', ['x'])],
  },
  {
    name: 'max_pool 1-D',
    inputs: { x: [1, 3, 11] },
    mil: (h) => ({ type: 'max_pool', params: { x: h.x('x'), kernel_sizes: h.is(3), strides: h.is(2), pad_type: h.s('valid') } }),
    onnx: (b) => [b.op('MaxPool', ['x'], { kernel_shape: [3], strides: [2] })],
  },
];

/** linear, matmul. */
export const LINEAR_CASES: OpCase[] = [
  {
    name: 'linear rank 3 + bias',
    inputs: { x: [3, 5, 8] }, weights: { w: [6, 8], b: [6] },
    mil: (h) => ({ type: 'linear', params: { x: h.x('x'), weight: h.w('w'), bias: h.w('b') } }),
    onnx: (b, o) => [b.op('Add', [b.op('MatMul', ['x', b.op('Transpose', [o.w('w')], { perm: [1, 0] })]), o.w('b')])],
  },
  {
    name: 'matmul broadcast batch',
    inputs: { x: [2, 1, 4, 5], y: [3, 5, 6] },
    mil: (h) => ({ type: 'matmul', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('MatMul', ['x', 'y'])],
  },
  {
    name: 'matmul transpose_x transpose_y',
    inputs: { x: [3, 5, 4], y: [3, 6, 5] },
    mil: (h) => ({ type: 'matmul', params: { x: h.x('x'), y: h.x('y'), transpose_x: h.b(true), transpose_y: h.b(true) } }),
    onnx: (b) => [b.op('MatMul', [b.op('Transpose', ['x'], { perm: [0, 2, 1] }), b.op('Transpose', ['y'], { perm: [0, 2, 1] })])],
  },
  {
    name: 'matmul rank-1 x',
    inputs: { x: [5], y: [2, 5, 3] },
    mil: (h) => ({ type: 'matmul', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('MatMul', ['x', 'y'])],
  },
  {
    name: 'matmul rank-1 y',
    inputs: { x: [2, 4, 5], y: [5] },
    mil: (h) => ({ type: 'matmul', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('MatMul', ['x', 'y'])],
  },
];

/** Reductions. */
export const REDUCE_CASES: OpCase[] = [
  {
    name: 'reduce_mean axes [2,3] keep_dims',
    inputs: { x: [2, 3, 4, 5] },
    mil: (h) => ({ type: 'reduce_mean', params: { x: h.x('x'), axes: h.is(2, 3), keep_dims: h.b(true) } }),
    onnx: (b) => [b.op('ReduceMean', ['x'], { axes: [2, 3], keepdims: 1 })],
  },
  {
    name: 'reduce_sum axes [1] drop',
    inputs: { x: [2, 3, 4] },
    mil: (h) => ({ type: 'reduce_sum', params: { x: h.x('x'), axes: h.is(-2) } }),
    onnx: (b, o) => [b.op('ReduceSum', ['x', o.i64(1)], { keepdims: 0 })],
  },
  {
    name: 'reduce_max all axes (default)',
    inputs: { x: [3, 4, 5] },
    mil: (h) => ({ type: 'reduce_max', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('ReduceMax', ['x'], { keepdims: 0 })],
  },
  {
    name: 'reduce_min axes [0,2]',
    inputs: { x: [3, 4, 5] },
    mil: (h) => ({ type: 'reduce_min', params: { x: h.x('x'), axes: h.is(0, 2), keep_dims: h.b(false) } }),
    onnx: (b) => [b.op('ReduceMin', ['x'], { axes: [0, 2], keepdims: 0 })],
  },
  {
    name: 'reduce_l2_norm axes [-1]',
    inputs: { x: [3, 4, 6] },
    mil: (h) => ({ type: 'reduce_l2_norm', params: { x: h.x('x'), axes: h.is(-1), keep_dims: h.b(true) } }),
    onnx: (b) => [b.op('ReduceL2', ['x'], { axes: [-1], keepdims: 1 })],
  },
  {
    name: 'reduce_argmax axis 1',
    inputs: { x: [2, 7, 3] },
    mil: (h) => ({ type: 'reduce_argmax', params: { x: h.x('x'), axis: h.i(1) }, outDtypes: ['int32'] }),
    onnx: (b) => [b.op('ArgMax', ['x'], { axis: 1, keepdims: 0 })],
  },
];

/** Normalizations. */
export const NORM_CASES: OpCase[] = [
  {
    name: 'batch_norm with gamma beta epsilon',
    inputs: { x: [2, 4, 5, 5] }, weights: { mean: [4], var: { shape: [4], kind: 'positive' }, g: [4], bt: [4] },
    mil: (h) => ({ type: 'batch_norm', params: { x: h.x('x'), mean: h.w('mean'), variance: h.w('var'), gamma: h.w('g'), beta: h.w('bt'), epsilon: h.f(1e-3) } }),
    onnx: (b, o) => [b.op('BatchNormalization', ['x', o.w('g'), o.w('bt'), o.w('mean'), o.w('var')], { epsilon: 1e-3 })],
  },
  {
    name: 'batch_norm defaults (no gamma/beta, epsilon 1e-5)',
    inputs: { x: [1, 3, 4, 4] }, weights: { mean: [3], var: { shape: [3], kind: 'positive' } },
    mil: (h) => ({ type: 'batch_norm', params: { x: h.x('x'), mean: h.w('mean'), variance: h.w('var') } }),
    onnx: (b, o) => [b.op('BatchNormalization', ['x', o.f32(1, 1, 1), o.f32(0, 0, 0), o.w('mean'), o.w('var')], { epsilon: 1e-5 })],
    types: ['fp32'],
  },
  {
    name: 'instance_norm',
    inputs: { x: [2, 3, 5, 6] }, weights: { g: [3], bt: [3] },
    mil: (h) => ({ type: 'instance_norm', params: { x: h.x('x'), gamma: h.w('g'), beta: h.w('bt'), epsilon: h.f(1e-5) } }),
    onnx: (b, o) => [b.op('InstanceNormalization', ['x', o.w('g'), o.w('bt')], { epsilon: 1e-5 })],
  },
  {
    name: 'layer_norm last axis',
    inputs: { x: [2, 5, 8] }, weights: { g: [8], bt: [8] },
    mil: (h) => ({ type: 'layer_norm', params: { x: h.x('x'), axes: h.is(-1), gamma: h.w('g'), beta: h.w('bt'), epsilon: h.f(1e-5) } }),
    onnx: (b, o) => [b.op('LayerNormalization', ['x', o.w('g'), o.w('bt')], { axis: -1, epsilon: 1e-5 })],
  },
  {
    name: 'layer_norm axes [2,3]',
    inputs: { x: [2, 3, 4, 5] }, weights: { g: [4, 5], bt: [4, 5] },
    mil: (h) => ({ type: 'layer_norm', params: { x: h.x('x'), axes: h.is(2, 3), gamma: h.w('g'), beta: h.w('bt') } }),
    onnx: (b, o) => [b.op('LayerNormalization', ['x', o.w('g'), o.w('bt')], { axis: 2, epsilon: 1e-5 })],
  },
  {
    name: 'l2_norm over the last three dims',
    inputs: { x: [2, 3, 4, 5] },
    mil: (h) => ({ type: 'l2_norm', params: { x: h.x('x'), epsilon: h.f(1e-6) } }),
    onnx: (b, o) => [b.op('Div', ['x', b.op('Sqrt', [b.op('Add', [b.op('ReduceSumSquare', ['x'], { axes: [1, 2, 3], keepdims: 1 }), o.f32(1e-6)])])])],
    types: ['fp32'],
  },
];

const unary = (mil: string, onnxOp: string, kind: 'float' | 'positive' | 'halves' = 'float', scale = 1): OpCase => ({
  name: mil,
  inputs: { x: { shape: [2, 3, 17], kind, scale } },
  mil: (h) => ({ type: mil, params: { x: h.x('x') } }),
  onnx: (b) => [b.op(onnxOp, ['x'])],
});

/** Activations and unary elementwise ops. */
export const UNARY_CASES: OpCase[] = [
  unary('relu', 'Relu'), unary('sigmoid', 'Sigmoid', 'float', 6), unary('tanh', 'Tanh', 'float', 3), unary('softplus', 'Softplus', 'float', 5),
  unary('erf', 'Erf', 'float', 3), unary('exp', 'Exp', 'float', 4), unary('sqrt', 'Sqrt', 'positive', 10),
  unary('abs', 'Abs'), unary('floor', 'Floor', 'float', 5), unary('ceil', 'Ceil', 'float', 5), unary('round', 'Round', 'halves'),
  unary('sign', 'Sign', 'halves'), unary('sin', 'Sin', 'float', 5), unary('cos', 'Cos', 'float', 5),
  {
    name: 'log (default epsilon)', inputs: { x: { shape: [40], kind: 'positive', scale: 10 } },
    mil: (h) => ({ type: 'log', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Log', ['x'])],
  },
  {
    name: 'rsqrt (default epsilon)', inputs: { x: { shape: [40], kind: 'positive', scale: 10 } },
    mil: (h) => ({ type: 'rsqrt', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Reciprocal', [b.op('Sqrt', ['x'])])],
  },
  {
    name: 'inverse with epsilon', inputs: { x: { shape: [40], kind: 'positive' } },
    mil: (h) => ({ type: 'inverse', params: { x: h.x('x'), epsilon: h.f(0.25) } }),
    onnx: (b, o) => [b.op('Reciprocal', [b.op('Add', ['x', o.f32(0.25)])])],
  },
  {
    name: 'square', inputs: { x: { shape: [40], scale: 4 } },
    mil: (h) => ({ type: 'square', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Mul', ['x', 'x'])],
  },
  {
    name: 'relu6', inputs: { x: { shape: [50], scale: 9 } },
    mil: (h) => ({ type: 'relu6', params: { x: h.x('x') } }),
    onnx: (b, o) => [b.op('Clip', ['x', b.initializer('lo', 'float32', [], Float32Array.of(0)), b.initializer('hi', 'float32', [], Float32Array.of(6))])],
  },
  {
    name: 'sigmoid_hard', inputs: { x: { shape: [50], scale: 5 } },
    mil: (h) => ({ type: 'sigmoid_hard', params: { x: h.x('x'), alpha: h.f(0.25), beta: h.f(0.5) } }),
    onnx: (b) => [b.op('HardSigmoid', ['x'], { alpha: 0.25, beta: 0.5 })],
  },
  {
    name: 'silu', inputs: { x: { shape: [50], scale: 5 } },
    mil: (h) => ({ type: 'silu', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Mul', ['x', b.op('Sigmoid', ['x'])])],
  },
  {
    name: 'gelu EXACT (default)', inputs: { x: { shape: [60], scale: 4 } },
    mil: (h) => ({ type: 'gelu', params: { x: h.x('x') } }),
    onnx: (b, o) => [b.op('Mul', [b.op('Mul', ['x', o.f32(0.5)]), b.op('Add', [o.f32(1), b.op('Erf', [b.op('Mul', ['x', o.f32(SQRT1_2)])])])])],
  },
  {
    name: 'gelu TANH_APPROXIMATION', inputs: { x: { shape: [60], scale: 4 } },
    mil: (h) => ({ type: 'gelu', params: { x: h.x('x'), mode: h.s('TANH_APPROXIMATION') } }),
    onnx: (b) => [b.op('Gelu', ['x'], { approximate: 'tanh' })],
    opset: 20,
  },
  {
    name: 'gelu SIGMOID_APPROXIMATION', inputs: { x: { shape: [60], scale: 4 } },
    mil: (h) => ({ type: 'gelu', params: { x: h.x('x'), mode: h.s('SIGMOID_APPROXIMATION') } }),
    onnx: (b, o) => [b.op('Mul', ['x', b.op('Sigmoid', [b.op('Mul', ['x', o.f32(1.702)])])])],
  },
  {
    name: 'leaky_relu', inputs: { x: { shape: [50], scale: 3 } },
    mil: (h) => ({ type: 'leaky_relu', params: { x: h.x('x'), alpha: h.f(0.125) } }),
    onnx: (b) => [b.op('LeakyRelu', ['x'], { alpha: 0.125 })],
  },
  {
    name: 'clip', inputs: { x: { shape: [50], scale: 3 } },
    mil: (h) => ({ type: 'clip', params: { x: h.x('x'), alpha: h.f(-1.5), beta: h.f(0.75) } }),
    onnx: (b) => [b.op('Clip', ['x', b.initializer('lo', 'float32', [], Float32Array.of(-1.5)), b.initializer('hi', 'float32', [], Float32Array.of(0.75))])],
  },
  {
    name: 'prelu per channel', inputs: { x: [2, 4, 3, 3] }, weights: { a: [4] },
    mil: (h) => ({ type: 'prelu', params: { x: h.x('x'), alpha: h.w('a') } }),
    onnx: (b, o) => [b.op('PRelu', ['x', b.op('Reshape', [o.w('a'), o.i64(4, 1, 1)])])],
  },
  {
    name: 'elu', inputs: { x: { shape: [50], scale: 3 } },
    mil: (h) => ({ type: 'elu', params: { x: h.x('x'), alpha: h.f(0.75) } }),
    onnx: (b) => [b.op('Elu', ['x'], { alpha: 0.75 })],
  },
  {
    name: 'softmax axis 1', inputs: { x: { shape: [2, 5, 3], scale: 4 } },
    mil: (h) => ({ type: 'softmax', params: { x: h.x('x'), axis: h.i(1) } }),
    onnx: (b) => [b.op('Softmax', ['x'], { axis: 1 })],
  },
  {
    name: 'softmax default axis -1', inputs: { x: { shape: [3, 7], scale: 4 } },
    mil: (h) => ({ type: 'softmax', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Softmax', ['x'], { axis: -1 })],
  },
];

const binary = (mil: string, onnxOp: string, yKind: 'float' | 'positive' = 'float', xKind: 'float' | 'positive' = 'float'): OpCase => ({
  name: `${mil} broadcast`,
  inputs: { x: { shape: [2, 3, 4, 5], kind: xKind, scale: 2 }, y: { shape: [3, 1, 5], kind: yKind, scale: 2 } },
  mil: (h) => ({ type: mil, params: { x: h.x('x'), y: h.x('y') } }),
  onnx: (b) => [b.op(onnxOp, ['x', 'y'])],
});

const compare = (mil: string, onnx: (b: Parameters<OpCase['onnx']>[0]) => string): OpCase => ({
  name: mil,
  inputs: { x: { shape: [3, 4], kind: 'ints' }, y: { shape: [4], kind: 'ints' } },
  mil: (h) => ({ type: mil, params: { x: h.x('x'), y: h.x('y') }, outDtypes: ['bool'] }),
  onnx: (b) => [onnx(b)],
});

/** Binary elementwise ops, comparisons, logic, select. */
export const BINARY_CASES: OpCase[] = [
  binary('add', 'Add'), binary('sub', 'Sub'), binary('mul', 'Mul'), binary('real_div', 'Div', 'positive'),
  binary('pow', 'Pow', 'float', 'positive'), binary('maximum', 'Max'), binary('minimum', 'Min'),
  {
    name: 'add: x broadcast to y, scalar-like y dims',
    inputs: { x: [4, 1], y: [2, 3, 4, 5] },
    mil: (h) => ({ type: 'add', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('Add', ['x', 'y'])],
  },
  {
    name: 'mul per channel and by a scalar constant',
    inputs: { x: [2, 6, 3, 3] }, weights: { c: [1, 6, 1, 1] },
    mil: (h) => ({ type: 'mul', params: { x: h.w('c'), y: h.x('x') } }),
    onnx: (b, o) => [b.op('Mul', [o.w('c'), 'x'])],
  },
  {
    name: 'sub scalar', inputs: { x: [3, 5] },
    mil: (h) => ({ type: 'sub', params: { x: h.x('x'), y: h.f(0.375) } }),
    onnx: (b) => [b.op('Sub', ['x', b.initializer('s', 'float32', [], Float32Array.of(0.375))])],
  },
  {
    name: 'floor_div', inputs: { x: { shape: [4, 6], scale: 8 }, y: { shape: [6], kind: 'positive', scale: 2 } },
    mil: (h) => ({ type: 'floor_div', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('Floor', [b.op('Div', ['x', 'y'])])],
  },
  {
    name: 'mod (sign of the divisor)', inputs: { x: { shape: [4, 6], scale: 8 }, y: { shape: [6], scale: 3 } },
    mil: (h) => ({ type: 'mod', params: { x: h.x('x'), y: h.x('y') } }),
    onnx: (b) => [b.op('Sub', ['x', b.op('Mul', [b.op('Floor', [b.op('Div', ['x', 'y'])]), 'y'])])],
    types: ['fp32'], tol32: 1e-4,
  },
  {
    name: 'add int32', inputs: { x: { shape: [3, 4], kind: 'int32' }, y: { shape: [4], kind: 'int32' } },
    mil: (h) => ({ type: 'add', params: { x: h.x('x'), y: h.x('y') }, outDtypes: ['int32'] }),
    onnx: (b) => [b.op('Add', ['x', 'y'])],
    types: ['fp32'],
  },
  {
    name: 'mod int32', inputs: { x: { shape: [3, 4], kind: 'int32' }, y: { shape: [4], kind: 'int32' } },
    mil: (h) => ({ type: 'mod', params: { x: h.x('x'), y: h.c('int32', [4], Int32Array.of(2, -3, 3, -2)) }, outDtypes: ['int32'] }),
    onnx: (b, o) => [b.op('Mod', ['x', o.t('int32', [4], Int32Array.of(2, -3, 3, -2))], { fmod: 0 })],
    types: ['fp32'],
  },
  compare('equal', (b) => b.op('Equal', ['x', 'y'])),
  compare('not_equal', (b) => b.op('Not', [b.op('Equal', ['x', 'y'])])),
  compare('less', (b) => b.op('Less', ['x', 'y'])),
  compare('less_equal', (b) => b.op('LessOrEqual', ['x', 'y'])),
  compare('greater', (b) => b.op('Greater', ['x', 'y'])),
  compare('greater_equal', (b) => b.op('GreaterOrEqual', ['x', 'y'])),
  {
    name: 'logical_and', inputs: { x: { shape: [3, 4], kind: 'bool' }, y: { shape: [4], kind: 'bool' } },
    mil: (h) => ({ type: 'logical_and', params: { x: h.x('x'), y: h.x('y') }, outDtypes: ['bool'] }),
    onnx: (b) => [b.op('And', ['x', 'y'])], types: ['fp32'],
  },
  {
    name: 'logical_or', inputs: { x: { shape: [3, 4], kind: 'bool' }, y: { shape: [3, 1], kind: 'bool' } },
    mil: (h) => ({ type: 'logical_or', params: { x: h.x('x'), y: h.x('y') }, outDtypes: ['bool'] }),
    onnx: (b) => [b.op('Or', ['x', 'y'])], types: ['fp32'],
  },
  {
    name: 'logical_not', inputs: { x: { shape: [3, 4], kind: 'bool' } },
    mil: (h) => ({ type: 'logical_not', params: { x: h.x('x') }, outDtypes: ['bool'] }),
    onnx: (b) => [b.op('Not', ['x'])], types: ['fp32'],
  },
  {
    name: 'select broadcast', inputs: { c: { shape: [3, 1], kind: 'bool' }, a: [2, 3, 4], b: [4] },
    mil: (h) => ({ type: 'select', params: { cond: h.x('c'), a: h.x('a'), b: h.x('b') } }),
    onnx: (b) => [b.op('Where', ['c', 'a', 'b'])],
  },
  {
    name: 'cast fp32 to fp16 (round to nearest even)', inputs: { x: { shape: [200], scale: 70000 } },
    mil: (h) => ({ type: 'cast', params: { x: h.x('x'), dtype: h.s('fp16') }, outDtypes: ['fp16'] }),
    onnx: (b) => [b.op('Cast', ['x'], { to: 10 })],
    types: ['fp32'],
  },
  {
    name: 'cast fp16 to fp32', inputs: { x: { shape: [50], scale: 3 } },
    mil: (h) => ({ type: 'cast', params: { x: h.x('x'), dtype: h.s('fp32') }, outDtypes: ['fp32'] }),
    onnx: (b) => [b.op('Identity', ['x'])],
    types: ['fp16'],
  },
  {
    name: 'cast to bool', inputs: { x: { shape: [30], kind: 'ints' } },
    mil: (h) => ({ type: 'cast', params: { x: h.x('x'), dtype: h.s('bool') }, outDtypes: ['bool'] }),
    onnx: (b) => [b.op('Cast', ['x'], { to: 9 })],
  },
  {
    name: 'cast int32 to fp32 and fp16', inputs: { x: { shape: [30], kind: 'int32' } },
    mil: (h) => ({ type: 'cast', params: { x: h.x('x'), dtype: h.s(h.T) }, outDtypes: [h.T] }),
    onnx: (b) => [b.op('Cast', ['x'], { to: 1 })],
  },
  {
    name: 'cast fp to int32 (toward zero)', inputs: { x: { shape: [30], scale: 6 } },
    mil: (h) => ({ type: 'cast', params: { x: h.x('x'), dtype: h.s('int32') }, outDtypes: ['int32'] }),
    onnx: (b) => [b.op('Cast', ['x'], { to: 6 })],
  },
];

/** Data movement. */
export const SHAPE_CASES: OpCase[] = [
  {
    name: 'reshape with 0 and -1', inputs: { x: [2, 3, 4] },
    mil: (h) => ({ type: 'reshape', params: { x: h.x('x'), shape: h.is(0, -1, 2) } }),
    onnx: (b, o) => [b.op('Reshape', ['x', o.i64(0, -1, 2)])],
  },
  {
    name: 'transpose', inputs: { x: [2, 3, 4, 5] },
    mil: (h) => ({ type: 'transpose', params: { x: h.x('x'), perm: h.is(0, 3, 1, -2) } }),
    onnx: (b) => [b.op('Transpose', ['x'], { perm: [0, 3, 1, 2] })],
  },
  {
    name: 'squeeze axes', inputs: { x: [1, 3, 1, 4] },
    mil: (h) => ({ type: 'squeeze', params: { x: h.x('x'), axes: h.is(0, -2) } }),
    onnx: (b, o) => [b.op('Squeeze', ['x', o.i64(0, 2)])],
  },
  {
    name: 'squeeze all (default)', inputs: { x: [1, 3, 1, 4] },
    mil: (h) => ({ type: 'squeeze', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Squeeze', ['x'])],
  },
  {
    name: 'expand_dims', inputs: { x: [3, 4] },
    mil: (h) => ({ type: 'expand_dims', params: { x: h.x('x'), axes: h.is(0, -1) } }),
    onnx: (b, o) => [b.op('Unsqueeze', ['x', o.i64(0, 3)])],
  },
  {
    name: 'concat axis 1', inputs: { a: [2, 3, 4], b: [2, 1, 4], c: [2, 2, 4] },
    mil: (h) => ({ type: 'concat', params: { values: [h.x('a'), h.x('b'), h.x('c')], axis: h.i(1) } }),
    onnx: (b) => [b.op('Concat', ['a', 'b', 'c'], { axis: 1 })],
  },
  {
    name: 'concat interleave', inputs: { a: [2, 3, 4], b: [2, 3, 4] },
    mil: (h) => ({ type: 'concat', params: { values: [h.x('a'), h.x('b')], axis: h.i(1), interleave: h.b(true) } }),
    onnx: (b, o) => [b.op('Reshape', [b.op('Concat', [b.op('Unsqueeze', ['a', o.i64(2)]), b.op('Unsqueeze', ['b', o.i64(2)])], { axis: 2 }), o.i64(2, 6, 4)])],
  },
  {
    name: 'split split_sizes', inputs: { x: [2, 7, 3] },
    mil: (h) => ({ type: 'split', params: { x: h.x('x'), split_sizes: h.is(2, 4, 1), axis: h.i(1) } }),
    onnx: (b, o) => b.node('Split', ['x', o.i64(2, 4, 1)], { axis: 1 }, { outputs: 3 }),
  },
  {
    name: 'split num_splits', inputs: { x: [2, 6] },
    mil: (h) => ({ type: 'split', params: { x: h.x('x'), num_splits: h.i(3), axis: h.i(-1) } }),
    onnx: (b, o) => b.node('Split', ['x', o.i64(2, 2, 2)], { axis: 1 }, { outputs: 3 }),
  },
  {
    name: 'slice_by_index strides, end_mask, negative stride', inputs: { x: [4, 6, 8] },
    mil: (h) => ({ type: 'slice_by_index', params: { x: h.x('x'), begin: h.is(1, 0, 6), end: h.is(3, 0, 0), stride: h.is(1, 2, -2), end_mask: h.bs(false, true, true) } }),
    onnx: (b, o) => [b.op('Slice', ['x', o.i64(1, 0, 6), o.i64(3, 1e9, -1e9), o.i64(0, 1, 2), o.i64(1, 2, -2)])],
  },
  {
    name: 'slice_by_index begin_mask, negative begin, squeeze_mask', inputs: { x: [4, 6, 8] },
    mil: (h) => ({ type: 'slice_by_index', params: { x: h.x('x'), begin: h.is(-2, 9, -5), end: h.is(0, 4, -1), begin_mask: h.bs(false, true, false), squeeze_mask: h.bs(true, false, false) } }),
    onnx: (b, o) => [b.op('Squeeze', [b.op('Slice', ['x', o.i64(-2, 0, -5), o.i64(-1, 4, -1), o.i64(0, 1, 2)]), o.i64(0)])],
  },
  {
    name: 'pad constant', inputs: { x: [2, 3, 4] },
    mil: (h) => ({ type: 'pad', params: { x: h.x('x'), pad: h.is(1, 0, 2, 1), constant_val: h.f(0.5) } }),
    onnx: (b, o) => [b.op('Pad', ['x', o.i64(0, 1, 2, 0, 0, 1), b.initializer('cv', 'float32', [], Float32Array.of(0.5))], { mode: 'constant' })],
  },
  {
    name: 'pad reflect', inputs: { x: [1, 2, 4, 5] },
    mil: (h) => ({ type: 'pad', params: { x: h.x('x'), pad: h.is(2, 3, 1, 4), mode: h.s('reflect') } }),
    onnx: (b, o) => [b.op('Pad', ['x', o.i64(0, 0, 2, 1, 0, 0, 3, 4)], { mode: 'reflect' })],
  },
  {
    name: 'pad replicate', inputs: { x: [1, 2, 4, 5] },
    mil: (h) => ({ type: 'pad', params: { x: h.x('x'), pad: h.is(3, 1, 0, 2), mode: h.s('replicate') } }),
    onnx: (b, o) => [b.op('Pad', ['x', o.i64(0, 0, 3, 0, 0, 0, 1, 2)], { mode: 'edge' })],
  },
  {
    name: 'gather axis 1 with negative index', inputs: { x: [2, 5, 3] },
    mil: (h) => ({ type: 'gather', params: { x: h.x('x'), indices: h.c('int32', [2, 2], Int32Array.of(0, 4, -1, 2)), axis: h.i(1) } }),
    onnx: (b, o) => [b.op('Gather', ['x', o.t('int64', [2, 2], BigInt64Array.of(0n, 4n, -1n, 2n))], { axis: 1 })],
  },
  {
    name: 'gather scalar index (default axis 0)', inputs: { x: [4, 3] },
    mil: (h) => ({ type: 'gather', params: { x: h.x('x'), indices: h.c('int32', [], Int32Array.of(2)) } }),
    onnx: (b, o) => [b.op('Gather', ['x', o.t('int64', [], BigInt64Array.of(2n))], { axis: 0 })],
  },
  {
    name: 'gather_along_axis', inputs: { x: [3, 4] },
    mil: (h) => ({ type: 'gather_along_axis', params: { x: h.x('x'), indices: h.c('int32', [2, 4], Int32Array.of(0, 2, 1, 2, 1, 0, 2, -1)), axis: h.i(0) } }),
    onnx: (b, o) => [b.op('GatherElements', ['x', o.t('int64', [2, 4], BigInt64Array.of(0n, 2n, 1n, 2n, 1n, 0n, 2n, -1n))], { axis: 0 })],
  },
  {
    name: 'tile', inputs: { x: [2, 3] },
    mil: (h) => ({ type: 'tile', params: { x: h.x('x'), reps: h.is(2, 3) } }),
    onnx: (b, o) => [b.op('Tile', ['x', o.i64(2, 3)])],
  },
  {
    name: 'identity', inputs: { x: [2, 3] },
    mil: (h) => ({ type: 'identity', params: { x: h.x('x') } }),
    onnx: (b) => [b.op('Identity', ['x'])],
  },
];

/** Resizing. */
export const RESIZE_CASES: OpCase[] = [
  {
    name: 'upsample_nearest_neighbor x2', inputs: { x: [1, 2, 3, 4] },
    mil: (h) => ({ type: 'upsample_nearest_neighbor', params: { x: h.x('x'), scale_factor_height: h.i(2), scale_factor_width: h.i(3) } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', o.f32(1, 1, 2, 3)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })],
  },
  {
    name: 'resize_nearest_neighbor', inputs: { x: [1, 2, 4, 6] },
    mil: (h) => ({ type: 'resize_nearest_neighbor', params: { x: h.x('x'), target_size_height: h.i(7), target_size_width: h.i(4) } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', '', o.i64(1, 2, 7, 4)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })],
  },
  {
    name: 'upsample_bilinear align_corners (default)', inputs: { x: [1, 2, 3, 4] },
    mil: (h) => ({ type: 'upsample_bilinear', params: { x: h.x('x'), scale_factor_height: h.i(2), scale_factor_width: h.i(2) } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', o.f32(1, 1, 2, 2)], { mode: 'linear', coordinate_transformation_mode: 'align_corners' })],
  },
  {
    name: 'upsample_bilinear align_corners false (half pixel)', inputs: { x: [1, 2, 3, 4] },
    mil: (h) => ({ type: 'upsample_bilinear', params: { x: h.x('x'), scale_factor_height: h.i(2), scale_factor_width: h.i(2), align_corners: h.b(false) } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', o.f32(1, 1, 2, 2)], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' })],
  },
  {
    name: 'resize_bilinear DEFAULT', inputs: { x: [1, 2, 4, 5] },
    mil: (h) => ({ type: 'resize_bilinear', params: { x: h.x('x'), target_size_height: h.i(7), target_size_width: h.i(3) } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', '', o.i64(1, 2, 7, 3)], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' })],
  },
  {
    name: 'resize_bilinear STRICT_ALIGN_CORNERS', inputs: { x: [1, 2, 4, 5] },
    mil: (h) => ({ type: 'resize_bilinear', params: { x: h.x('x'), target_size_height: h.i(7), target_size_width: h.i(3), sampling_mode: h.s('STRICT_ALIGN_CORNERS') } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', '', o.i64(1, 2, 7, 3)], { mode: 'linear', coordinate_transformation_mode: 'align_corners' })],
  },
  {
    name: 'resize_bilinear UNALIGN_CORNERS', inputs: { x: [1, 2, 4, 5] },
    mil: (h) => ({ type: 'resize_bilinear', params: { x: h.x('x'), target_size_height: h.i(8), target_size_width: h.i(3), sampling_mode: h.s('UNALIGN_CORNERS') } }),
    onnx: (b, o) => [b.op('Resize', ['x', '', '', o.i64(1, 2, 8, 3)], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' })],
  },
];
