// Softmax/LogSoftmax over the stored last axis; ReduceMean/Max/Sum → MEAN/REDUCE_MAX/SUM with remapped axes.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, storedAxis } from '../layout.ts';

/** Emits Softmax / LogSoftmax; the (effective) axis must be the stored last dim, in some available layout. */
export function emitSoftmax(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const shape = ctx.shape(x);
  const rank = shape.length;
  let axis = attrInt(node, 'axis', ctx.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (ctx.opset < 13) {
    // Old softmax works on the input coerced to 2-D at `axis`: one real axis only if the others after it are 1.
    const real = shape.map((d, i) => (i >= axis && d !== 1 ? i : -1)).filter((i) => i >= 0);
    if (real.length > 1) throw new Unmappable(`softmax over ${real.length} flattened axes`);
    axis = real[0] ?? rank - 1;
  }
  let { perm } = ctx.emitted(x);
  if (storedAxis(perm, axis) !== rank - 1) {
    if (axis !== rank - 1) throw new Unmappable(`softmax over axis ${axis}, which is not the last stored axis`);
    perm = identity(rank);
  }
  const input = ctx.input(x, perm);
  const out = ctx.define(node.outputs[0], perm);
  if (node.op === 'LogSoftmax') ctx.draft.op('LOG_SOFTMAX', [input], [out], node.name);
  else ctx.draft.op('SOFTMAX', [input], [out], node.name, { table: 'SoftmaxOptions', values: { beta: 1 } });
}

const REDUCERS = { ReduceMean: 'MEAN', ReduceMax: 'REDUCE_MAX', ReduceSum: 'SUM' } as const;

/** Emits a reduction; without keepdims the output layout drops the reduced axes. */
export function emitReduce(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const rank = ctx.shape(x).length;
  const { perm } = ctx.emitted(x);
  const fromInput = (node.op === 'ReduceSum' && ctx.opset >= 13) || ctx.opset >= 18;
  let axes = fromInput ? (node.inputs[1] ? ctx.constInts(node.inputs[1], 'axes') : []) : attrInts(node, 'axes', []);
  if (axes.length === 0) {
    if (fromInput && attrInt(node, 'noop_with_empty_axes', 0) === 1) throw new Unmappable('reduction with noop_with_empty_axes');
    axes = identity(rank);
  }
  axes = axes.map((a) => (a < 0 ? a + rank : a));
  const keep = attrInt(node, 'keepdims', 1) === 1;
  const input = ctx.input(x);
  const axesT = ctx.draft.int32(`${node.name}/axes`, axes.map((a) => perm.indexOf(a)));
  const outPerm = keep ? perm : perm.filter((a) => !axes.includes(a)).map((a) => a - axes.filter((r) => r < a).length);
  const out = ctx.define(node.outputs[0], outPerm);
  ctx.draft.op(REDUCERS[node.op as keyof typeof REDUCERS], [input, axesT], [out], node.name, { table: 'ReducerOptions', values: { keep_dims: keep } });
}
