// TensorFlow elementwise ops (arithmetic, math, comparisons, logic, Select, AddN, BiasAdd, Cast, Identity, *Like) as ONNX ops.
import { attrInt } from '../../../ir/graph.ts';
import { int, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { castTo, dtypeOf, onnxTypeCode, requireNhwc, scalarTensor, typeAttr, typedScalar } from './common.ts';

const isFloat = (t: string): boolean => t.startsWith('float') || t === 'bfloat16';

/** A TensorFlow binary op that is one ONNX op with the same (numpy) broadcasting. */
export function binary(op: string): TfjsLifter {
  return (node, ctx) => void ctx.emit(op, [node.inputs[0], node.inputs[1]], {}, node.outputs[0]);
}

/** A TensorFlow one-input op that is one ONNX op. */
export function unary(op: string): TfjsLifter {
  return (node, ctx) => void ctx.emit(op, [node.inputs[0]], {}, node.outputs[0]);
}

/** floor(a / b): Floor(Div) for floats; for integers the truncating Div corrected where the remainder's sign differs from b's. */
function floorDiv(ctx: TfjsLiftContext, a: string, b: string, output?: string): string {
  const type = dtypeOf(ctx, a);
  if (isFloat(type)) return ctx.emit('Floor', [ctx.emit('Div', [a, b])], {}, output);
  const q = ctx.emit('Div', [a, b]);
  const r = ctx.emit('Sub', [a, ctx.emit('Mul', [q, b])]);
  const zero = typedScalar(ctx, 'zero', type, 0);
  const inexact = ctx.emit('Not', [ctx.emit('Equal', [r, zero])]);
  const signsDiffer = ctx.emit('Xor', [ctx.emit('Less', [r, zero]), ctx.emit('Less', [b, zero])]);
  const fix = castTo(ctx, ctx.emit('And', [inexact, signsDiffer]), type);
  return ctx.emit('Sub', [q, fix], {}, output);
}

/** FloorDiv, and TF.js's Div (which floors integer quotients). */
export const liftFloorDiv: TfjsLifter = (node, ctx) => void floorDiv(ctx, node.inputs[0], node.inputs[1], node.outputs[0]);
export const liftDiv: TfjsLifter = (node, ctx) => {
  if (isFloat(dtypeOf(ctx, node.inputs[0]))) ctx.emit('Div', [node.inputs[0], node.inputs[1]], {}, node.outputs[0]);
  else floorDiv(ctx, node.inputs[0], node.inputs[1], node.outputs[0]);
};

/** FloorMod: ONNX Mod (fmod 0 takes the divisor's sign) for integers; a − floor(a/b)·b for floats. */
export const liftFloorMod: TfjsLifter = (node, ctx) => {
  const [a, b] = node.inputs;
  if (!isFloat(dtypeOf(ctx, a))) return void ctx.emit('Mod', [a, b], { fmod: int(0) }, node.outputs[0]);
  ctx.emit('Sub', [a, ctx.emit('Mul', [floorDiv(ctx, a, b), b])], {}, node.outputs[0]);
};

/** SquaredDifference: (a − b)². */
export const liftSquaredDifference: TfjsLifter = (node, ctx) => {
  const d = ctx.emit('Sub', [node.inputs[0], node.inputs[1]]);
  ctx.emit('Mul', [d, d], {}, node.outputs[0]);
};

export const liftSquare: TfjsLifter = (node, ctx) => void ctx.emit('Mul', [node.inputs[0], node.inputs[0]], {}, node.outputs[0]);
export const liftRsqrt: TfjsLifter = (node, ctx) => void ctx.emit('Reciprocal', [ctx.emit('Sqrt', [node.inputs[0]])], {}, node.outputs[0]);
export const liftNotEqual: TfjsLifter = (node, ctx) => void ctx.emit('Not', [ctx.emit('Equal', [node.inputs[0], node.inputs[1]])], {}, node.outputs[0]);

/** Softmax / LogSoftmax over the last axis (ONNX opset 13+ normalises exactly one axis, as TensorFlow does). */
export function softmax(op: 'Softmax' | 'LogSoftmax'): TfjsLifter {
  return (node, ctx) => void ctx.emit(op, [node.inputs[0]], { axis: int(-1) }, node.outputs[0]);
}

/** BiasAdd: the bias runs along the last (channel) axis of NHWC data, which is numpy broadcasting. */
export const liftBiasAdd: TfjsLifter = (node, ctx) => {
  requireNhwc(node);
  ctx.emit('Add', [node.inputs[0], node.inputs[1]], {}, node.outputs[0]);
};

/** AddN: Sum for floats, a chain of Adds otherwise (ONNX Sum is float-only). */
export const liftAddN: TfjsLifter = (node, ctx) => {
  const xs = node.inputs;
  if (xs.length === 1) return void ctx.emit('Identity', [xs[0]], {}, node.outputs[0]);
  if (isFloat(dtypeOf(ctx, xs[0]))) return void ctx.emit('Sum', xs, {}, node.outputs[0]);
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) acc = ctx.emit('Add', [acc, xs[i]], {}, i === xs.length - 1 ? node.outputs[0] : undefined);
};

