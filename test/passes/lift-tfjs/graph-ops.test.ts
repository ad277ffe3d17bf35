// TensorFlow ops lifted to ONNX, op by op: hand-written graph models run in TF.js and, lifted, in onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HostTensor } from '../../../src/ir/host-tensor.ts';
import { seededFloats } from '../../../src/util/random.ts';
import type { TfjsLiftReport } from '../../../src/passes/lift-tfjs/index.ts';
import { liftAndCompare, type Compared } from '../../tfjs/compare-lift.ts';
import { attr, TinyGraph } from '../../tfjs/tiny-graph.ts';

const float = (dims: number[], seed: number): HostTensor => ({ dtype: 'float32', dims, data: seededFloats(dims.reduce((a, b) => a * b, 1), seed, -2, 2) });
const int32 = (dims: number[], values: number[]): HostTensor => ({ dtype: 'int32', dims, data: Int32Array.from(values) });

/** Lifts and runs `g`; every float output within PSNR 60 dB of TF.js, every integer/bool output equal. */
async function check(g: TinyGraph, feeds: Record<string, HostTensor>, outputs: string[]): Promise<{ compared: Compared[]; report: TfjsLiftReport }> {
  const file = g.write(outputs);
  try {
    const { compared, report } = await liftAndCompare(file, feeds, outputs);
    for (const c of compared) {
      assert.deepEqual(c.got.dims, c.want.dims, `${c.name}: shape`);
      if (c.want.dtype === 'float32') assert.ok(c.psnr >= 60, `${c.name}: PSNR ${c.psnr.toFixed(1)} dB (max error ${c.maxAbsError})`);
      else assert.deepEqual(Array.from(c.got.data as ArrayLike<number>, Number), Array.from(c.want.data as ArrayLike<number>, Number), c.name);
    }
    return { compared, report };
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

test('StridedSlice: begin/end masks, negative strides, ellipsis, new axes, shrink, run-time begin', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [2, 5, 6, 3]);
  const begin = g.input('begin', [3], 'DT_INT32');
  const ss = (name: string, b: number[], e: number[], s: number[], masks: Partial<Record<'begin' | 'end' | 'ellipsis' | 'new_axis' | 'shrink_axis', number>>, beginIn?: string) => g.op(name, 'StridedSlice',
    [x, beginIn ?? g.ints(`${name}/b`, b), g.ints(`${name}/e`, e), g.ints(`${name}/s`, s)],
    Object.fromEntries(['begin', 'end', 'ellipsis', 'new_axis', 'shrink_axis'].map((m) => [`${m}_mask`, attr.i(masks[m as keyof typeof masks] ?? 0)])));
  const outs = [
    ss('rows_1_to_4_every_2nd_col', [0, 1, 0, 0], [0, 4, 0, 0], [1, 1, 2, 1], { begin: 0b1101, end: 0b1101 }), // x[:, 1:4, ::2, :]
    ss('reverse_by_2', [0, -1, 0], [0, 0, 0], [1, -2, 1], { begin: 0b101, end: 0b101 }), // x[:, -1:0:-2, :]
    ss('reverse_to_start', [0, 4], [0, 0], [1, -1], { begin: 0b01, end: 0b11 }), // x[:, 4::-1]
    ss('ellipsis_new_axis', [0, 1, 0], [0, 3, 0], [1, 1, 1], { ellipsis: 0b001, new_axis: 0b100 }), // x[..., 1:3, newaxis]
    ss('shrink_last', [1, 0, -1], [2, 0, 0], [1, 1, 1], { shrink_axis: 0b101, begin: 0b010, end: 0b010 }), // x[1, :, -1]
    ss('new_axis_ellipsis_shrink', [0, 0, 0], [0, 0, 1], [1, 1, 1], { new_axis: 0b001, ellipsis: 0b010, shrink_axis: 0b100 }), // x[newaxis, ..., 0]
    ss('runtime_begin', [], [0, 5, 0], [1, 1, 1], { begin: 0b001, end: 0b001, shrink_axis: 0b100 }, begin), // x[:, b1:5, b2]
  ];
  await check(g, { x: float([2, 5, 6, 3], 1), begin: int32([3], [0, 2, 4]) }, outs);
});

