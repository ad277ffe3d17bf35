// float32 → float16 bits with round-to-nearest-even (as numpy's astype(float16)), saturating to ±65504 on request.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest finite float16. */
export const FLOAT16_MAX = 65504;

/** IEEE half-precision bits of `x`, rounded to nearest even; out-of-range values become ±Infinity. */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/** Converts float32 values to float16 bits, clamping to ±65504; returns the bits and how many values were clamped. */
export function toFloat16(values: ArrayLike<number>): { bits: Uint16Array; clamped: number; maxAbs: number } {
  const bits = new Uint16Array(values.length);
  let clamped = 0;
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > FLOAT16_MAX && Number.isFinite(v)) {
      v = v > 0 ? FLOAT16_MAX : -FLOAT16_MAX;
      clamped++;
    }
    bits[i] = floatToHalf(v);
  }
  return { bits, clamped, maxAbs };
}