/**
 * Select (TF1): a rank-1 condition as long as the data's first axis picks whole rows (TensorFlow), so it is unsqueezed
 * first; any other condition broadcasts (as TF.js runs every Select, and SelectV2 is defined), like ONNX Where.
 */
export const liftSelect: TfjsLifter = (node, ctx) => {
  let [cond] = node.inputs;
  const [, t, e] = node.inputs;
  const cd = ctx.dims(cond), td = ctx.dims(t);
  const rows = node.op === 'Select' && cd?.length === 1 && td && td.length > 1 && cd[0] !== null && cd[0] === td[0];
  if (rows) cond = ctx.emit('Unsqueeze', [cond, ctx.int64s('axes', Array.from({ length: td.length - 1 }, (_, i) => i + 1))]);
  ctx.emit('Where', [cond, t, e], {}, node.outputs[0]);
};

/** Cast to `DstT`. */
export const liftCast: TfjsLifter = (node, ctx) => {
  const to = typeAttr(node, 'DstT');
  ctx.emit('Cast', [node.inputs[0]], { to: int(onnxTypeCode(to)) }, node.outputs[0]);
};

/** Identity-like ops (Identity, StopGradient, Snapshot, …); IdentityN passes each input to the output of the same index. */
export const liftIdentity: TfjsLifter = (node, ctx) => {
  node.outputs.forEach((out, k) => {
    if (!node.inputs[k]) throw new LiftRefusal(`output ${k} has no input to pass on`);
    ctx.emit('Identity', [node.inputs[k]], {}, out);
  });
};

/** NoOp: only orders side effects; nothing to compute. */
export const liftNoOp: TfjsLifter = () => {};

/** ZerosLike / OnesLike: ConstantOfShape over the input's shape, of the input's type. */
function filledLike(value: number): TfjsLifter {
  return (node, ctx) => {
    const x = node.inputs[0];
    const type = dtypeOf(ctx, x);
    const dims = ctx.dims(x);
    const shape = dims?.every((d): d is number => typeof d === 'number') ? ctx.int64s('shape', dims) : ctx.emit('Shape', [x]);
    ctx.emit('ConstantOfShape', [shape], { value: { type: 'tensor', value: scalarTensor('value', type, value, [1]) } }, node.outputs[0]);
  };
}

export const liftZerosLike = filledLike(0);
export const liftOnesLike = filledLike(1);

/** ClipByValue: ONNX Clip for scalar bounds, else Min then Max (TensorFlow broadcasts tensor bounds). */
export const liftClipByValue: TfjsLifter = (node, ctx) => {
  const [x, lo, hi] = node.inputs;
  if (ctx.rank(lo) === 0 && ctx.rank(hi) === 0) return void ctx.emit('Clip', [x, lo, hi], {}, node.outputs[0]);
  ctx.emit('Max', [ctx.emit('Min', [x, hi]), lo], {}, node.outputs[0]);
};

/** Cumsum(x, axis) with `exclusive` and `reverse`, as ONNX CumSum. */
export const liftCumsum: TfjsLifter = (node, ctx) => {
  const flags = { exclusive: int(attrInt(node, 'exclusive', 0)), reverse: int(attrInt(node, 'reverse', 0)) };
  ctx.emit('CumSum', [node.inputs[0], node.inputs[1]], flags, node.outputs[0]);
};