test('ResizeBilinear / ResizeNearestNeighbor: align_corners, half_pixel_centers and neither, up and down', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, 5, 7, 3]);
  const outs: string[] = [];
  for (const [op, short] of [['ResizeBilinear', 'bilinear'], ['ResizeNearestNeighbor', 'nearest']]) {
    for (const [mode, align, half] of [['asymmetric', false, false], ['align_corners', true, false], ['half_pixel', false, true]] as const) {
      for (const [dir, size] of [['up', [9, 11]], ['down', [3, 4]]] as const) {
        const name = `${short}_${mode}_${dir}`;
        outs.push(g.op(name, op, [x, g.ints(`${name}/size`, [...size])], { align_corners: attr.b(align), half_pixel_centers: attr.b(half) }));
      }
    }
  }
  await check(g, { x: float([1, 5, 7, 3], 2) }, outs);
});

test('convolutions and pools: SAME with stride 2 on odd sizes, even kernels, dilation, EXPLICIT, fused activations', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, 7, 9, 4]);
  const w = (name: string, shape: number[], seed: number) => g.const(name, seededFloats(shape.reduce((a, b) => a * b, 1), seed, -0.5, 0.5), shape);
  const nhwc = (v: number[]) => attr.ints([1, ...v, 1]);
  const conv = (name: string, op: string, filter: string, padding: string, stride: number[], more: Record<string, unknown> = {}, args: string[] = []) =>
    g.op(name, op, [x, filter, ...args], { padding: attr.s(padding), strides: nhwc(stride), dilations: nhwc([1, 1]), data_format: attr.s('NHWC'), ...more } as Record<string, Record<string, unknown>>);
  const bias = g.const('bias5', seededFloats(5, 9), [5]);
  const outs = [
    conv('conv_same_s2', 'Conv2D', w('w3', [3, 3, 4, 5], 3), 'SAME', [2, 2]),
    conv('conv_even_kernel_same_s2', 'Conv2D', w('w4', [4, 4, 4, 5], 4), 'SAME', [2, 2]),
    conv('conv_valid_s2x1', 'Conv2D', w('w3b', [3, 2, 4, 5], 5), 'VALID', [2, 1]),
    conv('conv_explicit', 'Conv2D', w('w3c', [3, 3, 4, 5], 6), 'EXPLICIT', [1, 2], { explicit_paddings: attr.ints([0, 0, 2, 1, 0, 3, 0, 0]) }),
    conv('conv_dilated_same', 'Conv2D', w('w3d', [3, 3, 4, 5], 7), 'SAME', [1, 1], { dilations: nhwc([2, 2]) }),
    conv('depthwise_same_s2', 'DepthwiseConv2dNative', w('dw', [3, 3, 4, 2], 8), 'SAME', [2, 2]),
    conv('fused_bias_leaky', '_FusedConv2D', w('w3e', [3, 3, 4, 5], 10), 'SAME', [2, 2], { fused_ops: attr.strings(['BiasAdd', 'LeakyRelu']), num_args: attr.i(1), leakyrelu_alpha: attr.f(0.3) }, [bias]),
    conv('fused_bias_elu', '_FusedConv2D', w('w3f', [3, 3, 4, 5], 11), 'VALID', [1, 1], { fused_ops: attr.strings(['BiasAdd', 'Elu']), num_args: attr.i(1) }, [bias]),
    conv('fused_bias_prelu', '_FusedConv2D', w('w1', [1, 1, 4, 5], 12), 'SAME', [1, 1], { fused_ops: attr.strings(['BiasAdd', 'Prelu']), num_args: attr.i(2) }, [bias, g.const('slope', seededFloats(5, 13, 0, 0.5), [5])]),
    conv('fused_depthwise_relu6', 'FusedDepthwiseConv2dNative', w('dw2', [3, 3, 4, 1], 14), 'SAME', [2, 2], { fused_ops: attr.strings(['BiasAdd', 'Relu6']), num_args: attr.i(1) }, [g.const('bias4', seededFloats(4, 15), [4])]),
    g.op('maxpool_same_s2', 'MaxPool', [x], { ksize: nhwc([3, 3]), strides: nhwc([2, 2]), padding: attr.s('SAME'), data_format: attr.s('NHWC') }),
    g.op('avgpool_same_s2', 'AvgPool', [x], { ksize: nhwc([3, 3]), strides: nhwc([2, 2]), padding: attr.s('SAME'), data_format: attr.s('NHWC') }),
    g.op('avgpool_valid', 'AvgPool', [x], { ksize: nhwc([2, 3]), strides: nhwc([1, 2]), padding: attr.s('VALID'), data_format: attr.s('NHWC') }),
  ];
  await check(g, { x: float([1, 7, 9, 4], 16) }, outs);
});

