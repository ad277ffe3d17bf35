// GPTQ weight rounding: quantize a weight matrix column by column, moving each column's rounding error onto the columns not yet quantized through the inverse of the layer's input moments (Frantar et al., 2022).

import { roundHalfEven } from '../params.ts';

/** The integer grid of one weight matrix: a scale and zero point per row (or one for all rows), clamped to [min, max]. */
export interface RowGrid {
  scales: ArrayLike<number>;
  zeroPoints: ArrayLike<number>;
  min: number;
  max: number;
}

/** Integers chosen for a weight matrix and the layer output error they leave, next to plain rounding's. */
export interface GptqResult {
  /** rows × columns, row-major. */
  values: Int32Array;
  /** tr(ΔW·H·ΔWᵀ) / rows with GPTQ's integers: mean squared output error per output channel. */
  error: number;
  /** The same for round-to-nearest. */
  nearestError: number;
}

/** Relative damping added to H's diagonal (as the GPTQ reference implementation). */
const DAMP = 0.01;

/**
 * Rounds `weights` (rows × columns, row-major; not modified) onto `grid` so that the layer's output on inputs with
 * second moments `h` (columns × columns) moves as little as possible. Columns are taken in order of decreasing input
 * energy ("act order"). Falls back to round-to-nearest when H cannot be factored, and never returns integers whose
 * output error exceeds round-to-nearest's.
 */
export function gptqRound(weights: ArrayLike<number>, rows: number, columns: number, h: Float64Array, grid: RowGrid): GptqResult {
  const k = columns;
  const scaleOf = (r: number) => grid.scales[grid.scales.length === 1 ? 0 : r];
  const zeroOf = (r: number) => grid.zeroPoints[grid.zeroPoints.length === 1 ? 0 : r];
  const quantize = (r: number, x: number) => {
    const q = roundHalfEven(Math.fround(x / scaleOf(r))) + zeroOf(r);
    return q < grid.min ? grid.min : q > grid.max ? grid.max : q;
  };
  const nearest = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) nearest[r * k + c] = quantize(r, weights[r * k + c]);
  const nearestError = outputError(weights, nearest, rows, k, h, scaleOf, zeroOf);

  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => h[b * k + b] - h[a * k + a]);
  const hp = new Float64Array(k * k);
  let meanDiag = 0;
  for (let i = 0; i < k; i++) meanDiag += h[i * k + i] / k;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) hp[i * k + j] = h[order[i] * k + order[j]];
  // A column whose input is always zero carries no information: H gets a unit diagonal there, and its weight rounds plainly.
  for (let i = 0; i < k; i++) if (hp[i * k + i] === 0) hp[i * k + i] = 1;
  const u = upperFactorOfInverse(hp, DAMP * (meanDiag || 1));
  if (!u) return { values: nearest, error: nearestError, nearestError };

  const w = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) w[r * k + i] = weights[r * k + order[i]];
  const values = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const row = r * k;
    const s = scaleOf(r), z = zeroOf(r);
    for (let i = 0; i < k; i++) {
      const x = w[row + i];
      const q = quantize(r, x);
      values[row + order[i]] = q;
      const err = (x - (q - z) * s) / u[i * k + i];
      if (err === 0) continue;
      for (let j = i + 1; j < k; j++) w[row + j] -= err * u[i * k + j];
    }
  }
  const error = outputError(weights, values, rows, k, h, scaleOf, zeroOf);
  return error <= nearestError ? { values, error, nearestError } : { values: nearest, error: nearestError, nearestError };
}

/** tr(ΔW·H·ΔWᵀ) / rows for integers `q` standing for `weights`. */
function outputError(weights: ArrayLike<number>, q: Int32Array, rows: number, k: number, h: Float64Array, scaleOf: (r: number) => number, zeroOf: (r: number) => number): number {
  const d = new Float64Array(k);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const s = scaleOf(r), z = zeroOf(r);
    for (let c = 0; c < k; c++) d[c] = (q[r * k + c] - z) * s - weights[r * k + c];
    for (let i = 0; i < k; i++) {
      if (d[i] === 0) continue;
      let acc = 0;
      for (let j = 0; j < k; j++) acc += h[i * k + j] * d[j];
      total += d[i] * acc;
    }
  }
  return total / Math.max(1, rows);
}

/**
 * U, upper triangular, with Uᵀ·U = (H + λI)⁻¹ — the factor GPTQ's column updates read. λ starts at `damp` and grows
 * tenfold while H + λI is not positive definite (up to four times); undefined if it never is.
 */
function upperFactorOfInverse(h: Float64Array, damp: number): Float64Array | undefined {
  const k = Math.round(Math.sqrt(h.length));
  for (let attempt = 0, lambda = damp; attempt < 4; attempt++, lambda *= 10) {
    const a = Float64Array.from(h);
    for (let i = 0; i < k; i++) a[i * k + i] += lambda;
    const l = cholesky(a, k);
    if (!l) continue;
    const inverse = inverseFromCholesky(l, k);
    const l2 = cholesky(inverse, k);
    if (!l2) continue;
    const u = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j <= i; j++) u[j * k + i] = l2[i * k + j];
    return u;
  }
  return undefined;
}

/** Lower L with L·Lᵀ = A (A symmetric, row-major), or undefined when A is not positive definite. */
function cholesky(a: Float64Array, k: number): Float64Array | undefined {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * k + j];
      for (let p = 0; p < j; p++) sum -= l[i * k + p] * l[j * k + p];
      if (i === j) {
        if (!(sum > 0)) return undefined;
        l[i * k + i] = Math.sqrt(sum);
      } else {
        l[i * k + j] = sum / l[j * k + j];
      }
    }
  }
  return l;
}

/** A⁻¹ = L⁻ᵀ·L⁻¹ from A's Cholesky factor L. */
function inverseFromCholesky(l: Float64Array, k: number): Float64Array {
  // M = L⁻¹ (lower), by forward substitution column by column.
  const m = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    m[c * k + c] = 1 / l[c * k + c];
    for (let i = c + 1; i < k; i++) {
      let sum = 0;
      for (let p = c; p < i; p++) sum += l[i * k + p] * m[p * k + c];
      m[i * k + c] = -sum / l[i * k + i];
    }
  }
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let p = i; p < k; p++) sum += m[p * k + i] * m[p * k + j];
      inv[i * k + j] = inv[j * k + i] = sum;
    }
  }
  return inv;
}
