// Fast float16 rounding over float32 buffers: what a Core ML fp16 tensor can hold, as float32 values.
import { halfToFloat } from '../../ir/tensor.ts';

/** float16 bits → float32 value, all 65536 entries (built once). */
let halfTable: Float32Array | undefined;

/** The float32 value of every float16 bit pattern (index = bits). */
export function halfValues(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  return halfTable;
}

/**
 * Rounds every value of `a` to the nearest float16 (ties to even, overflow to ±Infinity, NaN kept), in place.
 * Normal halves round the float32 mantissa from 23 to 10 bits on the bits; subnormal halves (|x| < 2^-14) round to a
 * multiple of 2^-24 through one float32 addition of 0.75 (whose ulp is 2^-24), which rounds to nearest even.
 */
export function roundHalfInPlace(a: Float32Array): Float32Array {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const n = u.length;
  for (let i = 0; i < n; i++) {
    const b = u[i];
    const abs = b & 0x7fffffff;
    if (abs >= 0x38800000) {
      if (abs >= 0x7f800000) continue; // Infinity, NaN
      const r = (abs + 0xfff + ((abs >>> 13) & 1)) & 0xffffe000;
      u[i] = (b & 0x80000000) | (r >= 0x47800000 ? 0x7f800000 : r);
    } else if (abs !== 0) {
      const r = Math.fround(a[i] + 0.75) - 0.75;
      if (r === 0) u[i] = b & 0x80000000; // keeps the sign of zero, as float16 does
      else a[i] = r;
    }
  }
  return a;
}

/** float16 bit patterns → their float32 values. */
export function halfBitsToFloat32(bits: Uint16Array): Float32Array {
  const table = halfValues();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** Float32 values already representable as float16 → their bit patterns (exact; rounds to nearest even otherwise). */
export function float32ToHalfBits(values: Float32Array): Uint16Array {
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = u[i];
    const sign = (b >>> 16) & 0x8000;
    const abs = b & 0x7fffffff;
    if (abs >= 0x7f800000) { out[i] = sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0); continue; }
    if (abs >= 0x38800000) {
      const r = (abs + 0xfff + ((abs >>> 13) & 1)) & 0xffffe000;
      out[i] = r >= 0x47800000 ? sign | 0x7c00 : sign | ((r - 0x38000000) >>> 13);
    } else {
      // Subnormal half: value / 2^-24, rounded to nearest even by the same float32 addition.
      out[i] = sign | Math.round((Math.fround(Math.abs(values[i]) + 0.75) - 0.75) * 16777216);
    }
  }
  return out;
}