test('MatMul, _FusedMatMul (bias + Relu) and BatchMatMulV2 with transpose/adjoint flags', async () => {
  const g = new TinyGraph();
  const a = g.input('a', [3, 4]);
  const b3 = g.input('b3', [2, 3, 4]);
  const wt = g.const('wt', seededFloats(20, 20), [5, 4]);
  const outs = [
    g.op('matmul_tb', 'MatMul', [a, wt], { transpose_a: attr.b(false), transpose_b: attr.b(true) }),
    g.op('matmul_ta', 'MatMul', [a, g.const('w3', seededFloats(15, 21), [3, 5])], { transpose_a: attr.b(true), transpose_b: attr.b(false) }),
    g.op('fused_matmul', '_FusedMatMul', [a, wt, g.const('mb', seededFloats(5, 22), [5])], { transpose_a: attr.b(false), transpose_b: attr.b(true), fused_ops: attr.strings(['BiasAdd', 'Relu']), num_args: attr.i(1) }),
    g.op('batch_matmul', 'BatchMatMulV2', [b3, g.const('w45', seededFloats(20, 23), [4, 5])], { adj_x: attr.b(false), adj_y: attr.b(false) }),
    g.op('batch_matmul_adj', 'BatchMatMulV2', [b3, b3], { adj_x: attr.b(false), adj_y: attr.b(true) }),
  ];
  await check(g, { a: float([3, 4], 24), b3: float([2, 3, 4], 25) }, outs);
});

