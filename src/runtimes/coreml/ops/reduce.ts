// Reductions (iOS15 reduction.py): reduce_* over `axes` (default all, keep_dims false), reduce_argmax/argmin over `axis`.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, fromNumbers, isFloatDtype, tensor, type RtTensor } from '../value.ts';

/** Normalised, sorted, unique axes; all axes when undefined. */
export function normAxes(ctx: OpContext, axes: number[] | undefined, rank: number): number[] {
  const list = axes ?? [...Array(rank).keys()];
  const out = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  for (const a of out) if (a < 0 || a >= rank) throw ctx.error(`axis out of range for rank ${rank}: [${list}]`);
  return out;
}

/**
 * Visits every output element of a reduction over `axes` of `shape`: `visit(outIndex, inputOffsets)` gets the offsets
 * of the input elements that reduce into it (in row-major order).
 */
export function forEachReduction(shape: number[], axes: number[], visit: (o: number, offsets: Int32Array) => void): void {
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = acc; acc *= shape[i]; }
  const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const redCount = axes.reduce((p, a) => p * shape[a], 1);
  const offsets = new Int32Array(redCount);
  // offsets of the reduced sub-block relative to its first element
  {
    const counter = axes.map(() => 0);
    for (let k = 0; k < redCount; k++) {
      let off = 0;
      for (let j = 0; j < axes.length; j++) off += counter[j] * strides[axes[j]];
      offsets[k] = off;
      for (let j = axes.length - 1; j >= 0; j--) {
        if (++counter[j] < shape[axes[j]]) break;
        counter[j] = 0;
      }
    }
  }
  const outCount = keep.reduce((p, a) => p * shape[a], 1);
  const counter = keep.map(() => 0);
  const shifted = new Int32Array(redCount);
  for (let o = 0; o < outCount; o++) {
    let base = 0;
    for (let j = 0; j < keep.length; j++) base += counter[j] * strides[keep[j]];
    for (let k = 0; k < redCount; k++) shifted[k] = base + offsets[k];
    visit(o, shifted);
    for (let j = keep.length - 1; j >= 0; j--) {
      if (++counter[j] < shape[keep[j]]) break;
      counter[j] = 0;
    }
  }
}

function reducedShape(shape: number[], axes: number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduction(f: (a: Float32Array, offsets: Int32Array) => number): Kernel {
  return (ctx) => {
    const x = ctx.tensor('x');
    if (!isFloatDtype(x.dtype) && x.dtype !== 'int32') throw ctx.error(`x is ${x.dtype}; expected fp16/fp32/int32`);
    const axes = normAxes(ctx, ctx.has('axes') ? ctx.ints('axes') : undefined, x.shape.length);
    const keepDims = ctx.bool('keep_dims', false);
    const shape = reducedShape(x.shape, axes, keepDims);
    const a = asFloat32(x);
    const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
    forEachReduction(x.shape, axes, (o, offs) => { out[o] = f(a, offs); });
    return fromNumbers(x.dtype, shape, out);
  };
}

function argReduction(better: (v: number, best: number) => boolean): Kernel {
  return (ctx) => {
    const x: RtTensor = ctx.tensor('x');
    const rank = x.shape.length;
    const axis = normAxes(ctx, [ctx.num('axis', -1)], rank);
    const keepDims = ctx.bool('keep_dims', false);
    const shape = reducedShape(x.shape, axis, keepDims);
    const a = asFloat32(x);
    const out = new Int32Array(shape.reduce((p, d) => p * d, 1));
    forEachReduction(x.shape, axis, (o, offs) => {
      let best = 0;
      for (let k = 1; k < offs.length; k++) if (better(a[offs[k]], a[offs[best]])) best = k;
      out[o] = best;
    });
    return tensor('int32', shape, out);
  };
}

const sum = (a: Float32Array, o: Int32Array): number => { let s = 0; for (let k = 0; k < o.length; k++) s += a[o[k]]; return s; };
const sumSq = (a: Float32Array, o: Int32Array): number => { let s = 0; for (let k = 0; k < o.length; k++) s += a[o[k]] * a[o[k]]; return s; };

/** Reduction kernels by op type. */
export const REDUCE_KERNELS: Record<string, Kernel> = {
  reduce_sum: reduction(sum),
  reduce_mean: reduction((a, o) => sum(a, o) / o.length),
  reduce_max: reduction((a, o) => { let m = -Infinity; for (let k = 0; k < o.length; k++) m = Math.max(m, a[o[k]]); return m; }),
  reduce_min: reduction((a, o) => { let m = Infinity; for (let k = 0; k < o.length; k++) m = Math.min(m, a[o[k]]); return m; }),
  reduce_prod: reduction((a, o) => { let p = 1; for (let k = 0; k < o.length; k++) p *= a[o[k]]; return p; }),
  reduce_l1_norm: reduction((a, o) => { let s = 0; for (let k = 0; k < o.length; k++) s += Math.abs(a[o[k]]); return s; }),
  reduce_l2_norm: reduction((a, o) => Math.sqrt(sumSq(a, o))),
  reduce_sum_square: reduction(sumSq),
  reduce_log_sum: reduction((a, o) => Math.log(sum(a, o))),
  reduce_log_sum_exp: reduction((a, o) => {
    let m = -Infinity;
    for (let k = 0; k < o.length; k++) m = Math.max(m, a[o[k]]);
    let s = 0;
    for (let k = 0; k < o.length; k++) s += Math.exp(a[o[k]] - m);
    return m + Math.log(s);
  }),
  reduce_argmax: argReduction((v, best) => v > best),
  reduce_argmin: argReduction((v, best) => v < best),
};
