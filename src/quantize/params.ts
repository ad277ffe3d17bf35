// Scale / zero-point math of linear quantization (as onnxruntime's quantizer computes it), and float → integer grids.
import type { TensorRange } from './calibrate/calibrator.ts';

/** Integer types a tensor can be quantized to. */
export const QUANT_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint4', 'int4', 'int32'] as const;
/** A quantized integer type. */
export type QuantType = (typeof QUANT_TYPES)[number];

const LIMITS: Record<QuantType, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint4: [0, 15], int4: [-8, 7], int32: [-2147483648, 2147483647],
};

/** Smallest positive normal float32; scales below it count as zero. */
const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * The integer grid [qmin, qmax] used for a type. Symmetric signed grids drop the most negative
 * value (int8 → [-127, 127]) so that zero sits in the middle, as onnxruntime does.
 */
export function quantRange(type: QuantType, symmetric = false): [number, number] {
  const [lo, hi] = LIMITS[type];
  return symmetric && lo < 0 ? [lo + 1, hi] : [lo, hi];
}

/** The full saturation range of a type (what QuantizeLinear clamps to). */
export function typeLimits(type: QuantType): [number, number] {
  return LIMITS[type];
}

/** Rounds half to even, like numpy's `round` and ONNX QuantizeLinear. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Scale and zero point of one quantized tensor (or one channel / block of it). */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Scale and zero point mapping the real range [min, max] (widened to include 0) onto the integer
 * grid of `type`. Symmetric: the range is ±max|x| and the zero point is the grid's middle.
 * A degenerate range (all zeros) gets scale 1, zero point 0.
 */
export function computeParams(range: TensorRange, type: QuantType, symmetric: boolean): QuantParams {
  const [qmin, qmax] = quantRange(type, symmetric);
  let rmin = Math.min(range.min, 0);
  let rmax = Math.max(range.max, 0);
  if (symmetric) {
    const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -absmax;
    rmax = absmax;
  }
  const scale = Math.fround((rmax - rmin) / (qmax - qmin));
  if (!(scale >= FLOAT32_TINY) || !Number.isFinite(scale)) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = symmetric ? roundHalfEven((qmin + qmax) / 2) : clamp(roundHalfEven(qmin - rmin / scale), qmin, qmax);
  return { scale, zeroPoint };
}

/** Quantizes one value: round-half-even(x / scale) + zero point, saturated to the type. */
export function quantizeValue(x: number, p: QuantParams, type: QuantType): number {
  const [lo, hi] = LIMITS[type];
  return clamp(roundHalfEven(Math.fround(x / p.scale)) + p.zeroPoint, lo, hi);
}

/** The real value an integer stands for. */
export function dequantizeValue(q: number, p: QuantParams): number {
  return Math.fround((q - p.zeroPoint) * p.scale);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** A quantized constant: integer values (row-major, as numbers) with per-tensor or per-channel params. */
export interface QuantizedWeight {
  type: QuantType;
  values: Int32Array;
  /** One entry per channel along `axis`, or one entry when per-tensor. */
  params: QuantParams[];
  /** Channel axis, or undefined when per-tensor; for blocked weights, the axis the blocks run along. */
  axis?: number;
  /** Blocked weights: elements per block along `axis`; `params` then follow the scale tensor of `scaleDims` in row-major order. */
  blockSize?: number;
  scaleDims?: number[];
}

/**
 * Quantizes a float tensor per tensor (`axis` undefined) or per channel along `axis`, each
 * slice from its own min/max.
 */
export function quantizeWeight(values: Float32Array, dims: readonly number[], type: QuantType, symmetric: boolean, axis?: number, minScales?: ArrayLike<number>): QuantizedWeight {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const mins = new Float64Array(channels).fill(Infinity);
  const maxs = new Float64Array(channels).fill(-Infinity);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    if (values[i] < mins[c]) mins[c] = values[i];
    if (values[i] > maxs[c]) maxs[c] = values[i];
  }
  const params = Array.from({ length: channels }, (_, c) => computeParams({ min: mins[c], max: maxs[c] }, type, symmetric));
  // A symmetric scale may be raised so that an int32 bias (scale = input scale × weight scale) does not saturate.
  if (minScales && symmetric) params.forEach((p, c) => { if (p.scale < minScales[c]) p.scale = Math.fround(minScales[c]); });
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i], params[channelOf(i)], type);
  return { type, values: out, params, ...(axis === undefined ? {} : { axis }) };
}

/**
 * Blocked quantization (ONNX DequantizeLinear-21 `block_size`): one scale (and zero point) per run of `blockSize`
 * elements along `axis`, so the scale tensor has the weight's dims with dims[axis] → ⌈dims[axis] / blockSize⌉.
 * `minScales` (indexed along `channelAxis`) raise the scales of each channel's blocks, as in {@link quantizeWeight}.
 */
