// TensorFlow ops spelled with a few ONNX ops: DivNoNan, Expm1, Log1p, IsFinite, All/Any, ReverseV2, GatherNd, OneHot, Einsum, LRN, ShapeN.
import { attrFloat, attrInt, attrString } from '../../../ir/graph.ts';
import { int, ints, str, TO_NCHW, TO_NHWC, type TfjsLifter } from '../context.ts';
import { castTo, dtypeOf, INT64_BIG, normAxis, typeAttr, typedScalar } from './common.ts';

/** DivNoNan: 0 where the divisor is 0, else a / b. */
export const liftDivNoNan: TfjsLifter = (node, ctx) => {
  const [a, b] = node.inputs;
  const zero = typedScalar(ctx, 'zero', dtypeOf(ctx, b), 0);
  ctx.emit('Where', [ctx.emit('Equal', [b, zero]), zero, ctx.emit('Div', [a, b])], {}, node.outputs[0]);
};

/** Expm1 = eˣ − 1 and Log1p = ln(1 + x). */
export const liftExpm1: TfjsLifter = (node, ctx) => void ctx.emit('Sub', [ctx.emit('Exp', [node.inputs[0]]), ctx.scalar('one', 1)], {}, node.outputs[0]);
export const liftLog1p: TfjsLifter = (node, ctx) => void ctx.emit('Log', [ctx.emit('Add', [node.inputs[0], ctx.scalar('one', 1)])], {}, node.outputs[0]);

/** IsFinite: neither NaN nor ±∞. */
export const liftIsFinite: TfjsLifter = (node, ctx) => {
  const x = node.inputs[0];
  ctx.emit('Not', [ctx.emit('Or', [ctx.emit('IsNaN', [x]), ctx.emit('IsInf', [x])])], {}, node.outputs[0]);
};

/** All / Any over known axes: the booleans as int32, ReduceMin / ReduceMax, back to bool. */
function logicalReduce(op: 'ReduceMin' | 'ReduceMax'): TfjsLifter {
  return (node, ctx) => {
    const [x, axesIn] = node.inputs;
    const rank = ctx.rank(x);
    const axes = ctx.requireInts(axesIn, 'reduction axes').map((a) => normAxis(a, rank));
    if (!axes.length) return void ctx.emit('Identity', [x], {}, node.outputs[0]);
    const r = ctx.emit(op, [castTo(ctx, x, 'int32')], { axes: ints(axes), keepdims: int(attrInt(node, 'keep_dims', 0)) });
    castTo(ctx, r, 'bool', node.outputs[0]);
  };
}

export const liftAll = logicalReduce('ReduceMin');
export const liftAny = logicalReduce('ReduceMax');

/** ReverseV2(x, axes): a Slice with step −1 over each axis. */
export const liftReverseV2: TfjsLifter = (node, ctx) => {
  const [x, axesIn] = node.inputs;
  const rank = ctx.rank(x);
  const axes = ctx.requireInts(axesIn, 'axes').map((a) => normAxis(a, rank));
  if (!axes.length) return void ctx.emit('Identity', [x], {}, node.outputs[0]);
  const n = axes.length;
  ctx.emit('Slice', [x, ctx.int64s('starts', new Array(n).fill(-1)), ctx.int64s('ends', new Array(n).fill(-INT64_BIG)), ctx.int64s('axes', axes), ctx.int64s('steps', new Array(n).fill(-1))], {}, node.outputs[0]);
};

/** GatherNd: ONNX GatherND (indices as int64). */
export const liftGatherNd: TfjsLifter = (node, ctx) => {
  ctx.emit('GatherND', [node.inputs[0], castTo(ctx, node.inputs[1], 'int64')], {}, node.outputs[0]);
};

/** OneHot(indices, depth, on, off, axis): negative indices (all-off in TensorFlow, wrapped by ONNX) are moved out of range. */
export const liftOneHot: TfjsLifter = (node, ctx) => {
  const [indices, depth, on, off] = node.inputs;
  const type = dtypeOf(ctx, indices);
  const negative = ctx.emit('Less', [indices, typedScalar(ctx, 'zero', type, 0)]);
  const safe = ctx.emit('Where', [negative, castTo(ctx, depth, type), indices]);
  const values = ctx.emit('Concat', [ctx.emit('Unsqueeze', [off, ctx.int64s('axes', [0])]), ctx.emit('Unsqueeze', [on, ctx.int64s('axes', [0])])], { axis: int(0) });
  ctx.emit('OneHot', [safe, depth, values], { axis: int(attrInt(node, 'axis', -1)) }, node.outputs[0]);
};

/** Einsum: the equation reads the same in ONNX. */
export const liftEinsum: TfjsLifter = (node, ctx) => {
  ctx.emit('Einsum', node.inputs, { equation: str(attrString(node, 'equation', '')) }, node.outputs[0]);
};

/**
 * LRN over the NHWC channel axis: TensorFlow sums depth_radius channels on each side and scales the sum by alpha; ONNX
 * LRN sums `size` = 2r + 1 channels and scales by alpha / size, so alpha is multiplied by size.
 */
export const liftLRN: TfjsLifter = (node, ctx) => {
  const radius = attrInt(node, 'depth_radius', 5);
  const size = 2 * radius + 1;
  const attrs = {
    size: int(size), alpha: { type: 'float' as const, value: attrFloat(node, 'alpha', 1) * size },
    beta: { type: 'float' as const, value: attrFloat(node, 'beta', 0.5) }, bias: { type: 'float' as const, value: attrFloat(node, 'bias', 1) },
  };
  ctx.transpose(ctx.emit('LRN', [ctx.transpose(node.inputs[0], TO_NCHW)], attrs), TO_NHWC, node.outputs[0]);
};

/** ShapeN: one Shape per input, `out_type` (int32 unless asked). */
export const liftShapeN: TfjsLifter = (node, ctx) => {
  const out = typeAttr(node, 'out_type', 'int32');
  node.outputs.forEach((o, k) => castTo(ctx, ctx.emit('Shape', [node.inputs[k]]), out, o));
};
