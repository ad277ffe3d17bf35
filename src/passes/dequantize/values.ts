// The arithmetic of DequantizeLinear on constants: (q − zero point) × scale, per tensor, per axis or per block.
import { GraphError } from '../../errors.ts';
import { elementCount, tensorBytes, tensorValues, type Tensor } from '../../ir/tensor.ts';

/** Integer element types a constant can be dequantized from. */
export const QUANTIZED_DTYPES: ReadonlySet<string> = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'int4', 'uint4']);

/** How the scale and zero point apply along the tensor (ONNX DequantizeLinear's `axis` and `block_size`). */
export interface QuantLayout {
  /** Channel axis for per-axis or blocked scales (negative counts from the end); ignored for a one-element scale. */
  axis?: number;
  /** Elements per block along `axis` (0 or absent: not blocked). */
  blockSize?: number;
}

/** The integer values of a quantized constant as numbers (4-bit types unpacked, low nibble first, int4 sign-extended). */
export function integerValues(t: Tensor): Int32Array {
  const count = elementCount(t.dims);
  if (t.dtype === 'int4' || t.dtype === 'uint4') {
    const bytes = tensorBytes(t);
    if (bytes.byteLength < Math.ceil(count / 2)) throw new GraphError(`tensor '${t.name}': ${bytes.byteLength} bytes for ${count} ${t.dtype} elements`);
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
      out[i] = t.dtype === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
    }
    return out;
  }
  if (!QUANTIZED_DTYPES.has(t.dtype)) throw new GraphError(`tensor '${t.name}' is ${t.dtype}, not a quantized integer type`);
  return Int32Array.from(tensorValues(t) as ArrayLike<number>);
}

/**
 * For every element of a tensor of `dims`, the index of the scale (and zero point) that applies to it.
 * @throws GraphError naming `what` when the scale's shape fits neither per-tensor, per-axis nor blocked use.
 */
export function paramIndex(dims: readonly number[], scaleDims: readonly number[], layout: QuantLayout, what: string): (i: number) => number {
  const scaleCount = elementCount(scaleDims);
  if (scaleCount === 1 && !layout.blockSize) return () => 0;
  const rank = dims.length;
  const given = layout.axis ?? 1;
  const axis = given < 0 ? given + rank : given;
  if (axis < 0 || axis >= rank) throw new GraphError(`${what}: axis ${layout.axis} is out of range for rank ${rank}`);
  const inner = elementCount(dims.slice(axis + 1));
  const size = dims[axis];
  if (!layout.blockSize) {
    if (scaleCount !== size) throw new GraphError(`${what}: ${scaleCount} scales for ${size} channels along axis ${axis}`);
    return (i) => Math.floor(i / inner) % size;
  }
  const bs = layout.blockSize;
  const blocks = Math.ceil(size / bs);
  const expected = dims.map((d, k) => (k === axis ? blocks : d));
  if (scaleDims.length !== rank || scaleDims.some((d, k) => d !== expected[k])) {
    throw new GraphError(`${what}: blocked scale [${scaleDims.join(',')}] should be [${expected.join(',')}] for block size ${bs}`);
  }
  return (i) => {
    const outer = Math.floor(i / (inner * size));
    const a = Math.floor(i / inner) % size;
    return (outer * blocks + Math.floor(a / bs)) * inner + (i % inner);
  };
}

/**
 * Dequantizes an integer constant to float32 as onnxruntime does: `float(q − zero point) × scale`, rounded to float32.
 * @throws GraphError naming `what` for mismatched shapes or types.
 */
export function dequantizeValues(q: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, layout: QuantLayout, what: string): Float32Array {
  if (scale.dtype !== 'float32') throw new GraphError(`${what}: scale is ${scale.dtype}; only float32 scales are dequantized`);
  if (zeroPoint && zeroPoint.dtype !== q.dtype) throw new GraphError(`${what}: values are ${q.dtype} but the zero point is ${zeroPoint.dtype}`);
  const values = integerValues(q);
  const scales = tensorValues(scale) as Float32Array;
  const zps = zeroPoint ? integerValues(zeroPoint) : undefined;
  if (zps && zps.length !== scales.length && zps.length !== 1) throw new GraphError(`${what}: ${zps.length} zero points for ${scales.length} scales`);
  const index = paramIndex(q.dims, scale.dims, layout, what);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const p = index(i);
    out[i] = Math.fround(Math.fround(values[i] - (zps ? zps[zps.length === 1 ? 0 : p] : 0)) * scales[p]);
  }
  return out;
}
