// The one bound on tensors sized from a model's declared dims: checked before anything is allocated from them.
import { DTYPE_BITS, type DType } from './dtype.ts';
import type { Dim } from './graph.ts';

/** Largest tensor ondevice allocates from declared dims (2 GiB; also the protobuf and flatbuffer file limit). */
export const MAX_TENSOR_BYTES = 2 ** 31;

/** `[1,3,?,224]`. */
function shapeText(dims: readonly Dim[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

/** `1.5 GiB`, `12 MiB`, ... */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/**
 * Why a tensor of `dims` × `dtype` cannot be allocated, or undefined when it can: a dim that is not a known
 * non-negative integer, or a byte size over {@link MAX_TENSOR_BYTES}. `batch` multiplies the size (a batch of examples).
 */
export function allocationProblem(dims: readonly Dim[], dtype: DType, batch = 1): string | undefined {
  const bad = dims.find((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) return `dim ${bad === null ? '?' : String(bad)} in ${shapeText(dims)} is not a size`;
  const bits = DTYPE_BITS[dtype] || 8;
  let bytes = (batch * bits) / 8;
  for (const d of dims as number[]) bytes *= d;
  if (bytes > MAX_TENSOR_BYTES) {
    return `${dtype}${shapeText(dims)}${batch > 1 ? ` × ${batch} examples` : ''} needs ${formatSize(bytes)}, over the ${formatSize(MAX_TENSOR_BYTES)} limit for one tensor`;
  }
  return undefined;
}
