// Activation QuantizeLinear → DequantizeLinear pairs → the float value itself (a Relu where the integer grid clamped at 0).
import { attrFloat, attrInt, type Node } from '../../ir/graph.ts';
import { elementCount, tensorFloats, type Tensor } from '../../ir/tensor.ts';
import { producers as producersOf } from '../../ir/toposort.ts';
import type { DequantizeContext } from './context.ts';
import { integerValues, QUANTIZED_DTYPES } from './values.ts';
import { isQdq } from './fold-weights.ts';
import { opsetOf } from '../graph-edit.ts';

/** The tally names of this step. */
export const PAIR = 'activation Q→DQ pair removed';
export const CLAMP_KEPT = 'Clip(0, grid max) kept where the grid started at 0';

/** Lowest and highest integer of each type a QuantizeLinear can write. */
const TYPE_RANGE: Readonly<Record<string, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], uint4: [0, 15], int4: [-8, 7],
};

/** Ops whose output is never negative, so a grid clamping at 0 after them clamps nothing. */
const NON_NEGATIVE: ReadonlySet<string> = new Set(['Relu', 'Sigmoid', 'Softmax', 'HardSigmoid', 'Abs', 'Exp', 'Sqrt']);

/**
 * Replaces every `x → QuantizeLinear → DequantizeLinear` with matching per-tensor (or identical per-axis) parameters by
 * `x` itself: the rounding goes, the model computes in float. When the grid's lowest value is exactly 0 (zero point at
 * the type's minimum), the quantizer may have dropped a Relu or Clip whose clamp the grid did anyway (ours and
 * onnxruntime's both do), so a Clip(0, grid max) keeps that clamp — unless x comes from an op that is never negative
 * (then the clamp op is still there). The QuantizeLinear stays while something else reads it.
 */
export function removeQdqPairs(ctx: DequantizeContext): void {
  const producers = producersOf(ctx.graph);
  const clipTakesInputs = (opsetOf(ctx.model.opsets) ?? 1) >= 11;
  for (const dq of ctx.graph.nodes) {
    if (!isQdq(dq, 'DequantizeLinear')) continue;
    const q = producers.get(dq.inputs[0]);
    if (!q || !isQdq(q, 'QuantizeLinear') || !sameParams(ctx, q, dq)) continue;
    const x = q.inputs[0];
    const grid = clampsAtZero(ctx, q) && !neverNegative(ctx, producers.get(x)) ? gridMax(ctx, q) : undefined;
    dq.domain = '';
    dq.inputs = [x];
    dq.attributes = new Map();
    if (grid === undefined) {
      dq.op = 'Identity';
    } else {
      dq.op = 'Clip';
      if (clipTakesInputs) dq.inputs.push(ctx.addFloat(`${x}_clip_min`, [], new Float32Array([0])), ctx.addFloat(`${x}_clip_max`, [], new Float32Array([grid])));
      else dq.attributes = new Map([['min', { type: 'float', value: 0 }], ['max', { type: 'float', value: grid }]]);
      ctx.count(CLAMP_KEPT);
    }
    ctx.count(PAIR);
  }
}

/** True when Q and DQ use the same scale and zero point values (same names, or equal constants) and axis. */
function sameParams(ctx: DequantizeContext, q: Node, dq: Node): boolean {
  const same = (a: string | undefined, b: string | undefined): boolean => {
    if ((a ?? '') === (b ?? '')) return true;
    const ta = ctx.constant(a), tb = ctx.constant(b);
    return !!ta && !!tb && ta.dtype === tb.dtype && equalValues(ta, tb);
  };
  const axis = (n: Node) => (elementCount(ctx.constant(n.inputs[1])?.dims ?? [1]) > 1 ? attrInt(n, 'axis', 1) : 0);
  return same(q.inputs[1], dq.inputs[1]) && same(q.inputs[2], dq.inputs[2]) && axis(q) === axis(dq) && attrInt(q, 'block_size', 0) === attrInt(dq, 'block_size', 0);
}

function equalValues(a: Tensor, b: Tensor): boolean {
  if (elementCount(a.dims) !== elementCount(b.dims)) return false;
  if (a.dtype !== 'float32' && !QUANTIZED_DTYPES.has(a.dtype)) return false;
  const va = a.dtype === 'float32' ? tensorFloats(a) : integerValues(a);
  const vb = b.dtype === 'float32' ? tensorFloats(b) : integerValues(b);
  return va.every((v, i) => v === vb[i]);
}

/** True when the Q's grid starts exactly at 0: a per-tensor zero point at its type's minimum (no zero point: uint8 0). */
function clampsAtZero(ctx: DequantizeContext, q: Node): boolean {
  const zpName = q.inputs[2];
  if (!zpName) return attrInt(q, 'output_dtype', 0) <= 2; // absent or uint8 (code 2)
  const zp = ctx.constant(zpName);
  if (!zp || elementCount(zp.dims) !== 1 || !(zp.dtype in TYPE_RANGE)) return false;
  return integerValues(zp)[0] === TYPE_RANGE[zp.dtype][0];
}

/** The largest real value of a per-tensor Q's grid: (qmax − zero point) × scale, or undefined when not constant. */
function gridMax(ctx: DequantizeContext, q: Node): number | undefined {
  const scale = ctx.constant(q.inputs[1]);
  const zp = q.inputs[2] ? ctx.constant(q.inputs[2]) : undefined;
  if (!scale || scale.dtype !== 'float32' || elementCount(scale.dims) !== 1 || (q.inputs[2] && !zp)) return undefined;
  const [, qmax] = TYPE_RANGE[zp?.dtype ?? 'uint8'];
  return Math.fround((qmax - (zp ? integerValues(zp)[0] : 0)) * tensorFloats(scale)[0]);
}

/** True when `node` never outputs a negative value. */
function neverNegative(ctx: DequantizeContext, node: Node | undefined): boolean {
  if (!node || node.domain !== '') return false;
  if (NON_NEGATIVE.has(node.op)) return true;
  if (node.op !== 'Clip') return false;
  const min = node.inputs[1] ? ctx.constant(node.inputs[1]) : undefined;
  const lo = min ? tensorFloats(min)[0] : attrFloat(node, 'min', -Infinity);
  return lo >= 0;
}
