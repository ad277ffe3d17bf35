// Per-op inference cases as data: input types + attributes → the output shapes the ONNX spec formulas give.
import { attr } from '../../src/ir/builder.ts';
import { cf32, f32, i64, t, type OpCase } from './op-harness.ts';

// Output-size formulas as written in the ONNX operator spec (Conv, pools, ConvTranspose, Slice).
const conv = (n: number, k: number, s = 1, padBegin = 0, padEnd = 0, d = 1) => Math.floor((n + padBegin + padEnd - d * (k - 1) - 1) / s) + 1;
const poolCeil = (n: number, k: number, s: number, padBegin = 0, padEnd = 0) => {
  const out = Math.ceil((n + padBegin + padEnd - k) / s) + 1;
  return (out - 1) * s >= n + padBegin ? out - 1 : out; // the last window may not start in the end padding
};
const convT = (n: number, k: number, s = 1, padBegin = 0, padEnd = 0, outPad = 0, d = 1) => s * (n - 1) + outPad + ((k - 1) * d + 1) - padBegin - padEnd;
const sliceLen = (n: number, start: number, end: number, step = 1) => {
  let s = start < 0 ? start + n : start;
  let e = end < 0 ? end + n : end;
  if (step > 0) { s = Math.min(Math.max(s, 0), n); e = Math.min(Math.max(e, 0), n); } else { s = Math.min(Math.max(s, 0), n - 1); e = Math.min(Math.max(e, -1), n - 1); }
  return Math.max(0, Math.ceil((e - s) / step));
};

