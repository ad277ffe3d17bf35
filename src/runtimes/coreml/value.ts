// Runtime values of the MIL reference executor: tensors in typed arrays (fp16 held as float32 values rounded to half), lists, dicts.
import type { MilDtype, MilTensorValue, MilValue } from '../../formats/coreml/program.ts';
import { halfBitsToFloat32, roundHalfInPlace } from './half.ts';
import { stridesOf } from '../../ir/strides.ts';

export { stridesOf };

/** Element data of a runtime tensor: fp16/fp32 → Float32Array (fp16 values rounded to half), fp64 → Float64Array,
 * int32 → Int32Array, bool → Uint8Array of 0/1, the constexpr source types as stored in MilData, string → string[]. */
export type RtData = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | BigInt64Array | string[];

/** A tensor during execution. */
export interface RtTensor {
  kind: 'tensor';
  dtype: MilDtype;
  shape: number[];
  data: RtData;
}

/** A list (the classes of `classify`). */
export interface RtList {
  kind: 'list';
  items: RtTensor[];
}

/** A dictionary (the probabilities `classify` returns): keys in class order. */
export interface RtDict {
  kind: 'dict';
  keys: (string | bigint)[];
  values: Float64Array;
}

/** Any runtime value. */
export type RtValue = RtTensor | RtList | RtDict;

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True for the float element types the kernels compute in. */
export function isFloatDtype(d: MilDtype): boolean {
  return d === 'fp16' || d === 'fp32' || d === 'fp64';
}

/** A new tensor. */
export function tensor(dtype: MilDtype, shape: number[], data: RtData): RtTensor {
  return { kind: 'tensor', dtype, shape, data };
}

/** An empty typed array of the same kind as `data` (for data-movement kernels). */
export function sameKind(data: RtData, n: number): RtData {
  if (Array.isArray(data)) return new Array<string>(n).fill('');
  return new (data.constructor as new (n: number) => Exclude<RtData, string[]>)(n);
}

/** A constant's value as a runtime value (fp16 bits decoded to float32 values). */
export function fromMilValue(v: MilValue): RtTensor | RtList {
  let r = decoded.get(v);
  if (!r) {
    r = 'items' in v ? { kind: 'list', items: v.items.map((i) => fromMilTensor(i)) } : fromMilTensor(v);
    decoded.set(v, r);
  }
  return r;
}

/** Constants decoded once per MilValue object (kernels never write to their inputs). */
const decoded = new WeakMap<MilValue, RtTensor | RtList>();

function fromMilTensor(v: MilTensorValue): RtTensor {
  const { dtype, shape } = v.type;
  let data: RtData = v.data;
  if (dtype === 'fp16') data = halfBitsToFloat32(v.data as Uint16Array);
  else if (dtype === 'fp32' && !(v.data instanceof Float32Array)) data = Float32Array.from(v.data as ArrayLike<number>);
  else if (dtype === 'int32' && !(v.data instanceof Int32Array)) data = Int32Array.from(v.data as ArrayLike<number>);
  return tensor(dtype, [...shape], data);
}

/** The values of a numeric tensor as float32 (integers converted, fp16 already held as float32). */
export function asFloat32(t: RtTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (Array.isArray(t.data)) throw new Error(`a ${t.dtype} tensor has no numeric values`);
  if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, (x) => Number(x));
  return Float32Array.from(t.data as ArrayLike<number>);
}

/** The values of a numeric tensor as plain numbers. */
export function asNumbers(t: RtTensor): number[] {
  if (Array.isArray(t.data)) throw new Error(`a ${t.dtype} tensor has no numeric values`);
  if (t.data instanceof BigInt64Array) return Array.from(t.data, (x) => Number(x));
  return Array.from(t.data as ArrayLike<number>);
}

/** Converts numbers into the compute buffer of `dtype`, rounding as that type stores them (fp16 to half, int32 toward zero). */
export function fromNumbers(dtype: MilDtype, shape: number[], values: ArrayLike<number>): RtTensor {
  switch (dtype) {
    case 'fp16': return tensor(dtype, shape, roundHalfInPlace(Float32Array.from(values)));
    case 'fp32': return tensor(dtype, shape, Float32Array.from(values));
    case 'fp64': return tensor(dtype, shape, Float64Array.from(values));
    case 'int32': return tensor(dtype, shape, Int32Array.from(values, (x) => Math.trunc(x)));
    case 'bool': return tensor(dtype, shape, Uint8Array.from(values, (x) => (x ? 1 : 0)));
    default: throw new Error(`cannot compute in ${dtype}`);
  }
}

/** An output buffer for a float dtype: fp16/fp32 → Float32Array (fp16 is rounded to half by the executor), fp64 → Float64Array. */
export function floatOut(dtype: MilDtype, n: number): Float32Array | Float64Array {
  return dtype === 'fp64' ? new Float64Array(n) : new Float32Array(n);
}
