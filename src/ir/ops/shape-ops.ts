// Inference for ops that move data without computing on it: Reshape, Transpose, Concat, Split, Slice,
// Gather, Squeeze/Unsqueeze, Flatten, Shape, Size, Expand, Tile, Pad, Constant, ConstantOfShape, Range, ...
import type { Dim } from '../graph.ts';
import {
  broadcastShapes, conflictingDims, dimProduct, dtypeOfOnnxCode, formatShape, normAxis, same, unifyDim,
  type InferContext, type InferResult, type OpTable,
} from './common.ts';
import { constantNodeTensor } from './constant.ts';

/** Known integer contents as plain numbers, or undefined if any entry is not a known number. */
function knownNumbers(v: Dim[] | undefined): number[] | undefined {
  return v && v.every((d): d is number => typeof d === 'number') ? v : undefined;
}

/** Axes from input `i` (opset ≥ 13 style) or the `axes` attribute (older opsets). */
function axesOf(ctx: InferContext, inputIndex: number): number[] | undefined | 'unknown' {
  if (ctx.has(inputIndex)) return knownNumbers(ctx.ints(inputIndex)) ?? 'unknown';
  return ctx.attrInts('axes');
}

function reshape(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x) return [undefined];
  const target = ctx.ints(1);
  if (!target) {
    const len = ctx.input(1)?.shape;
    return [{ dtype: x.dtype, shape: len?.length === 1 && typeof len[0] === 'number' ? new Array(len[0]).fill(null) : undefined }];
  }
  const allowZero = ctx.attrInt('allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (!x.shape) return null;
      if (i >= x.shape.length) ctx.fail(`shape entry ${i} is 0 (copy) but input ${formatShape(x.shape)} has rank ${x.shape.length}`);
      return x.shape[i];
    }
    return d;
  });
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1) ctx.fail(`shape ${formatShape(target)} has more than one -1`);
  if (inferred === 1) {
    const at = out.indexOf(-1);
    out[at] = x.shape ? solveMinusOne(ctx, x.shape, out.filter((_, i) => i !== at)) : null;
  } else if (x.shape) {
    const a = dimProduct(x.shape);
    const b = dimProduct(out);
    if (a !== null && b !== null && a !== b) ctx.fail(`cannot reshape ${formatShape(x.shape)} (${a} elements) to ${formatShape(out)} (${b} elements)`);
  }
  return [{ dtype: x.dtype, shape: out, value: out.length <= 1 ? ctx.ints(0) : undefined }];
}

/** The size a -1 in Reshape stands for: input elements / other output dims, cancelling shared symbols. */
function solveMinusOne(ctx: InferContext, input: Dim[], others: Dim[]): Dim {
  const symbols = input.filter((d) => typeof d === 'string') as string[];
  let num = 1;
  for (const d of input) if (typeof d === 'number') num *= d;
  let den = 1;
  for (const d of others) {
    if (typeof d === 'number') den *= d;
    else if (typeof d === 'string' && symbols.includes(d)) symbols.splice(symbols.indexOf(d), 1);
    else return null;
  }
  if (input.includes(null)) return null;
  if (den === 0) return null;
  if (num % den !== 0) {
    if (symbols.length === 0) ctx.fail(`cannot reshape ${formatShape(input)}: ${num} elements are not divisible by ${den}`);
    return null;
  }
  const q = num / den;
  if (symbols.length === 0) return q;
  return symbols.length === 1 && q === 1 ? symbols[0] : null;
}