export function quantizeWeightBlocked(values: Float32Array, dims: readonly number[], type: QuantType, symmetric: boolean, axis: number, blockSize: number, channelAxis?: number, minScales?: ArrayLike<number>): QuantizedWeight {
  const scaleDims = dims.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const paramOf = (i: number) => {
    const along = Math.floor(i / inner) % dims[axis];
    const outer = Math.floor(i / (inner * dims[axis]));
    return (outer * scaleDims[axis] + Math.floor(along / blockSize)) * inner + (i % inner);
  };
  const count = scaleDims.reduce((a, b) => a * b, 1);
  const mins = new Float64Array(count).fill(Infinity);
  const maxs = new Float64Array(count).fill(-Infinity);
  const index = Int32Array.from({ length: values.length }, (_, i) => paramOf(i));
  for (let i = 0; i < values.length; i++) {
    if (values[i] < mins[index[i]]) mins[index[i]] = values[i];
    if (values[i] > maxs[index[i]]) maxs[index[i]] = values[i];
  }
  const params = Array.from({ length: count }, (_, p) => computeParams({ min: mins[p], max: maxs[p] }, type, symmetric));
  if (minScales && symmetric && channelAxis !== undefined) {
    const stride = scaleDims.slice(channelAxis + 1).reduce((a, b) => a * b, 1);
    params.forEach((p, j) => {
      const floor = minScales[Math.floor(j / stride) % scaleDims[channelAxis]];
      if (p.scale < floor) p.scale = Math.fround(floor);
    });
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i], params[index[i]], type);
  return { type, values: out, params, axis, blockSize, scaleDims };
}

/** Largest scale of each slice along `channelAxis` of a blocked weight's params (the bias scale of that output channel). */
export function channelScales(q: QuantizedWeight, channelAxis: number): number[] {
  const dims = q.scaleDims ?? [q.params.length];
  const stride = dims.slice(channelAxis + 1).reduce((a, b) => a * b, 1);
  const out = new Array<number>(dims[channelAxis]).fill(0);
  q.params.forEach((p, j) => { const c = Math.floor(j / stride) % dims[channelAxis]; out[c] = Math.max(out[c], p.scale); });
  return out;
}

/** 4-bit integers (int4 −8..7 or uint4 0..15) packed two per byte, low nibble first (ONNX INT4/UINT4 layout). */
export function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 0xf) << ((i & 1) * 4);
  return out;
}

/** Smallest weight scale per channel that keeps `bias / (inputScale × weightScale)` within int32. */
export function minWeightScalesForBias(bias: Float32Array, inputScale: number): Float64Array {
  const out = new Float64Array(bias.length);
  for (let c = 0; c < bias.length; c++) out[c] = (Math.abs(bias[c]) / inputScale / LIMITS.int32[1]) * 1.0001;
  return out;
}

/**
 * Quantizes a bias to int32 with scale = input scale × weight scale (per output channel) and zero
 * point 0, so integer kernels can add it to their int32 accumulators. Returns how many values saturated.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: readonly number[]): { values: Int32Array; scales: Float32Array; saturated: number } {
  const scales = new Float32Array(bias.length);
  const values = new Int32Array(bias.length);
  let saturated = 0;
  for (let c = 0; c < bias.length; c++) {
    let s = Math.fround(inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
    if (!(s >= FLOAT32_TINY)) s = 1;
    scales[c] = s;
    const q = roundHalfEven(Math.fround(bias[c] / s));
    const v = clamp(q, LIMITS.int32[0], LIMITS.int32[1]);
    if (v !== q) saturated++;
    values[c] = v;
  }
  return { values, scales, saturated };
}

/** One row of 4-bit blocks: values packed two per byte (low nibble first), one scale (and zero point) per block. */
export interface Blocked4Bit {
  /** Unsigned 4-bit codes 0..15, packed, `blocks × blockSize / 2` bytes per row. */
  packed: Uint8Array;
  scales: Float32Array;
  /** Unsigned zero points 0..15 (8 for symmetric). */
  zeroPoints: Uint8Array;
}

/**
 * Quantizes `rows` rows of `k` values each to unsigned 4-bit codes in blocks of `blockSize`
 * along the row (the row is zero-padded to whole blocks). Symmetric blocks map the value of
 * largest magnitude to -8 (zero point 8), using the whole grid, as onnxruntime's blockwise quantizer does.
 */
export function quantizeBlocks4(read: (row: number, i: number) => number, rows: number, k: number, blockSize: number, symmetric: boolean): Blocked4Bit {
  const blocks = Math.ceil(k / blockSize);
  const packed = new Uint8Array((rows * blocks * blockSize) / 2);
  const scales = new Float32Array(rows * blocks);
  const zeroPoints = new Uint8Array(rows * blocks);
  const codes = new Uint8Array(blockSize);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const start = b * blockSize;
      const end = Math.min(k, start + blockSize);
      let lo = 0, hi = 0, extreme = 0;
      for (let i = start; i < end; i++) {
        const v = read(r, i);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (Math.abs(v) > Math.abs(extreme)) extreme = v;
      }
      let scale: number, zp: number;
      if (symmetric) {
        scale = Math.fround(extreme / -8);
        zp = 8;
      } else {
        scale = Math.fround((hi - lo) / 15);
        zp = scale === 0 ? 8 : clamp(roundHalfEven(-lo / scale), 0, 15);
      }
      const inv = scale === 0 ? 0 : 1 / scale;
      codes.fill(zp);
      for (let i = start; i < end; i++) codes[i - start] = clamp(roundHalfEven(read(r, i) * inv) + zp, 0, 15);
      const base = ((r * blocks + b) * blockSize) / 2;
      for (let j = 0; j < blockSize; j += 2) packed[base + j / 2] = codes[j] | (codes[j + 1] << 4);
      scales[r * blocks + b] = scale;
      zeroPoints[r * blocks + b] = zp;
    }
  }
  return { packed, scales, zeroPoints };
}

/** Quantizes `values` on given params (per tensor, or per channel along `axis`): integers only, params unchanged. */
export function quantizeOnGrid(values: Float32Array, dims: readonly number[], type: QuantType, params: readonly QuantParams[], axis?: number): Int32Array {
  const channels = params.length;
  const inner = axis === undefined || channels === 1 ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i], params[channels === 1 ? 0 : Math.floor(i / inner) % channels], type);
  return out;
}
