// Shared vocabulary of per-op inference: the context an op sees, its result type, and dim arithmetic.
import { DTYPES, type DType } from '../dtype.ts';
import type { Dim, Node } from '../graph.ts';
import type { Tensor } from '../tensor.ts';

/** What inference knows about one tensor value: dtype, shape (dims may be symbolic or null) and, for
 * small integer tensors whose contents are known (shape arithmetic), those contents. */
export interface TensorInfo {
  dtype: DType;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
  /** Known contents of a small integer tensor (flattened), symbols allowed: e.g. the result of Shape(x). */
  value?: Dim[];
}

/** What an op's inference function is given. */
export interface InferContext {
  readonly node: Node;
  /** Version of the node's domain in the model's opset imports (0 if not imported). */
  readonly opset: number;
  /** Number of outputs the node declares. */
  readonly outputCount: number;
  /** True if input `i` is given (not omitted). */
  has(i: number): boolean;
  /** Type of input `i` when it is a tensor of known dtype; undefined when omitted or unknown. */
  input(i: number): TensorInfo | undefined;
  /** Known contents of integer input `i` (from initializers, Constant nodes or shape arithmetic). */
  ints(i: number): Dim[] | undefined;
  /** Contents of constant numeric input `i` as numbers (initializer or Constant node). */
  floats(i: number): number[] | undefined;
  /** The constant tensor behind input `i`, if it is an initializer or a Constant node output. */
  constant(i: number): Tensor | undefined;
  attrInt(name: string, fallback: number): number;
  attrInt(name: string): number | undefined;
  attrInts(name: string, fallback: number[]): number[];
  attrInts(name: string): number[] | undefined;
  attrFloat(name: string, fallback: number): number;
  attrFloat(name: string): number | undefined;
  attrFloats(name: string): number[] | undefined;
  attrString(name: string, fallback: string): string;
  attrString(name: string): string | undefined;
  /** Types of the outputs of the subgraph in attribute `name` (If branches, Loop body), after inferring it. */
  subgraphOutputs(name: string): (TensorInfo | undefined)[] | undefined;
  /** Throws a GraphError naming this node. */
  fail(message: string): never;
}

/** One output per entry; undefined where the op cannot tell (the declared type is used then). */
export type InferResult = (TensorInfo | undefined)[];

/** An op's dtype + shape inference. */
export type OpInfer = (ctx: InferContext) => InferResult;

/** A family of ops: key is the op type, or `domain/op` for ops outside the default ONNX domain. */
export type OpTable = Record<string, OpInfer>;

/** The IR dtype for an ONNX `TensorProto.DataType` code (1 = float32 … 23 = float4e2m1). */
export function dtypeOfOnnxCode(code: number): DType | undefined {
  return DTYPES[code - 1];
}