test('shape and data ops: static shape arithmetic, Pack/Unpack/Split(V)/Concat, Pad modes, reductions, Gather, Tile, Select', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [2, 3, 4]);
  const y = g.input('y', [2, 3, 4]);
  const n = g.input('n', [2, 3], 'DT_INT32');
  const i32 = { T: attr.type('DT_INT32') };
  // Reshape to [batch, -1] with the batch read from the shape: a constant once shapes are static.
  const shape = g.op('shape', 'Shape', [x], { out_type: attr.type('DT_INT32') });
  const batch = g.op('batch', 'StridedSlice', [shape, g.ints('b0', [0]), g.ints('e1', [1]), g.ints('s1', [1])], { ...i32, shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
  const target = g.op('target', 'Pack', [batch, g.ints('minus1', [-1], [])], { ...i32, axis: attr.i(0), N: attr.i(2) });
  g.op('unpacked', 'Unpack', [x], { num: attr.i(3), axis: attr.i(1) });
  g.op('halves', 'Split', [g.ints('axis2', [2], []), x], { num_split: attr.i(2) });
  g.op('parts', 'SplitV', [x, g.ints('sizes', [1, -1]), g.ints('axis1', [1], [])], { num_split: attr.i(2), Tlen: attr.type('DT_INT32') });
  const paddings = g.ints('paddings', [0, 1, 2, 0, 1, 1], [3, 2]);
  const cond = g.op('cond', 'Greater', [x, y]);
  const outs = [
    g.op('reshaped', 'Reshape', [x, target]),
    g.op('packed', 'Pack', [x, y], { axis: attr.i(-1), N: attr.i(2) }),
    g.op('concat', 'ConcatV2', ['unpacked', 'unpacked:2', g.ints('axis_last', [-1], [])], { N: attr.i(2) }),
    'halves:1', 'parts:1',
    g.op('pad', 'Pad', [x, paddings]),
    g.op('pad_value', 'PadV2', [x, paddings, g.const('pv', [1.5], [])]),
    g.op('mirror', 'MirrorPad', [x, g.ints('mp', [0, 0, 1, 1, 2, 2], [3, 2])], { mode: attr.s('REFLECT') }),
    g.op('mean', 'Mean', [x, g.ints('ax1', [1])], { keep_dims: attr.b(true) }),
    g.op('sum', 'Sum', [x, g.ints('ax02', [0, 2])], { keep_dims: attr.b(false) }),
    g.op('max', 'Max', [x, g.ints('axm1', [-1])], { keep_dims: attr.b(false) }),
    g.op('prod', 'Prod', [x, g.ints('ax0', [0])], { keep_dims: attr.b(true) }),
    g.op('argmax', 'ArgMax', [x, g.ints('dim2', [2], [])], { output_type: attr.type('DT_INT32') }),
    g.op('tile', 'Tile', [x, g.ints('reps', [1, 2, 1])]),
    g.op('gather', 'GatherV2', [x, g.ints('idx', [2, 0]), g.ints('gax', [1], [])], { batch_dims: attr.i(0) }),
    g.op('select_broadcast', 'Select', [g.const('rows', [1, 0, 0, 1], [4], 'bool'), x, y]),
    g.op('select_v2', 'SelectV2', [cond, x, y]),
    g.op('floordiv', 'FloorDiv', [n, g.ints('divisor', [3, -2, 4], [3])], i32),
    g.op('floormod', 'FloorMod', [n, g.ints('divisor2', [3, -2, 4], [3])], i32),
    g.op('cast', 'Cast', [x], { SrcT: attr.type('DT_FLOAT'), DstT: attr.type('DT_INT32') }),
    g.op('fill', 'Fill', [g.ints('fill_dims', [2, 3]), g.const('fill_value', [0.25], [])]),
    g.op('range', 'Range', [g.ints('r0', [1], []), g.ints('r1', [11], []), g.ints('r2', [3], [])], { Tidx: attr.type('DT_INT32') }),
    g.op('zeros', 'ZerosLike', [x]),
    g.op('addn', 'AddN', [x, y, x], { N: attr.i(3) }),
    g.op('sqdiff', 'SquaredDifference', [x, y]),
    g.op('softmax', 'Softmax', [x]),
    g.op('log_softmax', 'LogSoftmax', [x]),
    g.op('rsqrt', 'Rsqrt', [g.op('abs_plus', 'AddV2', [g.op('abs', 'Abs', [x]), g.const('one', [1], [])])]),
    g.op('squeeze', 'Squeeze', [g.op('expand', 'ExpandDims', [x, g.ints('edim', [-1], [])], { Tdim: attr.type('DT_INT32') })], { squeeze_dims: attr.ints([3]) }),
    g.op('transpose', 'Transpose', [x, g.ints('perm', [2, 0, 1])]),
    g.op('slice', 'Slice', [x, g.ints('sb', [1, 0, 1]), g.ints('sz', [-1, 2, 2])]),
  ];
  const { report } = await check(g, { x: float([2, 3, 4], 30), y: float([2, 3, 4], 31), n: int32([2, 3], [7, -7, 9, -9, 0, 5]) }, outs);
  // Shape → StridedSlice → Pack of a static shape is known at lift time: the Reshape reads a constant, no Shape is left.
  assert.equal(report.ops.Shape, undefined);
});

test('FusedBatchNormV3 (inference) and BiasAdd on NHWC data', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, 4, 5, 3]);
  const c = (name: string, seed: number, lo: number, hi: number) => g.const(name, seededFloats(3, seed, lo, hi), [3]);
  const outs = [
    g.op('bn', 'FusedBatchNormV3', [x, c('scale', 40, 0.5, 2), c('offset', 41, -1, 1), c('mean', 42, -1, 1), c('variance', 43, 0.2, 2)], { epsilon: attr.f(0.001), is_training: attr.b(false), data_format: attr.s('NHWC'), U: attr.type('DT_FLOAT') }),
    g.op('bias', 'BiasAdd', [x, c('b', 44, -1, 1)], { data_format: attr.s('NHWC') }),
  ];
  await check(g, { x: float([1, 4, 5, 3], 45) }, outs);
});