function transpose(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const rank = x.shape.length;
  const perm = ctx.attrInts('perm', x.shape.map((_, i) => rank - 1 - i));
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    const shown = perm.length > 8 ? `${perm.slice(0, 8).join(',')},… (${perm.length} values)` : perm.join(',');
    ctx.fail(`perm [${shown}] is not a permutation of rank ${rank}`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
}

function concat(ctx: InferContext): InferResult {
  const indices = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
  const types = indices.map((i) => ctx.input(i));
  const dtype = types.find((t) => t)?.dtype;
  if (!dtype) return [undefined];
  if (types.some((t) => t && t.dtype !== dtype)) ctx.fail(`input dtypes differ: ${[...new Set(types.map((t) => t?.dtype))].join(', ')}`);
  const shapes = types.map((t) => t?.shape);
  const known = shapes.find((s) => s);
  if (!known) return [{ dtype }];
  const rank = known.length;
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), rank);
  const out: Dim[] = [...known];
  let total: Dim = 0;
  for (const s of shapes) {
    if (!s) { total = null; continue; }
    if (s.length !== rank) ctx.fail(`inputs have different ranks: ${shapes.map(formatShape).join(', ')}`);
    s.forEach((d, i) => {
      if (i === axis) return;
      if (conflictingDims(d, out[i])) ctx.fail(`inputs differ outside axis ${axis}: ${shapes.map(formatShape).join(', ')}`);
      out[i] = unifyDim(out[i], d);
    });
    total = typeof total === 'number' && typeof s[axis] === 'number' ? total + (s[axis] as number) : null;
  }
  if (total === null && shapes.length === 1) total = known[axis];
  out[axis] = total;
  const values = indices.map((i) => ctx.ints(i));
  const value = rank === 1 && values.every((v) => v) ? values.flatMap((v) => v!) : undefined;
  return [{ dtype, shape: out, value }];
}

function split(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  const n = ctx.outputCount;
  if (!x) return new Array(n).fill(undefined);
  if (!x.shape) return new Array(n).fill(0).map(() => ({ dtype: x.dtype }));
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), x.shape.length);
  const dim = x.shape[axis];
  let sizes: Dim[];
  if (ctx.has(1)) sizes = ctx.ints(1) ?? new Array(n).fill(null);
  else if (ctx.attrInts('split')) sizes = ctx.attrInts('split')!;
  else if (typeof dim === 'number') {
    const parts = ctx.attrInt('num_outputs', n);
    const chunk = Math.ceil(dim / parts);
    sizes = new Array(parts).fill(0).map((_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
    if (ctx.attrInt('num_outputs') === undefined && dim % n !== 0) ctx.fail(`axis ${axis} of size ${dim} does not split evenly into ${n} outputs`);
  } else sizes = new Array(n).fill(null);
  if (sizes.length !== n) ctx.fail(`${sizes.length} split sizes for ${n} outputs`);
  const sum = dimProduct(sizes) === null ? null : (sizes as number[]).reduce((a, b) => a + b, 0);
  if (typeof dim === 'number' && sum !== null && sum !== dim) ctx.fail(`split sizes [${sizes.join(',')}] sum to ${sum}, axis ${axis} has ${dim}`);
  return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape!.map((d, i) => (i === axis ? s : d)) }));
}

/** Length of one sliced axis, clamping as the ONNX spec does. */
function sliceLength(dim: Dim, start: number, end: number, step: number): Dim {
  if (typeof dim !== 'number') {
    return start === 0 && step === 1 && end >= 2 ** 31 - 1 ? dim : null;
  }
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return Math.max(0, Math.ceil((e - s) / step));
}

function slice(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const rank = x.shape.length;
  const fromInputs = ctx.has(1);
  const starts = fromInputs ? knownNumbers(ctx.ints(1)) : ctx.attrInts('starts');
  const ends = fromInputs ? knownNumbers(ctx.ints(2)) : ctx.attrInts('ends');
  const axesRaw = fromInputs ? (ctx.has(3) ? knownNumbers(ctx.ints(3)) : undefined) : ctx.attrInts('axes');
  const steps = fromInputs && ctx.has(4) ? knownNumbers(ctx.ints(4)) : undefined;
  if (!starts || !ends || (fromInputs && ctx.has(3) && !axesRaw) || (ctx.has(4) && !steps)) {
    return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  }
  if (starts.length !== ends.length) ctx.fail(`starts has ${starts.length} entries, ends has ${ends.length}`);
  const axes = (axesRaw ?? starts.map((_, i) => i)).map((a) => normAxis(ctx, a, rank, 'slice axis'));
  const out = [...x.shape];
  axes.forEach((a, i) => {
    const step = steps?.[i] ?? 1;
    if (step === 0) ctx.fail('slice step is 0');
    out[a] = sliceLength(x.shape![a], starts[i], ends[i], step);
  });
  const v = ctx.ints(0);
  let value: Dim[] | undefined;
  if (v && rank === 1 && typeof x.shape[0] === 'number') {
    const step = steps?.[0] ?? 1;
    const len = out[0] as number;
    let s = starts[0] < 0 ? starts[0] + v.length : starts[0];
    s = step > 0 ? Math.min(Math.max(s, 0), v.length) : Math.min(Math.max(s, 0), v.length - 1);
    value = new Array(len).fill(0).map((_, k) => v[s + k * step]);
  }
  return [{ dtype: x.dtype, shape: out, value }];
}

