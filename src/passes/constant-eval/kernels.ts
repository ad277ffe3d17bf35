// TypeScript kernels for the ops that usually make up constant shape computations.
import type { Dim, Node } from '../../ir/graph.ts';
import { attrInt, attrInts } from '../../ir/graph.ts';
import { elementCount, halfToFloat, tensorValues } from '../../ir/tensor.ts';
import type { DType, TypedArray } from '../../ir/dtype.ts';
import {
  alloc, broadcastDims, broadcastIndexer, dtypeOfCode, mapIndices, normAxis, stridesOf, toNumbers, type NdArray,
} from './ndarray.ts';

/** What a kernel may ask about the graph besides its constant inputs. */
export interface KernelContext {
  /** Default-domain opset version of the model. */
  opset: number;
  /** Static shape of a value when known. */
  shapeOf(name: string): Dim[] | undefined;
  /** Largest output (elements) a kernel may allocate. */
  maxElements: number;
}

/**
 * Evaluates one node. `inputs[i]` is the constant value of input i (undefined when omitted or not
 * constant). Returns one array per output, or undefined when this kernel cannot handle the case
 * (the caller may then try another evaluator or leave the node alone).
 */
export type Kernel = (node: Node, inputs: (NdArray | undefined)[], ctx: KernelContext) => NdArray[] | undefined;

const int64 = (values: number[], dims = [values.length]): NdArray =>
  ({ dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });

/** Shape and Size read only the (static) shape of their input, which need not be constant. */
export const SHAPE_ONLY_OPS: ReadonlySet<string> = new Set(['Shape', 'Size']);

function staticShape(node: Node, ctx: KernelContext): number[] | undefined {
  const shape = ctx.shapeOf(node.inputs[0]);
  return shape && shape.every((d): d is number => typeof d === 'number' && d >= 0) ? shape : undefined;
}

const shape: Kernel = (node, _inputs, ctx) => {
  const dims = staticShape(node, ctx);
  if (!dims) return undefined;
  const r = dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clamp(attrInt(node, 'start', 0));
  const end = clamp(attrInt(node, 'end', r));
  return [int64(dims.slice(start, Math.max(start, end)))];
};

const size: Kernel = (node, _inputs, ctx) => {
  const dims = staticShape(node, ctx);
  return dims ? [int64([elementCount(dims)], [])] : undefined;
};

const identity: Kernel = (_node, [x]) => (x ? [{ ...x, dims: [...x.dims], data: x.data.slice() }] : undefined);

const reshape: Kernel = (node, [x, s]) => {
  if (!x || !s) return undefined;
  const target = toNumbers(s);
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const dims = target.map((d, i) => (d === 0 && !allowZero ? x.dims[i] : d));
  const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const total = elementCount(x.dims);
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) dims[inferred] = known === 0 ? 0 : total / known;
  if (elementCount(dims) !== total || dims.some((d) => d === undefined || d < 0 || !Number.isInteger(d))) return undefined;
  return [{ dtype: x.dtype, dims, data: x.data.slice() }];
};

function axesOf(node: Node, inputs: (NdArray | undefined)[], ctx: KernelContext): number[] | undefined {
  if (ctx.opset >= 13) return inputs[1] ? toNumbers(inputs[1]) : node.inputs[1] ? undefined : [];
  return attrInts(node, 'axes', []);
}

const unsqueeze: Kernel = (node, inputs, ctx) => {
  const [x] = inputs;
  const axes = axesOf(node, inputs, ctx);
  if (!x || !axes) return undefined;
  const rank = x.dims.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank)));
  const dims: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) dims.push(set.has(i) ? 1 : x.dims[j++]);
  return [{ dtype: x.dtype, dims, data: x.data.slice() }];
};

const squeeze: Kernel = (node, inputs, ctx) => {
  const [x] = inputs;
  const axes = axesOf(node, inputs, ctx);
  if (!x || !axes) return undefined;
  const set = new Set(axes.length ? axes.map((a) => normAxis(a, x.dims.length)) : x.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
  if ([...set].some((a) => x.dims[a] !== 1)) return undefined;
  return [{ dtype: x.dtype, dims: x.dims.filter((_, i) => !set.has(i)), data: x.data.slice() }];
};

const concat: Kernel = (node, inputs) => {
  const parts = node.inputs.map((_, i) => inputs[i]);
  if (!parts.length || parts.some((p) => !p)) return undefined;
  const xs = parts as NdArray[];
  const rank = xs[0].dims.length;
  const axis = normAxis(attrInt(node, 'axis', 0), rank);
  // Parts that disagree outside the axis (or in dtype) are not folded: the verifier names the bad Concat.
  if (axis < 0 || axis >= rank || xs.some((x) => x.dtype !== xs[0].dtype || x.dims.length !== rank || x.dims.some((d, i) => i !== axis && d !== xs[0].dims[i]))) return undefined;
  const dims = [...xs[0].dims];
  dims[axis] = xs.reduce((s, x) => s + x.dims[axis], 0);
  const outer = elementCount(dims.slice(0, axis));
  const out = alloc(xs[0].dtype, elementCount(dims))!;
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const block = elementCount(x.dims.slice(axis));
      (out as Float32Array).set((x.data as Float32Array).subarray(o * block, (o + 1) * block), at);
      at += block;
    }
  }
  return [{ dtype: xs[0].dtype, dims, data: out }];
};

