// Reductions → MIL reduce_* (axes from the attribute or, in newer opsets, the input; none = all axes), ArgMax/ArgMin → reduce_argmax/argmin.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

const REDUCE: Record<string, string> = {
  ReduceMean: 'reduce_mean', ReduceSum: 'reduce_sum', ReduceMax: 'reduce_max', ReduceMin: 'reduce_min', ReduceProd: 'reduce_prod',
  ReduceL1: 'reduce_l1_norm', ReduceL2: 'reduce_l2_norm', ReduceLogSumExp: 'reduce_log_sum_exp', ReduceSumSquare: 'reduce_sum_square',
};

/** Emits one ONNX Reduce* op. */
export function emitReduce(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  let axes = node.inputs[1] ? ctx.constNumbers(node.inputs[1], 'axes') : attrInts(node, 'axes');
  if (!axes || axes.length === 0) {
    if (attrInt(node, 'noop_with_empty_axes', 0) === 1) {
      ctx.emit('identity', node, { x: ctx.input(node.inputs[0]) });
      return;
    }
    axes = Array.from({ length: rank }, (_, i) => i);
  }
  ctx.emit(REDUCE[node.op], node, {
    x: ctx.input(node.inputs[0]), axes: ctx.ints('axes', axes.map((a) => (a < 0 ? a + rank : a))), keep_dims: ctx.scalar('keep_dims', attrInt(node, 'keepdims', 1) === 1),
  });
}

/** Emits ArgMax / ArgMin (first index on ties; int32 indices). */
export function emitArg(node: Node, ctx: MilEmitContext): void {
  if (attrInt(node, 'select_last_index', 0) === 1) throw new Unmappable('select_last_index is not supported');
  const rank = ctx.shape(node.inputs[0]).length;
  const axis = attrInt(node, 'axis', 0);
  ctx.emit(node.op === 'ArgMax' ? 'reduce_argmax' : 'reduce_argmin', node, {
    x: ctx.input(node.inputs[0]), axis: ctx.scalar('axis', axis < 0 ? axis + rank : axis), keep_dims: ctx.scalar('keep_dims', attrInt(node, 'keepdims', 1) === 1),
  });
}

/** The reduce op types this file maps. */
export const REDUCE_OPS = Object.keys(REDUCE);
