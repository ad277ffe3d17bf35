// Tensors in host memory and the description of a model's inputs/outputs: shared by data sources, runtimes and evaluation.
import type { DType, TypedArray } from './dtype.ts';
import type { Dim } from './graph.ts';

/** A tensor in host memory, passed to and returned from runtimes. */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

/** Name, element type and (possibly symbolic) shape of a model input or output, as the runtime sees it. */
export interface IoInfo {
  name: string;
  dtype: DType | 'unknown';
  shape: Dim[];
}
