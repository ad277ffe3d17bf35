// Minimal n-d array helpers for evaluating constant subgraphs in TypeScript (index maps, broadcasting).
import { DTYPES, TYPED_ARRAY_OF, type DType, type TypedArray } from '../../ir/dtype.ts';
import { elementCount, makeTensor, tensorValues, type Tensor } from '../../ir/tensor.ts';
import { broadcastDims, stridesOf } from '../../ir/strides.ts';

export { broadcastDims, stridesOf };

/** A constant value during folding: dtype, dims and element values (float16 as raw bits, int64 as bigint). */
export interface NdArray {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

/** Views a tensor as an NdArray (no copy; never mutate the result's data). */
export function fromTensor(t: Tensor): NdArray {
  return { dtype: t.dtype, dims: [...t.dims], data: tensorValues(t) };
}

/** Wraps an NdArray as a named IR tensor (shares the data). */
export function toTensor(name: string, a: NdArray): Tensor {
  return makeTensor(name, a.dtype, a.dims, a.data);
}

/** A zero-filled typed array for `count` elements of `dtype`, or undefined for dtypes without one. */
export function alloc(dtype: DType, count: number): TypedArray | undefined {
  const Ctor = TYPED_ARRAY_OF[dtype];
  return Ctor ? new Ctor(new ArrayBuffer(count * Ctor.BYTES_PER_ELEMENT), 0, count) : undefined;
}

/** The IR dtype of an ONNX TensorProto.DataType code (1 = float32 … 23 = float4e2m1). */
export function dtypeOfCode(code: number): DType | undefined {
  return DTYPES[code - 1];
}

/** Element values as JS numbers (for shapes, axes and indices). */
export function toNumbers(a: NdArray): number[] {
  return Array.from(a.data as ArrayLike<number | bigint>, Number);
}

/** Builds an array of `outDims` where each element is copied from `src.data[sourceIndex(multiIndex)]`. */
export function mapIndices(src: NdArray, outDims: number[], sourceIndex: (idx: number[]) => number): NdArray {
  const n = elementCount(outDims);
  const out = alloc(src.dtype, n)!;
  const idx = new Array<number>(outDims.length).fill(0);
  const from = src.data as unknown as ArrayLike<unknown>;
  const to = out as unknown as unknown[];
  for (let i = 0; i < n; i++) {
    to[i] = from[sourceIndex(idx)];
    for (let d = outDims.length - 1; d >= 0; d--) {
      if (++idx[d] < outDims[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: src.dtype, dims: outDims, data: out };
}

/** Flat index into an array of `dims` (right-aligned, broadcast) for an output multi-index. */
export function broadcastIndexer(dims: readonly number[], outRank: number): (idx: number[]) => number {
  const strides = stridesOf(dims);
  const offset = outRank - dims.length;
  return (idx) => {
    let flat = 0;
    for (let d = 0; d < dims.length; d++) if (dims[d] !== 1) flat += idx[d + offset] * strides[d];
    return flat;
  };
}

/** Normalises a possibly negative axis against `rank`. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