test('dynamic spatial size: SAME convolution and pooling padded at run time, sizes and shapes computed from Shape, run-time paddings', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, -1, -1, 4]);
  const nhwc = (v: number[]) => attr.ints([1, ...v, 1]);
  const i32 = { T: attr.type('DT_INT32') };
  const conv = g.op('conv', 'Conv2D', [x, g.const('w', seededFloats(3 * 3 * 4 * 2, 50, -0.5, 0.5), [3, 3, 4, 2])], { padding: attr.s('SAME'), strides: nhwc([2, 2]), dilations: nhwc([1, 1]), data_format: attr.s('NHWC') });
  const pool = g.op('pool', 'MaxPool', [x], { ksize: nhwc([3, 3]), strides: nhwc([2, 2]), padding: attr.s('SAME'), data_format: attr.s('NHWC') });
  // size = 2 · x.shape[1:3], as tf.image.resize computes it.
  const hw = g.op('hw', 'StridedSlice', [g.op('shape', 'Shape', [x], { out_type: attr.type('DT_INT32') }), g.ints('b1', [1]), g.ints('e3', [3]), g.ints('s1', [1])], { ...i32, begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0), shrink_axis_mask: attr.i(0) });
  const size = g.op('size', 'Mul', [hw, g.ints('two', [2], [])], i32);
  const outs = [
    conv, pool,
    g.op('resized', 'ResizeBilinear', [x, size], { align_corners: attr.b(false), half_pixel_centers: attr.b(true) }),
    g.op('flat', 'Reshape', [x, g.ints('flat_shape', [1, -1])]),
    g.op('pad_runtime', 'Pad', [x, g.input('paddings', [4, 2], 'DT_INT32')]),
  ];
  const { report } = await check(g, { x: float([1, 7, 9, 4], 51), paddings: int32([4, 2], [0, 1, 2, 0, 1, 3, 0, 2]) }, outs);
  assert.ok(report.ops.Shape, 'the resize size is computed at run time');
});

test('Conv2DBackpropInput (SAME to odd sizes, VALID), DepthToSpace and LRN on NHWC data', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, 4, 5, 8]);
  const nhwc = (v: number[]) => attr.ints([1, ...v, 1]);
  const deconv = (name: string, sizes: number[], kernel: number[], padding: string, stride: number[]) => g.op(name, 'Conv2DBackpropInput',
    [g.ints(`${name}/sizes`, sizes), g.const(`${name}/w`, seededFloats(kernel[0] * kernel[1] * sizes[3] * 8, sizes[1], -0.5, 0.5), [kernel[0], kernel[1], sizes[3], 8]), x],
    { padding: attr.s(padding), strides: nhwc(stride), dilations: nhwc([1, 1]), data_format: attr.s('NHWC') });
  const outs = [
    deconv('deconv_same_odd', [1, 7, 9, 3], [3, 3], 'SAME', [2, 2]),
    deconv('deconv_same_even', [1, 8, 10, 3], [4, 4], 'SAME', [2, 2]),
    deconv('deconv_valid', [1, 9, 11, 2], [3, 3], 'VALID', [2, 2]),
    g.op('d2s', 'DepthToSpace', [x], { block_size: attr.i(2), data_format: attr.s('NHWC') }),
    g.op('lrn', 'LRN', [x], { depth_radius: attr.i(2), bias: attr.f(1.5), alpha: attr.f(0.3), beta: attr.f(0.75) }),
  ];
  await check(g, { x: float([1, 4, 5, 8], 60) }, outs);
});

