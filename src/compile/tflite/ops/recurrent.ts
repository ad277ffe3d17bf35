// Shared pieces of the unrolled recurrent emitters (LSTM, GRU): checks, per-direction weights, step inputs, states, outputs.
import { attrInt, attrString, type Node } from '../../../ir/graph.ts';
import { consumers } from '../../../ir/toposort.ts';
import type { BuiltinOpName } from '../../../formats/tflite/schema/enums.ts';
import type { TflOptions } from '../../../formats/tflite/schema/types.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, sameOrder } from '../layout.ts';

/** One recurrent node's static sizes: T steps, batch B, input size I, hidden size H, and its directions in weight order. */
export interface Recurrence {
  node: Node;
  T: number;
  B: number;
  I: number;
  H: number;
  directions: ('forward' | 'reverse')[];
}

/**
 * Checks what the unrolled emitters support (layout 0, default activations, no clip, full-length sequences) and reads
 * the sizes. `gates`: rows of W per hidden unit (LSTM 4, GRU 3); `activations`: the op's default activation list.
 */
/** Time steps an LSTM/GRU/RNN may be unrolled into (each costs a handful of TFLite ops). */
export const MAX_UNROLLED_STEPS = 4096;

export function recurrence(node: Node, ctx: EmitContext, gates: number, activations: string[]): Recurrence {
  if (attrInt(node, 'layout', 0) !== 0) throw new Unmappable('layout = 1 (batch-major X); only layout 0 is mapped');
  if (node.attributes.has('clip')) throw new Unmappable('cell clip is not mapped');
  if (attrInt(node, 'input_forget', 0) !== 0) throw new Unmappable('input_forget = 1 (coupled input and forget gates) is not mapped');
  const direction = attrString(node, 'direction', 'forward');
  const directions: Recurrence['directions'] = direction === 'bidirectional' ? ['forward', 'reverse'] : direction === 'reverse' ? ['reverse'] : ['forward'];
  const acts = node.attributes.get('activations');
  if (acts?.type === 'strings') {
    const given = acts.value.map((b) => new TextDecoder().decode(b).toLowerCase());
    const expected = directions.flatMap(() => activations.map((a) => a.toLowerCase()));
    if (given.join(',') !== expected.join(',')) throw new Unmappable(`activations ${given.join(', ')} (only the defaults ${activations.join(', ')} are mapped)`);
  }
  const [T, B, I] = ctx.shape(node.inputs[0]);
  // Every step becomes ops of its own: a sequence longer than this is a model for the runtime's own loop, not an unroll.
  if (T > MAX_UNROLLED_STEPS) throw new Unmappable(`a sequence of ${T} steps is too long to unroll (at most ${MAX_UNROLLED_STEPS}); compile with a shorter fixed sequence length`);
  const w = ctx.shape(node.inputs[1]);
  const H = attrInt(node, 'hidden_size') ?? w[1] / gates;
  if (w[0] !== directions.length || w[1] !== gates * H || w[2] !== I) throw new Unmappable(`W of shape [${w.join(',')}] for ${directions.length} direction(s), hidden size ${H}, input size ${I}`);
  const lens = node.inputs[4];
  if (lens) {
    if (!ctx.isConst(lens)) throw new Unmappable(`sequence_lens '${lens}' is computed at run time; only full-length sequences are mapped`);
    if (ctx.constInts(lens, 'sequence_lens').some((n) => n !== T)) throw new Unmappable(`sequence_lens shorter than the ${T} steps of X`);
  }
  return { node, T, B, I, H, directions };
}

/** Rows [from, to) of direction `d` of a constant laid out [D, rows, cols] (a bias [D, n] has cols 1). */
export function slab(data: Float32Array, d: number, rows: number, cols: number, from: number, to: number): Float32Array {
  return data.slice((d * rows + from) * cols, (d * rows + to) * cols);
}

/** Elementwise sum of equal-length arrays. */
export function sum(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts[0].length);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] += p[i];
  return out;
}

const FUSED_NONE: Partial<Record<BuiltinOpName, string>> = { ADD: 'AddOptions', SUB: 'SubOptions', MUL: 'MulOptions' };

/** Appends `op` writing a new float tensor of `shape`; returns that tensor. */
export function step(ctx: EmitContext, r: Recurrence, op: BuiltinOpName, inputs: number[], shape: number[], tag: string, options?: { table: string; values: TflOptions }): number {
  const out = ctx.temp(`${r.node.name}/${tag}`, shape);
  const table = FUSED_NONE[op];
  ctx.draft.op(op, inputs, [out], r.node.name, options ?? (table ? { table, values: { fused_activation_function: 0 } } : undefined));
  return out;
}

/** Constant FULLY_CONNECTED weights [out, in] and bias [out], stored once and shared by every step. */
export interface DenseWeights {
  weights: number;
  bias: number;
  out: number;
}

/** Stores weights [out, in] (row-major) and bias [out] as draft constants. */
export function denseWeights(ctx: EmitContext, r: Recurrence, weights: Float32Array, bias: Float32Array, tag: string): DenseWeights {
  const out = bias.length;
  return {
    weights: ctx.floatConst(`${r.node.name}/${tag}/weights`, weights, [out, weights.length / out], 'fc-weight'),
    bias: ctx.floatConst(`${r.node.name}/${tag}/bias`, bias, [out], 'bias'),
    out,
  };
}

