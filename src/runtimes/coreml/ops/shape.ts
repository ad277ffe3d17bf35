// Data-movement MIL ops (iOS15 tensor_transformation / tensor_operation / scatter_gather): values are copied, never recomputed.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, sameKind, sizeOf, stridesOf, tensor, type RtData, type RtTensor } from '../value.ts';

/** Gathers `src[index[i]]` into a new array of the same kind. */
function take(data: RtData, index: ArrayLike<number>): RtData {
  const out = sameKind(data, index.length) as unknown as { [i: number]: unknown };
  const src = data as unknown as { [i: number]: unknown };
  for (let i = 0; i < index.length; i++) out[i] = src[index[i]];
  return out as unknown as RtData;
}

/** For an output of `outShape`, the input offset of each element given per-axis index maps `axisMaps[d][j]` (input coord of output coord j on axis d). */
function gatherIndex(inShape: number[], outShape: number[], axisMap: (d: number, j: number) => number): Int32Array {
  const inStrides = stridesOf(inShape);
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  if (n === 0) return idx;
  const maps = outShape.map((len, d) => Int32Array.from({ length: len }, (_, j) => axisMap(d, j) * inStrides[d]));
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += maps[d][counter[d]];
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < outShape[d]) break;
      counter[d] = 0;
    }
  }
  return idx;
}

/** A copy of `x` with a new shape (same element order). */
function withShape(x: RtTensor, shape: number[]): RtTensor {
  return tensor(x.dtype, shape, Array.isArray(x.data) ? [...x.data] : x.data.slice());
}

function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw ctx.error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** reshape: 0 copies the input dim (when ranks agree), one -1 is inferred. */
const reshape: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  let shape = ctx.ints('shape');
  if (shape.includes(0)) {
    if (shape.length !== x.shape.length) throw ctx.error(`shape [${shape}] has a 0 but its rank differs from x [${x.shape}]`);
    shape = shape.map((s, i) => (s === 0 ? x.shape[i] : s));
  }
  const neg = shape.indexOf(-1);
  if (shape.filter((s) => s === -1).length > 1) throw ctx.error(`shape [${shape}] has more than one -1`);
  const total = sizeOf(x.shape);
  if (neg >= 0) shape[neg] = total / sizeOf(shape.filter((_, i) => i !== neg));
  if (sizeOf(shape) !== total || !shape.every(Number.isInteger)) throw ctx.error(`cannot reshape [${x.shape}] to [${ctx.ints('shape')}]`);
  return withShape(x, shape);
};

/** transpose by `perm`. */
const transpose: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const rank = x.shape.length;
  const perm = ctx.ints('perm').map((p) => normAxis(ctx, p, rank));
  if (perm.length !== rank || new Set(perm).size !== rank) throw ctx.error(`perm [${perm}] is not a permutation of rank ${rank}`);
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += counter[d] * inStrides[perm[d]];
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < outShape[d]) break;
      counter[d] = 0;
    }
  }
  return tensor(x.dtype, outShape, take(x.data, idx));
};

/** squeeze `axes` (default: every size-1 dim). */
const squeeze: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const rank = x.shape.length;
  if (!ctx.has('axes')) return withShape(x, x.shape.filter((d) => d !== 1));
  const axes = ctx.ints('axes').map((a) => normAxis(ctx, a, rank));
  for (const a of axes) if (x.shape[a] !== 1) throw ctx.error(`cannot squeeze axis ${a} of size ${x.shape[a]}`);
  return withShape(x, x.shape.filter((_, i) => !axes.includes(i)));
};

/** expand_dims: a size-1 dim at each of `axes` (of the output rank). */
const expandDims: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const axes = ctx.ints('axes');
  const outRank = x.shape.length + axes.length;
  const norm = axes.map((a) => normAxis(ctx, a, outRank)).sort((p, q) => p - q);
  const shape = [...x.shape];
  for (const a of norm) shape.splice(a, 0, 1);
  return withShape(x, shape);
};