const gather: Kernel = (node, [x, indices]) => {
  if (!x || !indices) return undefined;
  const axis = normAxis(attrInt(node, 'axis', 0), x.dims.length);
  const n = x.dims[axis];
  const idx = toNumbers(indices).map((i) => (i < 0 ? i + n : i));
  if (idx.some((i) => i < 0 || i >= n)) return undefined;
  const q = indices.dims.length;
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
  const strides = stridesOf(x.dims);
  const idxStrides = stridesOf(indices.dims);
  return [mapIndices(x, dims, (o) => {
    let flat = 0;
    for (let d = 0; d < axis; d++) flat += o[d] * strides[d];
    let k = 0;
    for (let d = 0; d < q; d++) k += o[axis + d] * idxStrides[d];
    flat += idx[k] * strides[axis];
    for (let d = axis + 1; d < x.dims.length; d++) flat += o[d + q - 1] * strides[d];
    return flat;
  })];
};

const transpose: Kernel = (node, [x]) => {
  if (!x) return undefined;
  const perm = attrInts(node, 'perm', x.dims.map((_, i) => x.dims.length - 1 - i));
  const strides = stridesOf(x.dims);
  return [mapIndices(x, perm.map((p) => x.dims[p]), (o) => o.reduce((s, v, i) => s + v * strides[perm[i]], 0))];
};

const slice: Kernel = (node, inputs, ctx) => {
  const [x] = inputs;
  if (!x) return undefined;
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset >= 10) {
    const [, s, e, a, st] = inputs;
    if (!s || !e || (node.inputs[3] && !a) || (node.inputs[4] && !st)) return undefined;
    [starts, ends, axes, steps] = [toNumbers(s), toNumbers(e), a && toNumbers(a), st && toNumbers(st)];
  } else {
    [starts, ends, axes] = [attrInts(node, 'starts', []), attrInts(node, 'ends', []), attrInts(node, 'axes')];
  }
  const rank = x.dims.length;
  const begin = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  for (let i = 0; i < starts.length; i++) {
    const axis = normAxis(axes ? axes[i] : i, rank);
    const dim = x.dims[axis];
    const k = steps ? steps[i] : 1;
    if (k === 0) return undefined;
    let b = starts[i] < 0 ? starts[i] + dim : starts[i];
    let e = ends[i] < 0 ? ends[i] + dim : ends[i];
    b = k > 0 ? Math.min(Math.max(b, 0), dim) : Math.min(Math.max(b, 0), dim - 1);
    e = k > 0 ? Math.min(Math.max(e, 0), dim) : Math.min(Math.max(e, -1), dim - 1);
    begin[axis] = b;
    step[axis] = k;
    dims[axis] = Math.max(0, Math.ceil((e - b) / k));
  }
  const strides = stridesOf(x.dims);
  return [mapIndices(x, dims, (o) => o.reduce((s, v, d) => s + (begin[d] + v * step[d]) * strides[d], 0))];
};

/** Reads a value of a numeric array as a JS number (float16 decoded). */
function reader(a: NdArray): (i: number) => number {
  if (a.dtype === 'float16') return (i) => halfToFloat(a.data[i] as number);
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return (i) => Number(a.data[i]);
  return (i) => a.data[i] as number;
}

