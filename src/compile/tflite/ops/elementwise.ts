// Elementwise ops: Add/Sub/Mul/Div/Max/Min/Pow with broadcasting (constants re-laid-out at compile time) and activations.
import type { Node } from '../../../ir/graph.ts';
import type { BuiltinOpName } from '../../../formats/tflite/schema/enums.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, permuteDims, transposeData, type Perm } from '../layout.ts';
import { clipBounds } from '../fusion.ts';

const BINARY: Record<string, BuiltinOpName> = { Add: 'ADD', Sub: 'SUB', Mul: 'MUL', Div: 'DIV', Max: 'MAXIMUM', Min: 'MINIMUM', Pow: 'POW' };
const OPTIONS: Partial<Record<BuiltinOpName, string>> = { ADD: 'AddOptions', SUB: 'SubOptions', MUL: 'MulOptions', DIV: 'DivOptions' };

/** A float constant broadcast against an output of `rank`, stored under `perm` (scalars stay scalars). */
export function constOperand(ctx: EmitContext, name: string, rank: number, perm: Perm, transform?: (v: number) => number): number {
  let data = ctx.constFloats(name, 'operand');
  if (transform) data = data.map(transform);
  const dims = ctx.shape(name);
  if (data.length === 1) return ctx.floatConst(name, data, [], 'operand');
  const full = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  return ctx.floatConst(name, transposeData(data, full, perm), permuteDims(full, perm), 'operand');
}

/** The layout shared by an op's non-constant inputs: theirs when all have the output rank, else identity. */
function sharedPerm(ctx: EmitContext, inputs: string[], rank: number): Perm {
  const live = inputs.filter((n) => n && !ctx.isConst(n));
  if (live.length === 0) throw new Unmappable('all inputs are constant (run fold-constants)');
  if (live.every((n) => ctx.shape(n).length === rank)) return ctx.emitted(live[0]).perm;
  return identity(rank);
}

/** Emits a binary elementwise op. Division by a constant becomes a multiplication by its reciprocal. */
export function emitBinary(node: Node, ctx: EmitContext): void {
  let op = BINARY[node.op];
  const rank = ctx.shape(node.outputs[0]).length;
  const perm = sharedPerm(ctx, node.inputs, rank);
  const recip = op === 'DIV' && ctx.isConst(node.inputs[1]);
  if (recip) op = 'MUL';
  const inputs = node.inputs.map((n, i) =>
    ctx.isConst(n) ? constOperand(ctx, n, rank, perm, recip && i === 1 ? (v) => 1 / v : undefined) : ctx.input(n, ctx.shape(n).length === rank ? perm : identity(ctx.shape(n).length)));
  const table = OPTIONS[op];
  const { value, fused } = table ? ctx.fuse(node) : { value: node.outputs[0], fused: 'NONE' as const };
  const out = ctx.define(value, perm);
  ctx.draft.op(op, inputs, [out], node.name, table ? { table, values: { fused_activation_function: ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused) } } : undefined);
}

const UNARY: Record<string, BuiltinOpName> = {
  Relu: 'RELU', Sigmoid: 'LOGISTIC', Tanh: 'TANH', HardSwish: 'HARD_SWISH', Exp: 'EXP', Sqrt: 'SQRT', Abs: 'ABS', Floor: 'FLOOR',
};

