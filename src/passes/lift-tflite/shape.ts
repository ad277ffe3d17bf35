// Lifts TFLite layout-free data movement and reductions: RESHAPE, CONCATENATION, TRANSPOSE, PAD/PADV2, SLICE, MEAN (data stays NHWC, as stored).
import { attrInt, attrInts } from '../../ir/graph.ts';
import { int, ints, LiftRefusal } from './context.ts';
import type { Lifter } from './lifter.ts';

/** RESHAPE: the target shape from the output's static shape (the new_shape option or shape input may hold a -1). */
export const liftReshape: Lifter = (node, ctx) => {
  let target: number[];
  try {
    target = ctx.shape(node.outputs[0]);
  } catch {
    target = node.inputs[1] ? ctx.ints(node.inputs[1], 'shape') : attrInts(node, 'new_shape', []);
  }
  ctx.emit('Reshape', [node.inputs[0], ctx.int64s('shape', target)], {}, node.outputs[0]);
};

/** CONCATENATION along `axis`, then its fused activation. */
export const liftConcatenation: Lifter = (node, ctx) => {
  ctx.activated(node, node.outputs[0], (out) => ctx.emit('Concat', node.inputs.filter(Boolean), { axis: int(attrInt(node, 'axis', 0)) }, out));
};

/** TRANSPOSE with a constant permutation. */
export const liftTranspose: Lifter = (node, ctx) => {
  ctx.transpose(node.inputs[0], ctx.ints(node.inputs[1], 'permutation'), node.outputs[0]);
};

/** PAD / PADV2: paddings [[before, after] per dim] → ONNX pads [befores…, afters…]; PADV2's value input → constant_value. */
export const liftPad: Lifter = (node, ctx) => {
  const p = ctx.ints(node.inputs[1], 'paddings');
  if (p.length % 2) throw new LiftRefusal(`paddings hold ${p.length} values, not pairs`);
  const rank = p.length / 2;
  const pads = [...Array.from({ length: rank }, (_, i) => p[2 * i]), ...Array.from({ length: rank }, (_, i) => p[2 * i + 1])];
  const value = node.inputs[2] ? [ctx.scalar('pad_value', ctx.floats(node.inputs[2], 'pad value')[0])] : [];
  ctx.emit('Pad', [node.inputs[0], ctx.int64s('pads', pads), ...value], {}, node.outputs[0]);
};

/** MEAN over constant axes (keep_dims) → ReduceMean. */
export const liftMean: Lifter = (node, ctx) => {
  const axes = ctx.ints(node.inputs[1], 'axes');
  ctx.emit('ReduceMean', [node.inputs[0]], { axes: ints(axes), keepdims: int(attrInt(node, 'keep_dims', 0)) }, node.outputs[0]);
};

/** SLICE: begin and size (−1 = to the end) → Slice starts/ends over every axis. */
export const liftSlice: Lifter = (node, ctx) => {
  const begin = ctx.ints(node.inputs[1], 'begin');
  const size = ctx.ints(node.inputs[2], 'size');
  const input = ctx.shape(node.inputs[0]);
  const ends = begin.map((b, i) => (size[i] < 0 ? input[i] : b + size[i]));
  ctx.emit('Slice', [node.inputs[0], ctx.int64s('starts', begin), ctx.int64s('ends', ends), ctx.int64s('axes', begin.map((_, i) => i))], {}, node.outputs[0]);
};
