// IR tensors: constant data held in memory as raw bytes, or a lazy handle into an external file.
import { GraphError } from '../errors.ts';
import { byteLength, TYPED_ARRAY_OF, type DType, type TypedArray } from './dtype.ts';

/** Where a lazily loaded tensor's bytes live (e.g. an ONNX external-data file). */
export interface ExternalSource {
  /** Absolute path of the file holding the bytes. */
  path: string;
  /** Location exactly as the model file spelled it (kept for lossless re-writing). */
  location: string;
  offset: number;
  length: number;
  /** Format-specific key/value entries (e.g. ONNX `checksum`) kept for the round trip. */
  extra?: Record<string, string>;
}

/** Tensor payload: raw little-endian bytes, strings, or a lazy handle resolved on demand. */
export type TensorData =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'strings'; values: Uint8Array[] }
  | { kind: 'external'; source: ExternalSource; load: () => Uint8Array };

/** A constant tensor (initializer, attribute value). */
export interface Tensor {
  name: string;
  dtype: DType;
  dims: number[];
  data: TensorData;
  docString?: string;
  /** Opaque per-format fields kept for the round trip (e.g. ONNX `metadata_props`). */
  extra?: Record<string, unknown>;
}

/** Number of elements for the given dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** The tensor's raw bytes, loading them from the external file if needed (not cached). */
export function tensorBytes(t: Tensor): Uint8Array {
  switch (t.data.kind) {
    case 'bytes': return t.data.bytes;
    case 'external': return t.data.load();
    case 'strings': throw new GraphError(`tensor '${t.name}' holds strings, not numbers`);
  }
}

/** Byte size of the tensor's payload without loading it. */
export function tensorByteLength(t: Tensor): number {
  switch (t.data.kind) {
    case 'bytes': return t.data.bytes.byteLength;
    case 'external': return t.data.source.length;
    case 'strings': return t.data.values.reduce((s, v) => s + v.byteLength, 0);
  }
}

/**
 * The tensor's values as a typed array (float16/bfloat16 come back as their raw Uint16 bits).
 * Views the bytes in place when aligned, otherwise copies.
 * @throws GraphError naming the tensor when its dtype has no typed array (string, 4-bit, complex) or its data is short.
 */
export function tensorValues(t: Tensor): TypedArray {
  const Ctor = TYPED_ARRAY_OF[t.dtype];
  if (!Ctor) throw new GraphError(`tensor '${t.name}' is ${t.dtype}, which has no numeric values here`);
  const bytes = tensorBytes(t);
  const count = elementCount(t.dims);
  if (bytes.byteLength < count * Ctor.BYTES_PER_ELEMENT) {
    throw new GraphError(`tensor '${t.name}': ${bytes.byteLength} bytes for ${count} ${t.dtype} elements`);
  }
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, bytes.byteOffset, count);
  const copy = bytes.slice(0, count * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, count);
}

/** The tensor's values as float32 numbers (float16 is decoded); for numeric dtypes. */
export function tensorFloats(t: Tensor): Float32Array {
  const v = tensorValues(t);
  if (v instanceof Float32Array) return v;
  if (t.dtype === 'float16') return Float32Array.from(v as Uint16Array, halfToFloat);
  if (t.dtype === 'bfloat16') return Float32Array.from(v as Uint16Array, (b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float32Array.from(v, (x) => Number(x));
  return Float32Array.from(v as ArrayLike<number>);
}

/** Builds an in-memory tensor from a typed array (the bytes are shared, not copied). */
export function makeTensor(name: string, dtype: DType, dims: number[], values: TypedArray | Uint8Array): Tensor {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const need = byteLength(dtype, elementCount(dims));
  if (bytes.byteLength !== need) {
    throw new Error(`tensor '${name}': ${bytes.byteLength} bytes given, ${need} needed for ${dtype}[${dims.join(',')}]`);
  }
  return { name, dtype, dims: [...dims], data: { kind: 'bytes', bytes } };
}

/** Decodes one IEEE half-precision value from its 16 bits. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