/** Emits a one-input activation or math op, in its input's layout. */
export function emitUnary(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const { perm } = ctx.emitted(x);
  const input = ctx.input(x);
  const y = node.outputs[0];
  if (node.op === 'Clip') {
    const [lo, hi] = clipBounds(ctx.model, node) ?? [NaN, NaN];
    if (Number.isNaN(lo)) throw new Unmappable('Clip bounds are not constant');
    const named = lo === 0 && hi === 6 ? 'RELU6' : lo === -1 && hi === 1 ? 'RELU_N1_TO_1' : lo === 0 && hi === Infinity ? 'RELU' : undefined;
    if (named) {
      ctx.draft.op(named, [input], [ctx.define(y, perm)], node.name);
      return;
    }
    let cur = input;
    if (lo > -Infinity) {
      const next = hi < Infinity ? ctx.temp(`${y}/max`, ctx.draft.graph.tensors[input].shape, { value: x, clamp: [lo, Infinity] }) : ctx.define(y, perm);
      ctx.draft.op('MAXIMUM', [cur, ctx.floatConst(`${node.name}/min`, Float32Array.of(lo), [], 'operand')], [next], node.name);
      cur = next;
    }
    if (hi < Infinity || cur === input) {
      ctx.draft.op('MINIMUM', [cur, ctx.floatConst(`${node.name}/max`, Float32Array.of(hi), [], 'operand')], [ctx.define(y, perm)], node.name);
    }
    return;
  }
  if (node.op === 'LeakyRelu') {
    ctx.draft.op('LEAKY_RELU', [input], [ctx.define(y, perm)], node.name, { table: 'LeakyReluOptions', values: { alpha: ctx.attrFloat(node, 'alpha', 0.01) } });
    return;
  }
  if (node.op === 'HardSigmoid') {
    // clip(a·x + b, 0, 1) = relu6(6a·x + 6b) / 6
    const a = ctx.attrFloat(node, 'alpha', 0.2);
    const b = ctx.attrFloat(node, 'beta', 0.5);
    const shape = ctx.draft.graph.tensors[input].shape;
    const t1 = ctx.temp(`${y}/scaled`, shape, { value: x, scale: 6 * a });
    ctx.draft.op('MUL', [input, ctx.floatConst(`${node.name}/6a`, Float32Array.of(6 * a), [], 'operand')], [t1], node.name, { table: 'MulOptions', values: { fused_activation_function: 0 } });
    const t2 = ctx.temp(`${y}/relu6`, shape, { value: x, scale: 6 * a, shift: 6 * b, clamp: [0, 6] });
    ctx.draft.op('ADD', [t1, ctx.floatConst(`${node.name}/6b`, Float32Array.of(6 * b), [], 'operand')], [t2], node.name, { table: 'AddOptions', values: { fused_activation_function: 3 } });
    ctx.draft.op('MUL', [t2, ctx.floatConst(`${node.name}/sixth`, Float32Array.of(1 / 6), [], 'operand')], [ctx.define(y, perm)], node.name, { table: 'MulOptions', values: { fused_activation_function: 0 } });
    return;
  }
  const op = UNARY[node.op];
  if (!op) throw new Unmappable('no TFLite equivalent');
  ctx.draft.op(op, [input], [ctx.define(y, perm)], node.name, op === 'HARD_SWISH' ? { table: 'HardSwishOptions', values: {} } : undefined);
}

/** Element types TFLite's CAST kernel converts between (lite/kernels/cast.cc). */
const CASTABLE = new Set(['float32', 'float16', 'int32', 'int64', 'int16', 'int8', 'uint8', 'uint16', 'bool']);

/** Identity-like ops (Identity, Dropout in inference, same-type Cast) map to no op at all; a type-changing Cast to CAST. */
export function emitAlias(node: Node, ctx: EmitContext): void {
  const from = ctx.dtype(node.inputs[0]), to = ctx.dtype(node.outputs[0]);
  if (node.op === 'Cast' && to !== from) {
    if (!CASTABLE.has(from) || !CASTABLE.has(to)) throw new Unmappable(`cast from ${from} to ${to}`);
    const input = ctx.emitted(node.inputs[0]);
    // A float island: in int8 output the cast's float result is QUANTIZEd for its readers (CAST itself converts values, not scales).
    ctx.draft.floatIsland(() => ctx.draft.op('CAST', [input.index], [ctx.define(node.outputs[0], input.perm)], node.name));
    return;
  }
  ctx.alias(node.outputs[0], ctx.emitted(node.inputs[0]));
}
