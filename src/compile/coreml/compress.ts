// Weight compression of an emitted MIL function: conv/linear weights → int8 per-channel (constexpr_affine_dequantize, iOS 16)
// or int4 per-block (constexpr_blockwise_shift_scale, iOS 18), dequantized by Core ML when the model loads.
import type { MilFunction, MilOperation, MilTensorValue, MilValue } from '../../formats/coreml/program.ts';
import { floatToHalf } from '../../ir/half.ts';
import { halfToFloat } from '../../ir/tensor.ts';

/** Weight compression modes. */
export type WeightCompression = 'w8' | 'w4';

/** What compression did. */
export interface CompressionReport {
  mode: WeightCompression;
  /** Weights compressed, and those left alone (too small, or not a conv/linear weight). */
  compressed: number;
  skipped: number;
  /** int4: weights quantized in blocks of 32, 16 or 8 input channels (the others per output channel: no block size divides their input channels). */
  blocked?: number;
  /** Weight bytes before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

/** Weights with fewer elements stay as they are (coremltools' default threshold for weight compression). */
export const MIN_COMPRESSED_ELEMENTS = 2048;
/** int4 block sizes along the input channels, largest first: the first that divides the input channels is used. */
export const INT4_BLOCKS = [32, 16, 8] as const;

const WEIGHT_PARAMS: Record<string, string> = { conv: 'weight', conv_transpose: 'weight', linear: 'weight' };

const str = (s: string): MilValue => ({ type: { dtype: 'string', shape: [] }, data: [s] });

function floatsOf(v: MilTensorValue): Float32Array {
  if (v.type.dtype === 'fp32') return v.data as Float32Array;
  return Float32Array.from(v.data as Uint16Array, halfToFloat);
}

function scaleValue(dtype: 'fp16' | 'fp32', shape: number[], scales: Float32Array): MilTensorValue {
  return { type: { dtype, shape }, data: dtype === 'fp16' ? Uint16Array.from(scales, floatToHalf) : scales };
}

/** The smallest float16 (subnormal): a smaller fp16 scale would round to zero. */
const MIN_HALF_SCALE = 2 ** -24;

/** Scales as the model will hold them (fp16-rounded, never below the smallest half, when the program computes in fp16), never zero. */
function storedScales(dtype: 'fp16' | 'fp32', raw: Float32Array): Float32Array {
  return raw.map((s) => {
    const v = s > 0 ? s : 1;
    return dtype === 'fp16' ? halfToFloat(floatToHalf(Math.max(v, MIN_HALF_SCALE))) : v;
  });
}

/** int8 per-output-channel (axis 0) symmetric quantization of a weight. */
function int8Channelwise(w: Float32Array, shape: number[], dtype: 'fp16' | 'fp32'): { q: Int8Array; scales: Float32Array } {
  const rows = shape[0];
  const cols = w.length / rows;
  const raw = new Float32Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) raw[r] = Math.max(raw[r], Math.abs(w[r * cols + c]) / 127);
  const scales = storedScales(dtype, raw);
  const q = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c] / scales[r])));
  return { q, scales };
}

/** int4 symmetric quantization in blocks of `block` along axis 1 (each block spans the rest of the dims). */
function int4Blockwise(w: Float32Array, shape: number[], block: number, dtype: 'fp16' | 'fp32'): { q: Int8Array; scales: Float32Array } {
  const [rows, inner] = shape;
  const tail = w.length / (rows * inner);
  const blocks = inner / block;
  const raw = new Float32Array(rows * blocks);
  const at = (r: number, i: number, t: number) => (r * inner + i) * tail + t;
  for (let r = 0; r < rows; r++) for (let i = 0; i < inner; i++) for (let t = 0; t < tail; t++) {
    const b = r * blocks + Math.floor(i / block);
    raw[b] = Math.max(raw[b], Math.abs(w[at(r, i, t)]) / 7);
  }
  const scales = storedScales(dtype, raw);
  const q = new Int8Array(w.length);
  for (let r = 0; r < rows; r++) for (let i = 0; i < inner; i++) for (let t = 0; t < tail; t++) {
    const k = at(r, i, t);
    q[k] = Math.max(-8, Math.min(7, Math.round(w[k] / scales[r * blocks + Math.floor(i / block)])));
  }
  return { q, scales };
}

