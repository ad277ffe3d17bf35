// Softmax/LogSoftmax (SOFTMAX over the stored last axis, spelled out over any other); ReduceMean/Max/Sum → MEAN/REDUCE_MAX/SUM with remapped axes.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, storedAxis } from '../layout.ts';

/**
 * Emits Softmax / LogSoftmax. Over the stored last axis: SOFTMAX / LOG_SOFTMAX. Over any other stored axis (or the
 * several axes old opsets flatten) the layout is kept and the op is spelled out: x − max, EXP, SUM, DIV (or − LOG(sum)).
 */
export function emitSoftmax(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const shape = ctx.shape(x);
  const rank = shape.length;
  let axis = attrInt(node, 'axis', ctx.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Opset < 13 works on the input coerced to 2-D at `axis`: every axis from there on (size-1 axes do not count).
  const axes = ctx.opset < 13 ? identity(rank).filter((a) => a >= axis && shape[a] !== 1) : [axis];
  if (axes.length === 0) axes.push(axis);
  const { perm } = ctx.emitted(x);
  const input = ctx.input(x);
  const log = node.op === 'LogSoftmax';
  if (axes.length === 1 && storedAxis(perm, axes[0]) === rank - 1) {
    const out = ctx.define(node.outputs[0], perm);
    if (log) ctx.draft.op('LOG_SOFTMAX', [input], [out], node.name);
    else ctx.draft.op('SOFTMAX', [input], [out], node.name, { table: 'SoftmaxOptions', values: { beta: 1 } });
    return;
  }
  const stored = ctx.draft.graph.tensors[input].shape;
  const reduced = stored.map((d, i) => (axes.includes(perm[i]) ? 1 : d));
  const axesT = ctx.draft.int32(`${node.name}/axes`, axes.map((a) => perm.indexOf(a)));
  const y = node.outputs[0];
  const keep = { table: 'ReducerOptions', values: { keep_dims: true } };
  const none = (table: string) => ({ table, values: { fused_activation_function: 0 } });
  // Float in an int8 model too: the intermediates have no calibrated range.
  ctx.draft.floatIsland(() => {
    const max = ctx.temp(`${y}/max`, reduced, { value: x });
    ctx.draft.op('REDUCE_MAX', [input, axesT], [max], node.name, keep);
    const shifted = ctx.temp(`${y}/shifted`, stored);
    ctx.draft.op('SUB', [input, max], [shifted], node.name, none('SubOptions'));
    const exp = ctx.temp(`${y}/exp`, stored);
    ctx.draft.op('EXP', [shifted], [exp], node.name);
    const sum = ctx.temp(`${y}/sum`, reduced);
    ctx.draft.op('SUM', [exp, axesT], [sum], node.name, keep);
    const out = ctx.define(y, perm);
    if (!log) {
      ctx.draft.op('DIV', [exp, sum], [out], node.name, none('DivOptions'));
      return;
    }
    const logSum = ctx.temp(`${y}/log_sum`, reduced);
    ctx.draft.op('LOG', [sum], [logSum], node.name);
    ctx.draft.op('SUB', [shifted, logSum], [out], node.name, none('SubOptions'));
  });
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