/** Normalises a possibly negative axis against `rank`, failing when out of range. */
export function normAxis(ctx: InferContext, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx.fail(`${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** Product of dims, or null when any is not a known number. */
export function dimProduct(dims: readonly Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

/** Dims are equal and known (the same number, or the same symbol). */
export function sameDim(a: Dim, b: Dim): boolean {
  return a !== null && a === b;
}

/** Two dims that definitely differ (two different numbers). */
export function conflictingDims(a: Dim, b: Dim): boolean {
  return typeof a === 'number' && typeof b === 'number' && a !== b;
}

/** Merges two dims that must be equal: the known one wins, a number beats a symbol. */
export function unifyDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/** Numpy broadcasting of two shapes (multidirectional, as in ONNX); fails on incompatible dims. */
export function broadcastShapes(ctx: InferContext, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    out.push(broadcastDim(ctx, x, y, a, b));
  }
  return out;
}

function broadcastDim(ctx: InferContext, x: Dim, y: Dim, a: readonly Dim[], b: readonly Dim[]): Dim {
  if (x === 1) return y;
  if (y === 1) return x;
  if (typeof x === 'number' && typeof y === 'number') {
    if (x !== y) ctx.fail(`cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)}`);
    return x;
  }
  if (x === y) return x;
  // A known size > 1 wins: the other side must be that size or 1.
  if (typeof x === 'number') return x === 0 ? 0 : x;
  if (typeof y === 'number') return y === 0 ? 0 : y;
  return null;
}

/** `[1,3,'batch',?]` style text of a shape. */
export function formatShape(shape: readonly Dim[] | undefined): string {
  if (!shape) return '[?]';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** Output type with the same dtype and shape as `t` (elementwise ops). */
export function same(t: TensorInfo | undefined): TensorInfo | undefined {
  return t ? { dtype: t.dtype, shape: t.shape && [...t.shape] } : undefined;
}

/** Sliding-window output size (Conv, pools): floor or ceil of (in + pads - dilation*(k-1) - 1)/stride + 1. */
export function windowOutput(inDim: Dim, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number, ceil = false): Dim {
  const effective = dilation * (kernel - 1) + 1;
  if (typeof inDim !== 'number') {
    // A symbolic size survives only when the window maps it onto itself.
    return stride === 1 && padBegin + padEnd === effective - 1 ? inDim : null;
  }
  const span = inDim + padBegin + padEnd - effective;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // With ceil_mode, a last window that would start inside the end padding is dropped.
  if (ceil && (out - 1) * stride >= inDim + padBegin) out--;
  return out;
}

/** Resolves auto_pad (SAME_UPPER, SAME_LOWER, VALID, NOTSET) into explicit [begins..., ends...] pads. */
export function resolvePads(ctx: InferContext, spatial: readonly Dim[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] | 'same' {
  const n = spatial.length;
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return new Array(2 * n).fill(0);
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return 'same';
  if (autoPad !== 'NOTSET') ctx.fail(`unknown auto_pad '${autoPad}'`);
  const pads = ctx.attrInts('pads', new Array(2 * n).fill(0));
  if (pads.length !== 2 * n) ctx.fail(`pads has ${pads.length} entries, expected ${2 * n}`);
  return pads;
}

/** Spatial output dims of a sliding window op (Conv, MaxPool, AveragePool). */
export function windowOutputs(ctx: InferContext, spatial: readonly Dim[], kernel: readonly number[], ceil = false): Dim[] {
  const n = spatial.length;
  if (kernel.length !== n) ctx.fail(`kernel has ${kernel.length} spatial dims, input has ${n}`);
  const strides = ctx.attrInts('strides', new Array(n).fill(1));
  const dilations = ctx.attrInts('dilations', new Array(n).fill(1));
  if (strides.length !== n) ctx.fail(`strides has ${strides.length} entries, expected ${n}`);
  if (dilations.length !== n) ctx.fail(`dilations has ${dilations.length} entries, expected ${n}`);
  for (const [what, values] of [['kernel_shape', kernel], ['strides', strides], ['dilations', dilations]] as const) {
    if (values.some((v) => !Number.isSafeInteger(v) || v < 1)) ctx.fail(`${what} ${formatShape(values)} must be positive integers`);
  }
  const pads = resolvePads(ctx, spatial, kernel, strides, dilations);
  if (pads !== 'same' && pads.some((p) => !Number.isSafeInteger(p) || p < 0)) ctx.fail(`pads ${formatShape(pads)} must be non-negative integers`);
  return spatial.map((d, i) => {
    if (pads === 'same') {
      if (typeof d !== 'number') return strides[i] === 1 ? d : null;
      return Math.ceil(d / strides[i]);
    }
    return windowOutput(d, kernel[i], strides[i], pads[i], pads[i + n], dilations[i], ceil);
  });
}

/** Is this an integer dtype whose values inference may track (shape arithmetic)? */
export function isIntegerDType(dtype: DType): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' ||
    dtype === 'uint64' || dtype === 'uint32' || dtype === 'uint16' || dtype === 'uint8';
}