/** concat `values` along `axis`; `interleave` alternates equal-shaped inputs; rank-0 values are stacked. */
const concat: Kernel = (ctx) => {
  const values = ctx.tensors('values');
  const interleave = ctx.bool('interleave', false);
  const rank = values[0].shape.length;
  const parts = rank === 0 ? values.map((v) => ({ ...v, shape: [1] })) : values;
  const r = Math.max(rank, 1);
  const axis = normAxis(ctx, ctx.num('axis'), r);
  for (const v of parts) {
    if (v.shape.length !== r || v.dtype !== parts[0].dtype) throw ctx.error(`values differ in rank or dtype: ${parts.map((p) => `${p.dtype}[${p.shape}]`).join(', ')}`);
    for (let d = 0; d < r; d++) if (d !== axis && v.shape[d] !== parts[0].shape[d]) throw ctx.error(`shapes [${v.shape}] and [${parts[0].shape}] differ off the axis`);
    if (interleave && v.shape[axis] !== parts[0].shape[axis]) throw ctx.error('interleave needs inputs of one shape');
  }
  const outer = sizeOf(parts[0].shape.slice(0, axis));
  const inner = sizeOf(parts[0].shape.slice(axis + 1));
  const total = parts.reduce((p, v) => p + v.shape[axis], 0);
  const shape = [...parts[0].shape];
  shape[axis] = total;
  const out = sameKind(parts[0].data, sizeOf(shape)) as unknown as { [i: number]: unknown };
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    if (interleave) {
      const len = parts[0].shape[axis];
      for (let k = 0; k < len; k++) {
        for (const v of parts) {
          const src = v.data as unknown as { [i: number]: unknown };
          const base = (o * len + k) * inner;
          for (let i = 0; i < inner; i++) out[pos++] = src[base + i];
        }
      }
    } else {
      for (const v of parts) {
        const src = v.data as unknown as { [i: number]: unknown };
        const chunk = v.shape[axis] * inner;
        const base = o * chunk;
        for (let i = 0; i < chunk; i++) out[pos++] = src[base + i];
      }
    }
  }
  return tensor(parts[0].dtype, shape, out as unknown as RtData);
};

/** split along `axis` into `num_splits` equal parts or `split_sizes`. */
const split: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const axis = normAxis(ctx, ctx.num('axis'), x.shape.length);
  const len = x.shape[axis];
  let sizes: number[];
  if (ctx.has('split_sizes')) sizes = ctx.ints('split_sizes');
  else if (ctx.has('num_splits')) {
    const k = ctx.num('num_splits');
    if (len % k !== 0) throw ctx.error(`num_splits ${k} does not divide dim ${len}`);
    sizes = new Array(k).fill(len / k);
  } else throw ctx.error('needs num_splits or split_sizes');
  if (sizes.reduce((p, s) => p + s, 0) !== len) throw ctx.error(`split_sizes [${sizes}] do not sum to ${len}`);
  let start = 0;
  return sizes.map((s) => {
    const begin = start;
    start += s;
    const shape = [...x.shape];
    shape[axis] = s;
    return tensor(x.dtype, shape, take(x.data, gatherIndex(x.shape, shape, (d, j) => (d === axis ? begin + j : j))));
  });
};

/** Python slice(begin, end, stride).indices(len) as (start, count) — what NumPy indexing does. */
function pySlice(begin: number | undefined, end: number | undefined, stride: number, len: number): { start: number; count: number } {
  if (stride === 0) throw new Error('slice stride 0');
  let start: number;
  let stop: number;
  if (stride > 0) {
    start = begin === undefined ? 0 : begin < 0 ? Math.max(0, begin + len) : Math.min(begin, len);
    stop = end === undefined ? len : end < 0 ? Math.max(0, end + len) : Math.min(end, len);
    return { start, count: Math.max(0, Math.ceil((stop - start) / stride)) };
  }
  start = begin === undefined ? len - 1 : begin < 0 ? Math.max(-1, begin + len) : Math.min(begin, len - 1);
  stop = end === undefined ? -1 : end < 0 ? Math.max(-1, end + len) : Math.min(end, len - 1);
  return { start, count: Math.max(0, Math.ceil((stop - start) / stride)) };
}