const CASTABLE: ReadonlySet<DType> = new Set(['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);

const cast: Kernel = (node, [x]) => {
  const to = dtypeOfCode(attrInt(node, 'to', 0));
  if (!x || !to || !CASTABLE.has(to) || !(CASTABLE.has(x.dtype) || x.dtype === 'float16')) return undefined;
  const n = x.data.length;
  const out = alloc(to, n)!;
  const fromInt = !x.dtype.startsWith('float');
  if (x.data instanceof BigInt64Array || x.data instanceof BigUint64Array) {
    const src = x.data;
    for (let i = 0; i < n; i++) {
      if (to === 'int64') out[i] = BigInt.asIntN(64, src[i]);
      else if (to === 'uint64') out[i] = BigInt.asUintN(64, src[i]);
      else if (to === 'bool') out[i] = src[i] !== 0n ? 1 : 0;
      else if (to.startsWith('float')) out[i] = Number(src[i]);
      else out[i] = Number(BigInt.asIntN(32, src[i]));
    }
  } else {
    const get = reader(x);
    for (let i = 0; i < n; i++) {
      const v = get(i);
      if (to === 'bool') out[i] = v !== 0 ? 1 : 0;
      else if (to.startsWith('float')) out[i] = v;
      else if (!fromInt && !Number.isFinite(v)) return undefined;
      else if (to === 'int64') out[i] = BigInt.asIntN(64, BigInt(Math.trunc(v)));
      else if (to === 'uint64') out[i] = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      else out[i] = Math.trunc(v);
    }
  }
  return [{ dtype: to, dims: [...x.dims], data: out }];
};

type NumberOp = (a: number, b: number) => number | undefined;
type BigOp = (a: bigint, b: bigint) => bigint | undefined;

const BINARY: Record<string, { float: NumberOp; int: NumberOp; big: BigOp }> = {
  Add: { float: (a, b) => a + b, int: (a, b) => a + b, big: (a, b) => a + b },
  Sub: { float: (a, b) => a - b, int: (a, b) => a - b, big: (a, b) => a - b },
  Mul: { float: (a, b) => a * b, int: (a, b) => Math.imul(a, b), big: (a, b) => a * b },
  Div: {
    float: (a, b) => a / b,
    int: (a, b) => (b === 0 ? undefined : Math.trunc(a / b)),
    big: (a, b) => (b === 0n ? undefined : a / b),
  },
};

const binary: Kernel = (node, [a, b], ctx) => {
  const ops = BINARY[node.op];
  if (!a || !b || a.dtype !== b.dtype || !CASTABLE.has(a.dtype) || a.dtype === 'bool') return undefined;
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims || elementCount(dims) > ctx.maxElements) return undefined;
  const out = alloc(a.dtype, elementCount(dims))!;
  const ia = broadcastIndexer(a.dims, dims.length);
  const ib = broadcastIndexer(b.dims, dims.length);
  const big = a.data instanceof BigInt64Array || a.data instanceof BigUint64Array;
  // Integer results are exact in doubles (Mul uses Math.imul) and wrap like C when stored.
  const op = a.dtype.startsWith('float') ? ops.float : ops.int;
  const wrap = (v: bigint) => (a.dtype === 'int64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    const x = a.data[ia(idx)];
    const y = b.data[ib(idx)];
    const v = big ? ops.big(x as bigint, y as bigint) : op(x as number, y as number);
    if (v === undefined) return undefined;
    out[i] = big ? wrap(v as bigint) : (v as number);
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return [{ dtype: a.dtype, dims, data: out as TypedArray }];
};

const constantOfShape: Kernel = (node, [s], ctx) => {
  if (!s) return undefined;
  const dims = toNumbers(s);
  if (dims.some((d) => d < 0) || elementCount(dims) > ctx.maxElements) return undefined;
  const attr = node.attributes.get('value');
  const fill = attr?.type === 'tensor' ? attr.value : undefined;
  const dtype: DType = fill?.dtype ?? 'float32';
  const out = alloc(dtype, elementCount(dims));
  if (!out || (fill && fill.data.kind === 'strings')) return undefined;
  if (fill) (out as Float32Array).fill(tensorValues(fill)[0] as number);
  return [{ dtype, dims, data: out }];
};

const range: Kernel = (_node, [start, limit, delta], ctx) => {
  if (!start || !limit || !delta || !CASTABLE.has(start.dtype) || start.dtype === 'bool') return undefined;
  const big = start.data instanceof BigInt64Array;
  const [s, l, d] = [start, limit, delta].map((x) => Number(x.data[0]));
  if (d === 0) return undefined;
  const diff = start.dtype === 'float32' ? Math.fround(l - s) : l - s;
  const n = Math.max(0, Math.ceil(diff / d));
  if (n > ctx.maxElements) return undefined;
  const out = alloc(start.dtype, n)!;
  if (big) {
    let v = start.data[0] as bigint;
    for (let i = 0; i < n; i++, v += delta.data[0] as bigint) out[i] = v;
  } else {
    const f32 = start.dtype === 'float32';
    let v = s;
    for (let i = 0; i < n; i++) {
      out[i] = v;
      v = f32 ? Math.fround(v + d) : v + d;
    }
  }
  return [{ dtype: start.dtype, dims: [n], data: out }];
};

/** The TypeScript kernels by op type (default ONNX domain). */
export const KERNELS: Readonly<Record<string, Kernel>> = {
  Shape: shape, Size: size, Identity: identity, Reshape: reshape, Unsqueeze: unsqueeze, Squeeze: squeeze,
  Concat: concat, Gather: gather, Transpose: transpose, Slice: slice, Cast: cast,
  Add: binary, Sub: binary, Mul: binary, Div: binary, ConstantOfShape: constantOfShape, Range: range,
};