export const OP_CASES: OpCase[] = [
  // conv.ts
  { name: 'Conv pads+strides', op: 'Conv', inputs: [f32(1, 3, 10, 12), f32(8, 3, 3, 3)], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] }, expect: [[1, 8, conv(10, 3, 2, 1, 1), conv(12, 3, 2, 1, 1)]] },
  { name: 'Conv depthwise dilated', op: 'Conv', inputs: [f32(1, 4, 9, 9), f32(4, 1, 3, 3), cf32([0, 0, 0, 0])], attrs: { group: 4, dilations: [2, 2] }, expect: [[1, 4, conv(9, 3, 1, 0, 0, 2), conv(9, 3, 1, 0, 0, 2)]] },
  { name: 'Conv SAME_UPPER stride 2', op: 'Conv', inputs: [f32(1, 2, 7, 7), f32(3, 2, 3, 3)], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, expect: [[1, 3, Math.ceil(7 / 2), Math.ceil(7 / 2)]] },
  { name: 'Conv VALID asymmetric', op: 'Conv', inputs: [f32(1, 2, 8, 6), f32(3, 2, 3, 2)], attrs: { auto_pad: 'VALID' }, expect: [[1, 3, conv(8, 3), conv(6, 2)]] },
  { name: 'Conv 1-D', op: 'Conv', inputs: [f32(2, 3, 20), f32(5, 3, 4)], attrs: { strides: [3] }, expect: [[2, 5, conv(20, 4, 3)]] },
  { name: 'Conv symbolic batch+size', op: 'Conv', inputs: [f32('b', 3, 'h', 'w'), f32(4, 3, 3, 3)], attrs: { pads: [1, 1, 1, 1] }, expect: [['b', 4, 'h', 'w']] },
  { name: 'ConvTranspose output_padding', op: 'ConvTranspose', inputs: [f32(1, 4, 5, 5), f32(4, 2, 3, 3)], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, expect: [[1, 2, convT(5, 3, 2, 1, 1, 1), convT(5, 3, 2, 1, 1, 1)]] },
  { name: 'ConvTranspose group', op: 'ConvTranspose', inputs: [f32(1, 4, 3, 3), f32(4, 3, 2, 2)], attrs: { group: 2, strides: [2, 2] }, expect: [[1, 6, convT(3, 2, 2), convT(3, 2, 2)]] },
  { name: 'ConvTranspose output_shape', op: 'ConvTranspose', inputs: [f32(1, 2, 4, 4), f32(2, 1, 3, 3)], attrs: { strides: [2, 2], output_shape: [9, 9] }, expect: [[1, 1, 9, 9]] },

  // gemm.ts
  { name: 'Gemm transB + bias', op: 'Gemm', inputs: [f32(4, 6), f32(5, 6), f32(5)], attrs: { transB: 1 }, expect: [[4, 5]] },
  { name: 'Gemm transA', op: 'Gemm', inputs: [f32(6, 4), f32(6, 5)], attrs: { transA: 1, alpha: attr.float(2) }, expect: [[4, 5]] },
  { name: 'MatMul batch broadcast', op: 'MatMul', inputs: [f32(2, 1, 3, 4), f32(5, 4, 6)], expect: [[2, 5, 3, 6]] },
  { name: 'MatMul 1-D × 2-D', op: 'MatMul', inputs: [f32(4), f32(4, 6)], expect: [[6]] },
  { name: 'MatMul 2-D × 1-D', op: 'MatMul', inputs: [f32(3, 4), f32(4)], expect: [[3]] },
  { name: 'MatMul 1-D · 1-D', op: 'MatMul', inputs: [f32(4), f32(4)], expect: [[]] },
  { name: 'MatMul symbolic', op: 'MatMul', inputs: [f32('b', 'n', 4), f32(4, 6)], expect: [['b', 'n', 6]] },

  // recurrent.ts
  { name: 'LSTM bidirectional', op: 'LSTM', inputs: [f32(6, 2, 5), f32(2, 16, 5), f32(2, 16, 4)], attrs: { hidden_size: 4, direction: 'bidirectional' }, outputs: 3, expect: [[6, 2, 2, 4], [2, 2, 4], [2, 2, 4]] },
  { name: 'RNN forward', op: 'RNN', inputs: [f32(4, 1, 2), f32(1, 3, 2), f32(1, 3, 3)], attrs: { hidden_size: 3 }, outputs: 2, expect: [[4, 1, 1, 3], [1, 1, 3]] },
  { name: 'GRU layout 1 (batch-major)', op: 'GRU', inputs: [f32(2, 6, 5), f32(1, 12, 5), f32(1, 12, 4)], attrs: { hidden_size: 4, layout: 1 }, outputs: 2, expect: [[2, 6, 1, 4], [2, 1, 4]], noRuntime: true },

  // pool.ts
  { name: 'MaxPool pads+strides', op: 'MaxPool', inputs: [f32(1, 2, 11, 11)], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, outputs: 2, expect: [[1, 2, conv(11, 3, 2, 1, 1), conv(11, 3, 2, 1, 1)], [1, 2, conv(11, 3, 2, 1, 1), conv(11, 3, 2, 1, 1)]], expectDtypes: ['float32', 'int64'] },
  { name: 'MaxPool ceil_mode', op: 'MaxPool', inputs: [f32(1, 1, 8, 8)], attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, expect: [[1, 1, poolCeil(8, 3, 2), poolCeil(8, 3, 2)]] },
  { name: 'MaxPool ceil_mode drops window in padding', op: 'MaxPool', inputs: [f32(1, 1, 5, 5)], attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, expect: [[1, 1, poolCeil(5, 2, 2, 1, 1), poolCeil(5, 2, 2, 1, 1)]] },
  { name: 'AveragePool SAME_UPPER', op: 'AveragePool', inputs: [f32(1, 3, 7, 7)], attrs: { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER' }, expect: [[1, 3, 7, 7]] },
  { name: 'AveragePool ceil_mode 1-D', op: 'AveragePool', inputs: [f32(2, 3, 10)], attrs: { kernel_shape: [3], strides: [3], ceil_mode: 1 }, expect: [[2, 3, poolCeil(10, 3, 3)]] },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', inputs: [f32(2, 5, 7, 9)], expect: [[2, 5, 1, 1]] },
  { name: 'GlobalMaxPool 1-D', op: 'GlobalMaxPool', inputs: [f32(1, 3, 10)], expect: [[1, 3, 1]] },

  // norm.ts
  { name: 'BatchNormalization', op: 'BatchNormalization', inputs: [f32(2, 3, 4, 4), cf32([1, 1, 1], [3]), cf32([0, 0, 0], [3]), cf32([0, 0, 0], [3]), cf32([1, 1, 1], [3])], expect: [[2, 3, 4, 4]] },
  { name: 'LayerNormalization last axis + stats', op: 'LayerNormalization', inputs: [f32(2, 5, 8), f32(8), f32(8)], outputs: 3, expect: [[2, 5, 8], [2, 5, 1], [2, 5, 1]], expectDtypes: ['float32', 'float32', 'float32'] },
  { name: 'LayerNormalization axis 1', op: 'LayerNormalization', inputs: [f32(2, 5, 8), f32(5, 8)], attrs: { axis: 1 }, outputs: 3, expect: [[2, 5, 8], [2, 1, 1], [2, 1, 1]] },
  { name: 'InstanceNormalization', op: 'InstanceNormalization', inputs: [f32(1, 3, 5, 5), f32(3), f32(3)], expect: [[1, 3, 5, 5]] },

  // elementwise.ts
  { name: 'Add broadcast', op: 'Add', inputs: [f32(2, 1, 4), f32(3, 1)], expect: [[2, 3, 4]] },
  { name: 'Mul scalar', op: 'Mul', inputs: [f32(), f32(2, 3)], expect: [[2, 3]] },
  { name: 'Div rank promotion', op: 'Div', inputs: [f32(5), f32(4, 5)], expect: [[4, 5]] },
  { name: 'Pow', op: 'Pow', inputs: [f32(2, 3), f32(3)], expect: [[2, 3]] },
  { name: 'Sub symbolic', op: 'Sub', inputs: [f32('n', 1), f32(1, 'm')], expect: [['n', 'm']] },
  { name: 'Equal int64 → bool', op: 'Equal', inputs: [t('int64', [4, 1]), t('int64', [1, 3])], expect: [[4, 3]], expectDtypes: ['bool'] },
  { name: 'Less → bool', op: 'Less', inputs: [f32(2, 2), f32(2)], expect: [[2, 2]], expectDtypes: ['bool'] },
  { name: 'And', op: 'And', inputs: [t('bool', [3, 1]), t('bool', [3])], expect: [[3, 3]], expectDtypes: ['bool'] },
  { name: 'Max variadic', op: 'Max', inputs: [f32(3, 1), f32(1, 4), f32(4)], expect: [[3, 4]] },
  { name: 'Sum', op: 'Sum', inputs: [f32(2, 3), f32(3)], expect: [[2, 3]] },
  { name: 'Where', op: 'Where', inputs: [t('bool', [2, 1]), f32(1, 3), f32(2, 3)], expect: [[2, 3]] },
  { name: 'PRelu', op: 'PRelu', inputs: [f32(1, 3, 4, 4), f32(3, 1, 1)], expect: [[1, 3, 4, 4]] },
  { name: 'Mod int', op: 'Mod', inputs: [t('int32', [2, 3]), { dtype: 'int32', shape: [1], values: [3] }], expect: [[2, 3]], expectDtypes: ['int32'] },

  // activations.ts
  ...['Relu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'LeakyRelu', 'Erf', 'Sqrt', 'Exp', 'Neg', 'Abs', 'Softplus', 'Identity'].map((op): OpCase => ({ name: op, op, inputs: [f32(2, 3, 4)], expect: [[2, 3, 4]] })),
  { name: 'Gelu (opset 20)', op: 'Gelu', opset: 20, inputs: [f32(3, 5)], expect: [[3, 5]] },
  { name: 'Clip with min/max inputs', op: 'Clip', opset: 13, inputs: [f32(2, 6), cf32([0], []), cf32([6], [])], expect: [[2, 6]] },
  { name: 'Clip opset 6 attrs', op: 'Clip', opset: 6, inputs: [f32(4)], attrs: { min: attr.float(0), max: attr.float(6) }, expect: [[4]] },
  { name: 'Cast to int32', op: 'Cast', inputs: [f32(2, 3)], attrs: { to: 6 }, expect: [[2, 3]], expectDtypes: ['int32'] },
  { name: 'Cast to float16', op: 'Cast', inputs: [f32(3)], attrs: { to: 10 }, expect: [[3]], expectDtypes: ['float16'] },
  { name: 'CastLike', op: 'CastLike', inputs: [f32(2, 2), t('int64', [1])], expect: [[2, 2]], expectDtypes: ['int64'] },
  { name: 'IsNaN', op: 'IsNaN', inputs: [f32(3, 1)], expect: [[3, 1]], expectDtypes: ['bool'] },
  { name: 'Dropout with mask', op: 'Dropout', inputs: [f32(2, 5)], outputs: 2, expect: [[2, 5], [2, 5]], expectDtypes: ['float32', 'bool'] },

  // shape-ops.ts
  { name: 'Reshape 0 and -1', op: 'Reshape', inputs: [f32(2, 3, 4), i64([0, -1])], expect: [[2, 12]] },
  { name: 'Reshape -1 middle', op: 'Reshape', inputs: [f32(2, 3, 4), i64([4, -1, 2])], expect: [[4, 3, 2]] },
  { name: 'Reshape symbolic 0, -1', op: 'Reshape', inputs: [f32('b', 3, 4), i64([0, -1])], expect: [['b', 12]] },
  { name: 'Reshape allowzero', op: 'Reshape', opset: 14, inputs: [f32(0, 4), i64([4, 0])], attrs: { allowzero: 1 }, expect: [[4, 0]] },
  { name: 'Transpose default', op: 'Transpose', inputs: [f32(2, 3, 4)], expect: [[4, 3, 2]] },
  { name: 'Transpose perm', op: 'Transpose', inputs: [f32(1, 3, 5, 7)], attrs: { perm: [0, 2, 3, 1] }, expect: [[1, 5, 7, 3]] },
  { name: 'Concat axis 1', op: 'Concat', inputs: [f32(2, 3), f32(2, 5)], attrs: { axis: 1 }, expect: [[2, 8]] },
  { name: 'Concat axis -1 three', op: 'Concat', inputs: [f32(2, 1, 3), f32(2, 1, 1), f32(2, 1, 2)], attrs: { axis: -1 }, expect: [[2, 1, 6]] },
  { name: 'Split equal', op: 'Split', inputs: [f32(6, 4)], outputs: 3, expect: [[2, 4], [2, 4], [2, 4]] },
  { name: 'Split sizes input (13)', op: 'Split', opset: 13, inputs: [f32(2, 6), i64([1, 5])], attrs: { axis: 1 }, outputs: 2, expect: [[2, 1], [2, 5]] },
  { name: 'Split attr (11)', op: 'Split', opset: 11, inputs: [f32(6)], attrs: { split: [2, 4] }, outputs: 2, expect: [[2], [4]] },
  { name: 'Split num_outputs uneven (18)', op: 'Split', opset: 18, inputs: [f32(7, 2)], attrs: { num_outputs: 3 }, outputs: 3, expect: [[3, 2], [3, 2], [1, 2]] },
  { name: 'Slice steps + negative', op: 'Slice', inputs: [f32(10, 8), i64([1, -3]), i64([100, -1]), i64([0, 1]), i64([2, 1])], expect: [[sliceLen(10, 1, 100, 2), sliceLen(8, -3, -1)]] },
  { name: 'Slice negative step', op: 'Slice', inputs: [f32(10, 3), i64([-1]), i64([-1000]), i64([0]), i64([-2])], expect: [[sliceLen(10, -1, -1000, -2), 3]] },
  { name: 'Slice attr form (9)', op: 'Slice', opset: 9, inputs: [f32(5, 6)], attrs: { starts: [1, 0], ends: [3, 4], axes: [0, 1] }, expect: [[2, 4]] },
  { name: 'Slice symbolic kept', op: 'Slice', inputs: [f32('n', 8), i64([0]), i64([4]), i64([1])], expect: [['n', 4]] },
  { name: 'Gather axis 0', op: 'Gather', inputs: [f32(5, 4), i64([0, 1, 2, 3, 4, 0], [2, 3])], expect: [[2, 3, 4]] },
  { name: 'Gather scalar index axis 1', op: 'Gather', inputs: [f32(5, 4), i64([2], [])], attrs: { axis: 1 }, expect: [[5]] },
  { name: 'GatherElements', op: 'GatherElements', inputs: [f32(3, 3), i64([0, 1, 2, 0, 1, 2], [2, 3])], attrs: { axis: 0 }, expect: [[2, 3]] },
  { name: 'Squeeze attr (11)', op: 'Squeeze', opset: 11, inputs: [f32(2, 1, 3)], attrs: { axes: [1] }, expect: [[2, 3]] },
  { name: 'Squeeze input (13)', op: 'Squeeze', inputs: [f32(1, 3, 1), i64([0, 2])], expect: [[3]] },
  { name: 'Squeeze all ones', op: 'Squeeze', inputs: [f32(1, 3, 1, 2)], expect: [[3, 2]] },
  { name: 'Unsqueeze attr (11)', op: 'Unsqueeze', opset: 11, inputs: [f32(2, 3)], attrs: { axes: [0, 3] }, expect: [[1, 2, 3, 1]] },
  { name: 'Unsqueeze input (13)', op: 'Unsqueeze', inputs: [f32(2, 3), i64([-1])], expect: [[2, 3, 1]] },
  { name: 'Flatten axis 2', op: 'Flatten', inputs: [f32(2, 3, 4, 5)], attrs: { axis: 2 }, expect: [[6, 20]] },
  { name: 'Flatten axis 0', op: 'Flatten', inputs: [f32(2, 3, 4)], attrs: { axis: 0 }, expect: [[1, 24]] },
  { name: 'Flatten symbolic batch', op: 'Flatten', inputs: [f32('b', 3, 4)], expect: [['b', 12]] },
  { name: 'Shape', op: 'Shape', inputs: [f32(2, 3, 4, 5)], expect: [[4]], expectDtypes: ['int64'] },
  { name: 'Shape start/end (15)', op: 'Shape', opset: 15, inputs: [f32(2, 3, 4, 5)], attrs: { start: 1, end: -1 }, expect: [[2]] },
  { name: 'Size', op: 'Size', inputs: [f32(2, 3)], expect: [[]], expectDtypes: ['int64'] },
  { name: 'Expand', op: 'Expand', inputs: [f32(3, 1), i64([2, 1, 4])], expect: [[2, 3, 4]] },
  { name: 'Tile', op: 'Tile', inputs: [f32(2, 3), i64([2, 2])], expect: [[4, 6]] },
  { name: 'Pad input form', op: 'Pad', inputs: [f32(3, 4), i64([1, 2, 3, 4])], expect: [[3 + 1 + 3, 4 + 2 + 4]] },
  { name: 'Pad attr form (10)', op: 'Pad', opset: 10, inputs: [f32(1, 2, 3)], attrs: { pads: [0, 0, 1, 0, 0, 2] }, expect: [[1, 2, 6]] },
  { name: 'ConstantOfShape', op: 'ConstantOfShape', inputs: [i64([2, 3])], expect: [[2, 3]], expectDtypes: ['float32'] },
  { name: 'Range', op: 'Range', inputs: [cf32([0], []), cf32([10], []), cf32([3], [])], expect: [[Math.ceil(10 / 3)]] },
  { name: 'TopK', op: 'TopK', inputs: [f32(2, 10), i64([3])], outputs: 2, expect: [[2, 3], [2, 3]], expectDtypes: ['float32', 'int64'] },
  { name: 'DepthToSpace', op: 'DepthToSpace', inputs: [f32(1, 8, 3, 3)], attrs: { blocksize: 2 }, expect: [[1, 2, 6, 6]] },
  { name: 'SpaceToDepth', op: 'SpaceToDepth', inputs: [f32(1, 2, 6, 6)], attrs: { blocksize: 2 }, expect: [[1, 8, 3, 3]] },
  { name: 'NonZero', op: 'NonZero', inputs: [f32(3, 4)], expect: [[2, null]], expectDtypes: ['int64'] },
  { name: 'OneHot', op: 'OneHot', inputs: [i64([0, 1, 2, 3, 4, 0], [2, 3]), i64([5], []), cf32([0, 1])], expect: [[2, 3, 5]] },

  // softmax.ts
  { name: 'Softmax axis 1', op: 'Softmax', inputs: [f32(2, 3, 4)], attrs: { axis: 1 }, expect: [[2, 3, 4]] },
  { name: 'LogSoftmax', op: 'LogSoftmax', inputs: [f32(2, 7)], expect: [[2, 7]] },
  { name: 'Hardmax', op: 'Hardmax', inputs: [f32(3, 4)], expect: [[3, 4]] },

  // resize.ts
  { name: 'Resize scales', op: 'Resize', inputs: [f32(1, 3, 4, 5), null, cf32([1, 1, 2, 1.5])], expect: [[1, 3, Math.floor(4 * 2), Math.floor(5 * 1.5)]] },
  { name: 'Resize sizes', op: 'Resize', inputs: [f32(1, 3, 4, 5), null, null, i64([1, 3, 9, 10])], expect: [[1, 3, 9, 10]] },
  { name: 'Resize axes + not_larger (18)', op: 'Resize', opset: 18, inputs: [f32(1, 3, 4, 5), null, null, i64([6, 6])], attrs: { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, expect: [[1, 3, Math.round(4 * Math.min(6 / 4, 6 / 5)), Math.round(5 * Math.min(6 / 4, 6 / 5))]] },
  { name: 'Resize opset 10', op: 'Resize', opset: 10, inputs: [f32(1, 1, 3, 3), cf32([1, 1, 2, 2])], expect: [[1, 1, 6, 6]] },
  { name: 'Resize roi given (11)', op: 'Resize', opset: 11, inputs: [f32(1, 2, 4, 4), cf32([]), cf32([1, 1, 0.5, 0.5])], expect: [[1, 2, 2, 2]] },
  { name: 'Upsample (9)', op: 'Upsample', opset: 9, inputs: [f32(1, 2, 3, 4), cf32([1, 1, 2, 3])], expect: [[1, 2, 6, 12]] },

  // reduce.ts
  { name: 'ReduceMean attr axes (13)', op: 'ReduceMean', opset: 13, inputs: [f32(2, 3, 4)], attrs: { axes: [1] }, expect: [[2, 1, 4]] },
  { name: 'ReduceSum input axes, no keepdims', op: 'ReduceSum', opset: 13, inputs: [f32(2, 3, 4), i64([0, 2])], attrs: { keepdims: 0 }, expect: [[3]] },
  { name: 'ReduceMax input axes (18)', op: 'ReduceMax', opset: 18, inputs: [f32(2, 3, 4), i64([-1])], expect: [[2, 3, 1]] },
  { name: 'ReduceMin all axes', op: 'ReduceMin', inputs: [f32(2, 3, 4)], expect: [[1, 1, 1]] },
  { name: 'ArgMax no keepdims', op: 'ArgMax', inputs: [f32(2, 3, 4)], attrs: { axis: 1, keepdims: 0 }, expect: [[2, 4]], expectDtypes: ['int64'] },

  // quant.ts
  { name: 'QuantizeLinear int8 zp', op: 'QuantizeLinear', inputs: [f32(2, 3), cf32([0.1], []), { dtype: 'int8', shape: [], values: [3] }], expect: [[2, 3]], expectDtypes: ['int8'] },
  { name: 'QuantizeLinear default uint8', op: 'QuantizeLinear', inputs: [f32(4), cf32([0.5], [])], expect: [[4]], expectDtypes: ['uint8'] },
  { name: 'DequantizeLinear per-axis', op: 'DequantizeLinear', inputs: [t('uint8', [3, 2]), cf32([0.1, 0.2, 0.3]), { dtype: 'uint8', shape: [3], values: [1, 2, 3] }], attrs: { axis: 0 }, expect: [[3, 2]], expectDtypes: ['float32'] },
  { name: 'DynamicQuantizeLinear', op: 'DynamicQuantizeLinear', inputs: [f32(3, 4)], outputs: 3, expect: [[3, 4], [], []], expectDtypes: ['uint8', 'float32', 'uint8'] },
  { name: 'MatMulInteger', op: 'MatMulInteger', inputs: [t('uint8', [2, 3]), t('uint8', [3, 4])], expect: [[2, 4]], expectDtypes: ['int32'] },
  { name: 'ConvInteger', op: 'ConvInteger', inputs: [t('uint8', [1, 2, 5, 5]), t('uint8', [4, 2, 3, 3])], expect: [[1, 4, conv(5, 3), conv(5, 3)]], expectDtypes: ['int32'] },
  {
    name: 'MatMulNBits 4-bit', op: 'MatMulNBits', domain: 'com.microsoft',
    inputs: [f32(2, 32), { dtype: 'uint8', shape: [8, 1, 16], values: new Array(128).fill(0x88) }, cf32(new Array(8).fill(0.1), [8])],
    attrs: { K: 32, N: 8, bits: 4, block_size: 32 }, expect: [[2, 8]], expectDtypes: ['float32'],
  },
];

/** Inconsistent inputs: inference must throw a GraphError naming the node, and the runtime must refuse too. */
export const OP_ERROR_CASES: (OpCase & { message: RegExp })[] = [
  { name: 'Conv channel mismatch', op: 'Conv', inputs: [f32(1, 3, 8, 8), f32(4, 2, 3, 3)], expect: [], message: /channel mismatch/ },
  { name: 'MatMul inner dim', op: 'MatMul', inputs: [f32(2, 3), f32(4, 5)], expect: [], message: /inner dimensions differ/ },
  { name: 'Gemm K mismatch', op: 'Gemm', inputs: [f32(2, 3), f32(4, 5)], expect: [], message: /inner dimensions differ/ },
  { name: 'Add no broadcast', op: 'Add', inputs: [f32(2, 3), f32(4)], expect: [], message: /cannot broadcast/ },
  { name: 'Reshape element count', op: 'Reshape', inputs: [f32(2, 3), i64([4, 2])], expect: [], message: /cannot reshape/ },
  { name: 'Concat off-axis mismatch', op: 'Concat', inputs: [f32(2, 3), f32(3, 3)], attrs: { axis: 1 }, expect: [], message: /differ outside axis/ },
  { name: 'Split sizes sum', op: 'Split', opset: 13, inputs: [f32(6), i64([2, 2])], outputs: 2, expect: [], message: /sum to 4/ },
  { name: 'Transpose bad perm', op: 'Transpose', inputs: [f32(2, 3)], attrs: { perm: [0, 0] }, expect: [], message: /not a permutation/ },
  { name: 'Transpose long bad perm (shown cut short)', op: 'Transpose', inputs: [f32(2, 3)], attrs: { perm: Array.from({ length: 40 }, (_, i) => i) }, expect: [], message: /^[^]*perm \[0,1,2,3,4,5,6,7,… \(40 values\)\] is not a permutation of rank 2/ },
  { name: 'Squeeze non-1 axis', op: 'Squeeze', inputs: [f32(2, 3), i64([1])], expect: [], message: /cannot squeeze/ },
  { name: 'BatchNormalization wrong channels', op: 'BatchNormalization', inputs: [f32(1, 3, 2, 2), f32(4), f32(4), f32(4), f32(4)], expect: [], message: /does not match 3 channels/ },
];