/** slice_by_index: x[begin:end:stride] per axis (NumPy), with begin_mask / end_mask / squeeze_mask. */
const sliceByIndex: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const rank = x.shape.length;
  const begin = ctx.ints('begin');
  const end = ctx.ints('end');
  const stride = ctx.ints('stride', new Array(rank).fill(1));
  const bm = ctx.bools('begin_mask') ?? new Array(rank).fill(false);
  const em = ctx.bools('end_mask') ?? new Array(rank).fill(false);
  const sm = ctx.bools('squeeze_mask') ?? new Array(rank).fill(false);
  if ([begin, end, stride, bm, em, sm].some((v) => v.length !== rank)) throw ctx.error(`begin/end/stride/masks must have ${rank} values`);
  const starts: number[] = [];
  const steps: number[] = [];
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (sm[d]) {
      const b = begin[d] < 0 ? begin[d] + x.shape[d] : begin[d];
      if (b < 0 || b >= x.shape[d]) throw ctx.error(`squeezed index ${begin[d]} out of range for dim ${x.shape[d]}`);
      starts.push(b); steps.push(1); shape.push(1);
      continue;
    }
    const { start, count } = pySlice(bm[d] ? undefined : begin[d], em[d] ? undefined : end[d], stride[d], x.shape[d]);
    starts.push(start); steps.push(stride[d]); shape.push(count);
  }
  const data = take(x.data, gatherIndex(x.shape, shape, (d, j) => starts[d] + j * steps[d]));
  return tensor(x.dtype, shape.filter((_, d) => !sm[d]), data);
};

/** slice_by_size: x[begin : begin + size] per axis, size -1 = to the end. */
const sliceBySize: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const begin = ctx.ints('begin').map((b, d) => (b < 0 ? b + x.shape[d] : b));
  const size = ctx.ints('size').map((s, d) => (s === -1 ? x.shape[d] - begin[d] : s));
  return tensor(x.dtype, size, take(x.data, gatherIndex(x.shape, size, (d, j) => begin[d] + j)));
};

/** pad the last N dims (pad has 2N values): constant (constant_val, default 0), reflect, or replicate. */
const pad: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const rank = x.shape.length;
  const p = ctx.ints('pad');
  const mode = ctx.str('mode', 'constant');
  if (p.length % 2 !== 0 || p.length / 2 > rank) throw ctx.error(`pad has ${p.length} values for rank ${rank}`);
  const full = [...new Array(2 * rank - p.length).fill(0), ...p];
  const shape = x.shape.map((d, i) => d + full[2 * i] + full[2 * i + 1]);
  if (mode === 'constant') {
    const cval = ctx.num('constant_val', 0);
    const src = asFloat32(x);
    const out = new Float32Array(sizeOf(shape)).fill(cval);
    const idx = gatherIndex(x.shape, x.shape, (_, j) => j); // identity walk of x
    const outIdx = gatherIndex(shape, x.shape, (d, j) => j + full[2 * d]);
    for (let i = 0; i < idx.length; i++) out[outIdx[i]] = src[idx[i]];
    if (x.dtype !== 'fp16' && x.dtype !== 'fp32') throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
    return tensor(x.dtype, shape, out);
  }
  const map = (d: number, j: number): number => {
    const len = x.shape[d];
    let i = j - full[2 * d];
    if (mode === 'replicate') return Math.min(len - 1, Math.max(0, i));
    if (mode !== 'reflect') throw ctx.error(`unknown mode '${mode}' (constant, reflect, replicate)`);
    if (len === 1) return 0;
    const period = 2 * (len - 1);
    i = ((i % period) + period) % period;
    return i < len ? i : period - i;
  };
  return tensor(x.dtype, shape, take(x.data, gatherIndex(x.shape, shape, map)));
};