function gather(ctx: InferContext): InferResult {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  if (!data) return [undefined];
  if (!data.shape || !indices?.shape) return [{ dtype: data.dtype }];
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), data.shape.length);
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const v = ctx.ints(0);
  const idx = knownNumbers(ctx.ints(1));
  let value: Dim[] | undefined;
  if (v && idx && data.shape.length === 1) {
    value = idx.map((i) => {
      const j = i < 0 ? i + v.length : i;
      if (j < 0 || j >= v.length) ctx.fail(`index ${i} out of range for axis of size ${v.length}`);
      return v[j];
    });
  }
  return [{ dtype: data.dtype, shape, value }];
}

function squeeze(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const axes = axesOf(ctx, 1);
  if (axes === 'unknown') return [{ dtype: x.dtype }];
  const rank = x.shape.length;
  let drop: Set<number>;
  if (!axes || axes.length === 0) {
    if (x.shape.some((d) => typeof d !== 'number')) return [{ dtype: x.dtype }];
    drop = new Set(x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0));
  } else {
    drop = new Set(axes.map((a) => normAxis(ctx, a, rank)));
    for (const a of drop) {
      if (typeof x.shape[a] === 'number' && x.shape[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x.shape[a]} in ${formatShape(x.shape)}`);
    }
  }
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !drop.has(i)), value: ctx.ints(0) }];
}

function unsqueeze(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const axes = axesOf(ctx, 1);
  if (axes === 'unknown' || !axes) return [{ dtype: x.dtype }];
  const rank = x.shape.length + axes.length;
  const insert = new Set(axes.map((a) => normAxis(ctx, a, rank)));
  if (insert.size !== axes.length) ctx.fail(`repeated axes [${axes.join(',')}]`);
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(insert.has(i) ? 1 : x.shape[k++]);
  return [{ dtype: x.dtype, shape: out, value: ctx.ints(0) }];
}

/** Product of dims keeping a lone symbol (e.g. ['batch'] → 'batch'; [2,'n'] → null). */
function collapse(dims: Dim[]): Dim {
  const p = dimProduct(dims);
  if (p !== null) return p;
  const unknown = dims.filter((d) => d !== 1);
  return unknown.length === 1 ? unknown[0] : null;
}

function flatten(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [x && { dtype: x.dtype, shape: [null, null] }];
  const rank = x.shape.length;
  let axis = ctx.attrInt('axis', 1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis > rank) ctx.fail(`axis ${ctx.attrInt('axis', 1)} out of range for rank ${rank}`);
  return [{ dtype: x.dtype, shape: [collapse(x.shape.slice(0, axis)), collapse(x.shape.slice(axis))] }];
}

function shape(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [{ dtype: 'int64', shape: [null] }];
  const rank = x.shape.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(ctx.attrInt('start', 0));
  const end = clamp(ctx.attrInt('end', rank));
  const value = x.shape.slice(start, Math.max(start, end));
  return [{ dtype: 'int64', shape: [value.length], value }];
}

function expand(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x) return [undefined];
  const target = ctx.ints(1);
  const len = ctx.input(1)?.shape;
  if (!x.shape) return [{ dtype: x.dtype }];
  if (!target) {
    if (len?.length === 1 && typeof len[0] === 'number') {
      const rank = Math.max(len[0], x.shape.length);
      return [{ dtype: x.dtype, shape: new Array(rank).fill(null) }];
    }
    return [{ dtype: x.dtype }];
  }
  // An unknown target entry may be 1 (keep the input's dim) or the size itself: only a known input dim > 1 decides.
  const rank = Math.max(target.length, x.shape.length);
  const xs = [...new Array(rank - x.shape.length).fill(1), ...x.shape];
  const ts = [...new Array(rank - target.length).fill(1), ...target];
  const out = ts.map((t, i) => (t === null || typeof t === 'string' ? (typeof xs[i] === 'number' && xs[i] !== 1 ? xs[i] : t) : t));
  return [{ dtype: x.dtype, shape: broadcastShapes(ctx, xs, out) }];
}

function tile(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const repeats = ctx.ints(1);
  if (!repeats) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  if (repeats.length !== x.shape.length) ctx.fail(`repeats has ${repeats.length} entries for rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (repeats[i] === 1 ? d : typeof d === 'number' && typeof repeats[i] === 'number' ? d * (repeats[i] as number) : null)) }];
}

