// Lifts TFLite FULLY_CONNECTED (to Gemm) and BATCH_MATMUL (to MatMul, adjoints as Transposes).
import { attrInt } from '../../ir/graph.ts';
import { int, LiftRefusal } from './context.ts';
import type { Lifter } from './lifter.ts';

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