/** gather `indices` (negative allowed) along `axis` (default 0). */
const gather: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const indicesT = ctx.tensor('indices');
  const axis = normAxis(ctx, ctx.num('axis', 0), x.shape.length);
  if (ctx.num('batch_dims', 0) !== 0) throw ctx.error('batch_dims other than 0 is not supported');
  const ind = Array.from(asFloat32(indicesT), (v) => (v < 0 ? v + x.shape[axis] : v));
  for (const v of ind) if (v < 0 || v >= x.shape[axis]) throw ctx.error(`index out of range for dim ${x.shape[axis]}`);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const len = x.shape[axis];
  const idx = new Int32Array(outer * ind.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) for (const v of ind) for (let i = 0; i < inner; i++) idx[k++] = (o * len + v) * inner + i;
  return tensor(x.dtype, [...x.shape.slice(0, axis), ...indicesT.shape, ...x.shape.slice(axis + 1)], take(x.data, idx));
};

/** gather_along_axis: output[..., i, ...] = x[..., indices[..., i, ...], ...] (NumPy take_along_axis). */
const gatherAlongAxis: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const indicesT = ctx.tensor('indices');
  const rank = x.shape.length;
  const axis = normAxis(ctx, ctx.num('axis', 0), rank);
  if (indicesT.shape.length !== rank) throw ctx.error(`indices rank ${indicesT.shape.length} != x rank ${rank}`);
  const ind = asFloat32(indicesT);
  const xs = stridesOf(x.shape);
  const shape = indicesT.shape;
  const n = sizeOf(shape);
  const idx = new Int32Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) {
      let c = counter[d];
      if (d === axis) {
        c = ind[i] < 0 ? ind[i] + x.shape[d] : ind[i];
        if (c < 0 || c >= x.shape[d]) throw ctx.error(`index ${ind[i]} out of range for dim ${x.shape[d]}`);
      }
      off += c * xs[d];
    }
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break;
      counter[d] = 0;
    }
  }
  return tensor(x.dtype, [...shape], take(x.data, idx));
};

/** tile: dim i repeated reps[i] times. */
const tile: Kernel = (ctx) => {
  const x = ctx.tensor('x');
  const reps = ctx.ints('reps');
  if (reps.length !== x.shape.length) throw ctx.error(`reps has ${reps.length} values for rank ${x.shape.length}`);
  const shape = x.shape.map((d, i) => d * reps[i]);
  return tensor(x.dtype, shape, take(x.data, gatherIndex(x.shape, shape, (d, j) => j % x.shape[d])));
};

/** identity: the input, copied. */
const identity: Kernel = (ctx) => {
  const v = ctx.value('x');
  if (!v) throw ctx.error("missing required parameter 'x'");
  return v.kind === 'tensor' ? withShape(v, [...v.shape]) : v;
};

/** stack `values` along a new `axis`. */
const stack: Kernel = (ctx) => {
  const values = ctx.tensors('values');
  const rank = values[0].shape.length + 1;
  const axis = normAxis(ctx, ctx.num('axis'), rank);
  const expanded = values.map((v) => { const s = [...v.shape]; s.splice(axis, 0, 1); return { ...v, shape: s }; });
  const outer = sizeOf(expanded[0].shape.slice(0, axis));
  const inner = sizeOf(expanded[0].shape.slice(axis + 1));
  const shape = [...expanded[0].shape];
  shape[axis] = values.length;
  const out = sameKind(values[0].data, sizeOf(shape)) as unknown as { [i: number]: unknown };
  let pos = 0;
  for (let o = 0; o < outer; o++) for (const v of values) {
    const src = v.data as unknown as { [i: number]: unknown };
    for (let i = 0; i < inner; i++) out[pos++] = src[o * inner + i];
  }
  return tensor(values[0].dtype, shape, out as unknown as RtData);
};

/** Data-movement kernels by op type. */
export const SHAPE_KERNELS: Record<string, Kernel> = {
  reshape, transpose, squeeze, expand_dims: expandDims, concat, split, slice_by_index: sliceByIndex,
  slice_by_size: sliceBySize, pad, gather, gather_along_axis: gatherAlongAxis, tile, identity, stack,
};
