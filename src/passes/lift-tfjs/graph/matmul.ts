// TensorFlow MatMul, _FusedMatMul (bias + activation) and BatchMatMul(V2/V3) as ONNX MatMul (+ Add, activation).
import { attrInt, type Node } from '../../../ir/graph.ts';
import { LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { activate, fusedSpec } from './activation.ts';

/** `value` with its last two axes swapped when `flag` is set (compile's constant folding transposes a constant operand once). */
function adjoint(ctx: TfjsLiftContext, value: string, flag: boolean): string {
  if (!flag) return value;
  const rank = ctx.rank(value);
  if (rank < 2) throw new LiftRefusal(`'${value}' has rank ${rank}; a transposed matmul operand needs 2 or more`);
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.transpose(value, perm);
}

/** The product of `node`'s first two inputs under its transpose/adjoint flags. */
function product(ctx: TfjsLiftContext, node: Node, flagA: string, flagB: string, output?: string): string {
  const a = adjoint(ctx, node.inputs[0], attrInt(node, flagA, 0) === 1);
  const b = adjoint(ctx, node.inputs[1], attrInt(node, flagB, 0) === 1);
  return ctx.emit('MatMul', [a, b], {}, output);
}

/** MatMul (transpose_a / transpose_b). */
export const liftMatMul: TfjsLifter = (node, ctx) => void product(ctx, node, 'transpose_a', 'transpose_b', node.outputs[0]);

/** BatchMatMul / V2 / V3 (adj_x / adj_y; ONNX MatMul broadcasts batch dims like V2). */
export const liftBatchMatMul: TfjsLifter = (node, ctx) => void product(ctx, node, 'adj_x', 'adj_y', node.outputs[0]);

/** _FusedMatMul: MatMul, then BiasAdd, then the fused activation. */
export const liftFusedMatMul: TfjsLifter = (node, ctx) => {
  const spec = fusedSpec(node);
  if (spec.batchNorm) throw new LiftRefusal('a batch norm fused into MatMul is not supported');
  const last = !spec.bias && !spec.activation;
  let y = product(ctx, node, 'transpose_a', 'transpose_b', last ? node.outputs[0] : undefined);
  if (spec.bias) y = ctx.emit('Add', [y, spec.bias], {}, spec.activation ? undefined : node.outputs[0]);
  if (spec.activation) activate(ctx, spec.activation, y, { alpha: spec.alpha, slope: spec.slope, output: node.outputs[0] });
};
