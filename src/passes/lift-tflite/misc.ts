// Lifts TFLite SOFTMAX, FULLY_CONNECTED, BATCH_MATMUL and RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR.
import { attrFloat, attrInt, type Attribute } from '../../ir/graph.ts';
import { int, LiftRefusal, str, TO_NCHW, TO_NHWC } from './context.ts';
import type { Lifter } from './lifter.ts';

/** SOFTMAX over the last axis; beta ≠ 1 scales the logits first. */
export const liftSoftmax: Lifter = (node, ctx) => {
  const beta = attrFloat(node, 'beta', 1);
  const x = beta === 1 ? node.inputs[0] : ctx.emit('Mul', [node.inputs[0], ctx.scalar('beta', beta)]);
  ctx.emit('Softmax', [x], { axis: int(-1) }, node.outputs[0]);
};

/** FULLY_CONNECTED: x·Wᵀ + b over the last axis (weights [N, K]), inputs flattened to [−1, K] and reshaped back. */
export const liftFullyConnected: Lifter = (node, ctx) => {
  const w = ctx.constant(node.inputs[1], 'weight');
  if (w.dims.length !== 2) throw new LiftRefusal(`weight '${node.inputs[1]}' has rank ${w.dims.length}, not 2`);
  const [n, k] = w.dims;
  const weight = ctx.addConstant(`${node.inputs[1]}_f32`, 'float32', [n, k], ctx.floats(node.inputs[1], 'weight'));
  const b = node.inputs[2] ? [ctx.addConstant(`${node.inputs[2]}_f32`, 'float32', [n], ctx.floats(node.inputs[2], 'bias'))] : [];
  const input = ctx.shape(node.inputs[0]);
  const output = ctx.shape(node.outputs[0]);
  const x = input.length === 2 ? node.inputs[0] : ctx.emit('Reshape', [node.inputs[0], ctx.int64s('fc_shape', [-1, k])]);
  ctx.activated(node, node.outputs[0], (out) => {
    if (output.length === 2) return ctx.emit('Gemm', [x, weight, ...b], { transB: int(1) }, out);
    return ctx.emit('Reshape', [ctx.emit('Gemm', [x, weight, ...b], { transB: int(1) }), ctx.int64s('fc_out_shape', output)], {}, out);
  });
};

/** BATCH_MATMUL: adj_x / adj_y transpose the last two axes of that operand, then MatMul (same broadcasting). */
export const liftBatchMatMul: Lifter = (node, ctx) => {
  const operand = (value: string, adjoint: boolean) => {
    if (!adjoint) return value;
    const rank = ctx.shape(value).length;
    const perm = [...Array(rank).keys()];
    [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
    return ctx.transpose(value, perm);
  };
  const a = operand(node.inputs[0], attrInt(node, 'adj_x', 0) === 1);
  const b = operand(node.inputs[1], attrInt(node, 'adj_y', 0) === 1);
  ctx.emit('MatMul', [a, b], {}, node.outputs[0]);
};

/** RESIZE_*: size input [h, w] → ONNX Resize sizes in NCHW; align_corners / half_pixel_centers → coordinate_transformation_mode. */
function resize(mode: 'linear' | 'nearest'): Lifter {
  return (node, ctx) => {
    const input = ctx.shape4(node.inputs[0]);
    const [h, w] = ctx.ints(node.inputs[1], 'size');
    const alignCorners = attrInt(node, 'align_corners', 0) === 1;
    const halfPixel = attrInt(node, 'half_pixel_centers', 0) === 1;
    if (alignCorners && halfPixel) throw new LiftRefusal('align_corners and half_pixel_centers are both set');
    const coordinates = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
    // TFLite nearest rounds half-pixel and align-corners coordinates, and floors asymmetric ones.
    const nearest: Record<string, Attribute> = mode === 'nearest' ? { nearest_mode: str(alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor') } : {};
    const sizes = ctx.int64s('sizes', [input[0], input[3], h, w]);
    const y = ctx.emit('Resize', [ctx.transpose(node.inputs[0], TO_NCHW), '', '', sizes], { mode: str(mode), coordinate_transformation_mode: str(coordinates), ...nearest });
    ctx.transpose(y, TO_NHWC, node.outputs[0]);
  };
}

export const liftResizeBilinear = resize('linear');
export const liftResizeNearest = resize('nearest');