test('more math: Mod, DivNoNan, Expm1, Log1p, IsFinite, All/Any, ReverseV2, GatherNd, OneHot, Einsum, ClipByValue, Cumsum, Rank, ShapeN', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [2, 3, 4]);
  const y = g.input('y', [2, 4, 5]);
  const n = g.input('n', [5], 'DT_INT32');
  const i32 = { T: attr.type('DT_INT32') };
  const positive = g.op('positive', 'Greater', [x, g.const('zero', [0], [])]);
  g.op('shapes', 'ShapeN', [x, y], { N: attr.i(2), out_type: attr.type('DT_INT32') });
  const outs = [
    g.op('mod', 'Mod', [n, g.ints('m', [3], [])], i32),
    g.op('divnonan', 'DivNoNan', [x, g.const('den', [0, 1, -2, 0], [4])]),
    g.op('expm1', 'Expm1', [x]),
    g.op('log1p', 'Log1p', [g.op('absx', 'Abs', [x])]),
    g.op('finite', 'IsFinite', [x]),
    g.op('all', 'All', [positive, g.ints('ax2', [2])], { keep_dims: attr.b(false) }),
    g.op('any', 'Any', [positive, g.ints('ax1', [1])], { keep_dims: attr.b(true) }),
    g.op('reverse', 'ReverseV2', [x, g.ints('rax', [0, 2])], { Tidx: attr.type('DT_INT32') }),
    g.op('gathernd', 'GatherNd', [x, g.ints('ndidx', [1, 2, 0, 1], [2, 2])], { Tindices: attr.type('DT_INT32'), Tparams: attr.type('DT_FLOAT') }),
    g.op('onehot', 'OneHot', [n, g.ints('depth', [4], []), g.const('on', [5], []), g.const('off', [-1], [])], { axis: attr.i(-1), TI: attr.type('DT_INT32') }),
    g.op('einsum', 'Einsum', [x, y], { equation: attr.s('bij,bjk->bik'), N: attr.i(2) }),
    g.op('clip', 'ClipByValue', [x, g.const('lo', [-0.5], []), g.const('hi', [0.75], [])]),
    g.op('cumsum', 'Cumsum', [x, g.ints('cax', [1], [])], { exclusive: attr.b(true), reverse: attr.b(true), Tidx: attr.type('DT_INT32') }),
    g.op('rank', 'Rank', [x]),
    'shapes:1',
  ];
  await check(g, { x: float([2, 3, 4], 61), y: float([2, 4, 5], 62), n: int32([5], [-1, 2, 0, 3, -5]) }, outs);
});

test('SpaceToBatchND → conv → BatchToSpaceND (atrous convolution) becomes one dilated Conv; alone they are reshapes', async () => {
  const g = new TinyGraph();
  const x = g.input('x', [1, 9, 11, 3]);
  const nhwc = (v: number[]) => attr.ints([1, ...v, 1]);
  const block = g.ints('block', [2, 2]);
  // TensorFlow's atrous conv with rate 2, kernel 3, SAME on 9×11: pad 2 each side plus 1 to reach a multiple of 2, cropped after.
  const s2b = g.op('s2b', 'SpaceToBatchND', [x, block, g.ints('paddings', [2, 3, 2, 3], [2, 2])]);
  const conv = g.op('conv', 'Conv2D', [s2b, g.const('w', seededFloats(3 * 3 * 3 * 4, 70, -0.5, 0.5), [3, 3, 3, 4])], { padding: attr.s('VALID'), strides: nhwc([1, 1]), dilations: nhwc([1, 1]), data_format: attr.s('NHWC') });
  const dw = g.op('dw', 'DepthwiseConv2dNative', [s2b, g.const('dww', seededFloats(3 * 3 * 3, 71, -0.5, 0.5), [3, 3, 3, 1])], { padding: attr.s('VALID'), strides: nhwc([1, 1]), dilations: nhwc([1, 1]), data_format: attr.s('NHWC') });
  const crops = g.ints('crops', [0, 1, 0, 1], [2, 2]);
  const outs = [
    g.op('atrous', 'BatchToSpaceND', [conv, block, crops]),
    g.op('atrous_dw', 'BatchToSpaceND', [dw, block, crops]),
    g.op('roundtrip', 'BatchToSpaceND', [g.op('neg', 'Neg', [s2b]), block, g.ints('crops2', [1, 2, 0, 3], [2, 2])]),
    s2b,
  ];
  const { report } = await check(g, { x: float([1, 9, 11, 3], 72) }, outs);
  assert.equal(report.ops.Conv, 2, 'each atrous convolution is one Conv');
});