/** FULLY_CONNECTED of a [rows, in] tensor with stored weights; returns the [rows, out] result. */
export function dense(ctx: EmitContext, r: Recurrence, x: number, w: DenseWeights, tag: string): number {
  const rows = ctx.draft.graph.tensors[x].shape[0];
  return step(ctx, r, 'FULLY_CONNECTED', [x, w.weights, w.bias], [rows, w.out], tag, { table: 'FullyConnectedOptions', values: { fused_activation_function: 0, keep_num_dims: false } });
}

/** SPLIT of a 2-D tensor into `n` equal parts along axis `axis`. */
export function split(ctx: EmitContext, r: Recurrence, x: number, n: number, axis: number, tag: string): number[] {
  const shape = [...ctx.draft.graph.tensors[x].shape];
  shape[axis] /= n;
  const outs = Array.from({ length: n }, (_, i) => ctx.temp(`${r.node.name}/${tag}_${i}`, shape));
  ctx.draft.op('SPLIT', [ctx.draft.int32(`${r.node.name}/${tag}/axis`, [axis], []), x], outs, r.node.name, { table: 'SplitOptions', values: { num_splits: n } });
  return outs;
}

/** RESHAPE of a tensor into `out` (an existing tensor of the new shape). */
function reshapeInto(ctx: EmitContext, r: Recurrence, x: number, out: number): void {
  const shape = ctx.draft.graph.tensors[out].shape;
  ctx.draft.op('RESHAPE', [x, ctx.draft.int32(`${r.node.name}/shape`, shape)], [out], r.node.name, { table: 'ReshapeOptions', values: { new_shape: shape } });
}

/** Per-step input projections of direction weights [G, I] and bias [G]: one FULLY_CONNECTED over all T·B rows of X, SPLIT into T tensors [B, G]. */
export function stepInputs(ctx: EmitContext, r: Recurrence, weights: Float32Array, bias: Float32Array, tag: string): number[] {
  const x = r.node.inputs[0];
  const e = ctx.emitted(x);
  const shape = ctx.shape(x);
  const source = !e.columns && sameOrder(shape, e.perm) ? e.index : ctx.input(x, identity(3));
  const flat = ctx.temp(`${x}/steps`, [r.T * r.B, r.I]);
  reshapeInto(ctx, r, source, flat);
  const all = dense(ctx, r, flat, denseWeights(ctx, r, weights, bias, `${tag}/x`), `${tag}/x`);
  return r.T === 1 ? [all] : split(ctx, r, all, r.T, 0, `${tag}/x_t`);
}

/** The initial state ([B, H] per direction) from optional input `name` ([D, B, H]): a constant slice, a RESHAPE/SPLIT, or zeros. */
export function initialStates(ctx: EmitContext, r: Recurrence, name: string, tag: string): number[] {
  const D = r.directions.length;
  const n = r.B * r.H;
  if (!name || ctx.isConst(name)) {
    const data = name ? ctx.constFloats(name, tag) : new Float32Array(D * n);
    return r.directions.map((_, d) => ctx.floatConst(`${r.node.name}/${tag}${d}`, data.slice(d * n, (d + 1) * n), [r.B, r.H], 'operand'));
  }
  const flat = ctx.temp(`${r.node.name}/${tag}`, [D * r.B, r.H]);
  reshapeInto(ctx, r, ctx.input(name, identity(3)), flat);
  return D === 1 ? [flat] : split(ctx, r, flat, D, 0, `${tag}_d`);
}

/** True when some node or graph output reads `name`. */
function isUsed(ctx: EmitContext, name: string): boolean {
  return !!name && ((consumers(ctx.graph).get(name)?.length ?? 0) > 0 || ctx.graph.outputs.some((o) => o.name === name));
}

/** CONCATENATION along axis 0 of [B, H] tensors (or the one tensor itself), RESHAPEd into IR value `name`. */
function stackInto(ctx: EmitContext, r: Recurrence, name: string, parts: number[]): void {
  const out = ctx.define(name, identity(ctx.shape(name).length));
  let src = parts[0];
  if (parts.length > 1) {
    src = ctx.temp(`${name}/rows`, [parts.length * r.B, r.H]);
    ctx.draft.op('CONCATENATION', parts, [src], r.node.name, { table: 'ConcatenationOptions', values: { axis: 0, fused_activation_function: 0 } });
  }
  reshapeInto(ctx, r, src, out);
}

/** Defines output Y [T, D, B, H] (when used) from each direction's step outputs, indexed by time. */
export function defineSequence(ctx: EmitContext, r: Recurrence, name: string, steps: number[][]): void {
  if (!isUsed(ctx, name)) return;
  const parts: number[] = [];
  for (let t = 0; t < r.T; t++) for (const s of steps) parts.push(s[t]);
  stackInto(ctx, r, name, parts);
}

/** Defines a final-state output [D, B, H] (when used) from each direction's last state. */
export function defineState(ctx: EmitContext, r: Recurrence, name: string, finals: number[]): void {
  if (isUsed(ctx, name)) stackInto(ctx, r, name, finals);
}

/** Time indices in the order direction `dir` visits them. */
export function timeOrder(r: Recurrence, dir: 'forward' | 'reverse'): number[] {
  const ts = Array.from({ length: r.T }, (_, t) => t);
  return dir === 'forward' ? ts : ts.reverse();
}
