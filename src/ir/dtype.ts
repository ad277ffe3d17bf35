// Element types of IR tensors: names, byte sizes and typed-array constructors.

/** Every element type the IR can hold (the ONNX set; formats map their own codes to these names). */
export const DTYPES = [
  'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16',
  'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn',
  'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1',
] as const;

/** An IR element type. */
export type DType = (typeof DTYPES)[number];

/** Bits per element; `string` has no fixed size (0). */
export const DTYPE_BITS: Readonly<Record<DType, number>> = {
  float32: 32, uint8: 8, int8: 8, uint16: 16, int16: 16, int32: 32, int64: 64, string: 0, bool: 8,
  float16: 16, float64: 64, uint32: 32, uint64: 64, complex64: 64, complex128: 128, bfloat16: 16,
  float8e4m3fn: 8, float8e4m3fnuz: 8, float8e5m2: 8, float8e5m2fnuz: 8, uint4: 4, int4: 4, float4e2m1: 4,
};

/** True for names in {@link DTYPES}. */
export function isDType(x: string): x is DType {
  return (DTYPES as readonly string[]).includes(x);
}

/** Bytes needed to store `count` elements of `dtype` packed (4-bit types pack two per byte). */
export function byteLength(dtype: DType, count: number): number {
  if (dtype === 'string') throw new Error('string tensors have no fixed byte length');
  return Math.ceil((count * DTYPE_BITS[dtype]) / 8);
}

/** Floating-point element types (including the low-precision ones). */
export function isFloat(dtype: DType): boolean {
  return dtype.startsWith('float') || dtype === 'bfloat16';
}

/** A typed array able to hold the values of one dtype. */
export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; BYTES_PER_ELEMENT: number };

/** The typed array that views a dtype's raw little-endian bytes; undefined where none fits (4-bit, string, complex). */
export const TYPED_ARRAY_OF: Partial<Record<DType, TypedArrayCtor>> = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, float16: Uint16Array, bfloat16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  float8e4m3fn: Uint8Array, float8e4m3fnuz: Uint8Array, float8e5m2: Uint8Array, float8e5m2fnuz: Uint8Array,
};