function pad(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  const rank = x.shape.length;
  const pads = ctx.has(1) ? ctx.ints(1) : ctx.attrInts('pads');
  if (!pads) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  const axesIn = ctx.has(3) ? knownNumbers(ctx.ints(3)) : undefined;
  if (ctx.has(3) && !axesIn) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  const axes = (axesIn ?? x.shape.map((_, i) => i)).map((a) => normAxis(ctx, a, rank));
  if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} entries, expected ${2 * axes.length}`);
  const out = [...x.shape];
  axes.forEach((a, i) => {
    const b = pads[i];
    const e = pads[i + axes.length];
    const d = x.shape![a];
    out[a] = b === 0 && e === 0 ? d : typeof d === 'number' && typeof b === 'number' && typeof e === 'number' ? d + b + e : null;
  });
  return [{ dtype: x.dtype, shape: out }];
}

function constant(ctx: InferContext): InferResult {
  const t = constantNodeTensor(ctx.node);
  if (t) return [{ dtype: t.dtype, shape: [...t.dims] }];
  const s = ctx.node.attributes.get('value_strings');
  if (s?.type === 'strings') return [{ dtype: 'string', shape: [s.value.length] }];
  if (ctx.node.attributes.has('value_string')) return [{ dtype: 'string', shape: [] }];
  const sparse = ctx.node.attributes.get('sparse_value');
  if (sparse?.type === 'sparse_tensor') return [{ dtype: sparse.value.values.dtype, shape: [...sparse.value.dims] }];
  ctx.fail('Constant has no value attribute');
}

function constantOfShape(ctx: InferContext): InferResult {
  const v = ctx.node.attributes.get('value');
  const dtype = v?.type === 'tensor' ? v.value.dtype : 'float32';
  const dims = ctx.ints(0);
  const len = ctx.input(0)?.shape;
  if (dims) return [{ dtype, shape: dims }];
  return [{ dtype, shape: len?.length === 1 && typeof len[0] === 'number' ? new Array(len[0]).fill(null) : undefined }];
}

function range(ctx: InferContext): InferResult {
  const dtype = ctx.input(0)?.dtype ?? ctx.input(1)?.dtype;
  if (!dtype) return [undefined];
  const [start] = ctx.floats(0) ?? [];
  const [limit] = ctx.floats(1) ?? [];
  const [delta] = ctx.floats(2) ?? [];
  if (start === undefined || limit === undefined || delta === undefined) return [{ dtype, shape: [null] }];
  if (delta === 0) ctx.fail('Range delta is 0');
  return [{ dtype, shape: [Math.max(Math.ceil((limit - start) / delta), 0)] }];
}

function topK(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x), { dtype: 'int64' }];
  const axis = normAxis(ctx, ctx.attrInt('axis', -1), x.shape.length);
  const k = ctx.has(1) ? (ctx.ints(1)?.[0] ?? null) : ctx.attrInt('k') ?? null;
  if (typeof k === 'number' && typeof x.shape[axis] === 'number' && k > (x.shape[axis] as number)) {
    ctx.fail(`k ${k} exceeds axis ${axis} of size ${x.shape[axis]}`);
  }
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
}

/** DepthToSpace (`intoSpace`: channels move into H, W) and SpaceToDepth (the reverse). */
function depthToSpace(ctx: InferContext, intoSpace: boolean): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [same(x)];
  if (x.shape.length !== 4) ctx.fail(`input ${formatShape(x.shape)} is not 4-D`);
  const b = ctx.attrInt('blocksize', 0);
  if (b < 1) ctx.fail('missing blocksize attribute');
  const [n, c, h, w] = x.shape;
  const scale = (d: Dim, f: number, div: boolean): Dim => {
    if (typeof d !== 'number') return null;
    if (div && d % f !== 0) ctx.fail(`dimension ${d} is not divisible by ${f}`);
    return div ? d / f : d * f;
  };
  return intoSpace
    ? [{ dtype: x.dtype, shape: [n, scale(c, b * b, true), scale(h, b, false), scale(w, b, false)] }]
    : [{ dtype: x.dtype, shape: [n, scale(c, b * b, false), scale(h, b, true), scale(w, b, true)] }];
}

function gatherND(ctx: InferContext): InferResult {
  const data = ctx.input(0);
  const idx = ctx.input(1)?.shape;
  if (!data?.shape || !idx) return [data && { dtype: data.dtype }];
  const b = ctx.attrInt('batch_dims', 0);
  const last = idx[idx.length - 1];
  if (typeof last !== 'number') return [{ dtype: data.dtype }];
  return [{ dtype: data.dtype, shape: [...idx.slice(0, -1), ...data.shape.slice(b + last)] }];
}

function oneHot(ctx: InferContext): InferResult {
  const indices = ctx.input(0);
  const values = ctx.input(2);
  if (!values) return [undefined];
  if (!indices?.shape) return [{ dtype: values.dtype }];
  const depth = ctx.floats(1)?.[0];
  const rank = indices.shape.length + 1;
  const axis = normAxis(ctx, ctx.attrInt('axis', -1), rank);
  const shape = [...indices.shape];
  shape.splice(axis, 0, depth === undefined ? null : Math.trunc(depth));
  return [{ dtype: values.dtype, shape }];
}

export const shapeOps: OpTable = {
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Flatten: flatten,
  Shape: shape,
  Size: (ctx) => {
    const s = ctx.input(0)?.shape;
    const n = s && dimProduct(s);
    return [{ dtype: 'int64', shape: [], value: n === null || n === undefined ? undefined : [n] }];
  },
  Expand: expand,
  Tile: tile,
  Pad: pad,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Identity: (ctx) => [ctx.input(0) && { ...same(ctx.input(0))!, value: ctx.ints(0) }],
  Range: range,
  TopK: topK,
  NonZero: (ctx) => [{ dtype: 'int64', shape: [ctx.input(0)?.shape?.length ?? null, null] }],
  NonMaxSuppression: () => [{ dtype: 'int64', shape: [null, 3] }],
  DepthToSpace: (ctx) => depthToSpace(ctx, true),
  SpaceToDepth: (ctx) => depthToSpace(ctx, false),
  GatherElements: (ctx) => {
    const data = ctx.input(0);
    return [data && { dtype: data.dtype, shape: ctx.input(1)?.shape && [...ctx.input(1)!.shape!] }];
  },
  GatherND: gatherND,
  ScatterND: (ctx) => [same(ctx.input(0))],
  ScatterElements: (ctx) => [same(ctx.input(0))],
  Scatter: (ctx) => [same(ctx.input(0))],
  OneHot: oneHot,
  EyeLike: (ctx) => {
    const x = ctx.input(0);
    const code = ctx.attrInt('dtype');
    const dtype = code === undefined ? x?.dtype : dtypeOfOnnxCode(code);
    return [dtype && { dtype, shape: x?.shape && [...x.shape] }];
  },
};