const bytesOf = (v: MilTensorValue) => (v.type.dtype === 'int4' || v.type.dtype === 'uint4' ? Math.ceil(v.data.length / 2) : (v.data as { byteLength: number }).byteLength);

/**
 * Compresses the conv/conv_transpose/linear weights of `fn` in place. `opset` decides the spelling: CoreML6/7 take
 * constexpr_affine_dequantize with its parameters as attributes (as coremltools writes them for iOS 16/17); CoreML8
 * takes constexpr_blockwise_shift_scale with its parameters bound as values (int8 per channel is one block per row).
 * `float32` holds the float32 values of fp16 consts by name, when kept.
 */
export function compressWeights(fn: MilFunction, mode: WeightCompression, opset: string, float32?: ReadonlyMap<string, Float32Array>): CompressionReport {
  const report: CompressionReport = { mode, compressed: 0, skipped: 0, bytesBefore: 0, bytesAfter: 0, ...(mode === 'w4' ? { blocked: 0 } : {}) };
  const producers = new Map<string, number>();
  fn.operations.forEach((op, i) => { if (op.type === 'const') producers.set(op.outputs[0].name, i); });
  const weights = new Set<number>();
  for (const op of fn.operations) {
    const param = WEIGHT_PARAMS[op.type];
    const b = param ? op.inputs[param]?.[0] : undefined;
    const i = b && 'name' in b ? producers.get(b.name) : undefined;
    if (i !== undefined) weights.add(i);
  }
  for (const i of weights) {
    const op = fn.operations[i];
    const val = op.attributes.val as MilTensorValue;
    const dtype = val.type.dtype;
    if ((dtype !== 'fp16' && dtype !== 'fp32') || val.data.length < MIN_COMPRESSED_ELEMENTS || val.type.shape.length < 2) {
      report.skipped++;
      continue;
    }
    const shape = val.type.shape;
    const out = op.outputs[0];
    // Quantize from the float32 weights when the emitter kept them (fp16 consts lose precision the grid need not inherit).
    const w = float32?.get(out.name) ?? floatsOf(val);
    const nameAttr = { name: str(`${out.name}_dequantized`) };
    let replacement: MilOperation;
    let packed: number;
    if (mode === 'w8' && opset !== 'CoreML8') {
      const { q, scales } = int8Channelwise(w, shape, dtype);
      const quantized: MilTensorValue = { type: { dtype: 'int8', shape }, data: q };
      replacement = {
        type: 'constexpr_affine_dequantize', inputs: {}, outputs: [out],
        attributes: {
          ...nameAttr, quantized_data: quantized, zero_point: { type: { dtype: 'int8', shape: [] }, data: Int8Array.of(0) },
          scale: scaleValue(dtype, [shape[0]], scales), axis: { type: { dtype: 'int32', shape: [] }, data: Int32Array.of(0) },
        },
      };
      packed = bytesOf(quantized) + scales.length * (dtype === 'fp16' ? 2 : 4);
    } else {
      const inner = shape[1];
      const block = mode === 'w8' ? inner : INT4_BLOCKS.find((b) => inner % b === 0 && b < inner) ?? inner;
      if (mode === 'w4' && block < inner) report.blocked!++;
      const { q, scales } = mode === 'w8' ? int8Channelwise(w, shape, dtype) : int4Blockwise(w, shape, block, dtype);
      const data: MilTensorValue = { type: { dtype: mode === 'w8' ? 'int8' : 'int4', shape }, data: q };
      const scaleShape = shape.map((d, k) => (k === 0 ? d : k === 1 ? inner / block : 1));
      replacement = {
        type: 'constexpr_blockwise_shift_scale', outputs: [out], attributes: nameAttr,
        inputs: { data: [{ value: data }], scale: [{ value: scaleValue(dtype, scaleShape, scales) }] },
      };
      packed = bytesOf(data) + scales.length * (dtype === 'fp16' ? 2 : 4);
    }
    report.bytesBefore += bytesOf(val);
    report.bytesAfter += packed;
    fn.operations[i] = replacement;
    report.compressed++;
  }
  return report;
}
