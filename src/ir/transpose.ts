// Row-major tensor data permuted by axes: the one transpose that compile layouts, the TFLite lift and data sources share.
import type { TypedArray } from './dtype.ts';

/** Transposes row-major `data` of shape `dims` so that result dim i is source dim perm[i]; a new array of the same type. */
export function transposeData<T extends TypedArray>(data: T, dims: readonly number[], perm: readonly number[]): T {
  const rank = dims.length;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  if (rank <= 1 || perm.every((a, i) => a === i)) {
    (out as unknown as { set(a: T): void }).set(data);
    return out;
  }
  const srcStrides = new Array<number>(rank);
  srcStrides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) srcStrides[i] = srcStrides[i + 1] * dims[i + 1];
  const outDims = perm.map((a) => dims[a]);
  const strideOf = perm.map((a) => srcStrides[a]);
  const idx = new Array<number>(rank).fill(0);
  const from = data as unknown as ArrayLike<unknown>, to = out as unknown as { [i: number]: unknown };
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    to[o] = from[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += strideOf[d];
      if (idx[d] < outDims[d]) break;
      src -= strideOf[d] * outDims[d];
      idx[d] = 0;
    }
  }
  return out;
}
