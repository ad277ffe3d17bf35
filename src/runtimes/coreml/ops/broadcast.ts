// NumPy broadcasting for the elementwise kernels: output shape, per-operand index maps, and coalesced strided iteration plans.
import { broadcastDims, stridesOf } from '../../../ir/strides.ts';
import { sizeOf } from '../value.ts';

/** The broadcast shape of two shapes (NumPy rules), or undefined when they do not broadcast. */
export const broadcastShapes = broadcastDims;

/**
 * For each element of `outShape` (row-major), the index of the element of a tensor of `shape` broadcast to it;
 * undefined when no index map is needed (same element count: the identity).
 */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array | undefined {
  const n = sizeOf(outShape);
  if (sizeOf(shape) === n) return undefined;
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const srcStrides = stridesOf(padded).map((s, i) => (padded[i] === 1 ? 0 : s));
  const idx = new Int32Array(n);
  if (rank === 0) return idx;
  const last = rank - 1;
  const inner = outShape[last];
  const innerStride = srcStrides[last];
  const counter = new Array<number>(rank).fill(0);
  let base = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) idx[o + j] = base + j * innerStride;
    // advance the outer counters
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      base += srcStrides[d];
      if (counter[d] < outShape[d]) break;
      base -= srcStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** A broadcast iteration plan: coalesced output dims and each operand's strides over them (0 where it repeats). */
export interface BroadcastPlan {
  dims: number[];
  strides: number[][];
}

/** Plans the iteration of `outShape` over operands of `shapes` (each broadcastable to it), merging contiguous dims. */
export function broadcastPlan(shapes: readonly (readonly number[])[], outShape: readonly number[]): BroadcastPlan {
  const rank = outShape.length;
  const full = shapes.map((s) => {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    return stridesOf(padded).map((st, i) => (padded[i] === 1 ? 0 : st));
  });
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && full.every((st, k) => strides[k][last] === st[d] * outShape[d])) {
      dims[last] *= outShape[d];
      full.forEach((st, k) => { strides[k][last] = st[d]; });
      continue;
    }
    dims.push(outShape[d]);
    full.forEach((st, k) => strides[k].push(st[d]));
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { dims, strides };
}

/** Calls `run(offsets, outOffset, length, innerStrides)` for every innermost run of a plan (offsets: one per operand). */
export function forEachRun(plan: BroadcastPlan, run: (offsets: number[], out: number, n: number, inner: number[]) => void): void {
  const { dims, strides } = plan;
  const rank = dims.length;
  const inner = dims[rank - 1];
  const innerStrides = strides.map((s) => s[rank - 1]);
  const outer = sizeOf(dims) / inner;
  const counter = new Array<number>(rank).fill(0);
  const offsets = strides.map(() => 0);
  for (let o = 0; o < outer; o++) {
    run(offsets, o * inner, inner, innerStrides);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][d];
      if (counter[d] < dims[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][d] * counter[d];
      counter[d] = 0;
    }
  }
}
