// Sequential MSE: each weight row's clipping range chosen by the layer-output error it leaves on the layer's (quantized) inputs.
import { roundHalfEven, type QuantParams } from '../params.ts';
import type { RowGrid } from './gptq.ts';

/** Fractions of each row's min/max scale tried (1 = min/max, as round-to-nearest uses). */
export const SEQ_MSE_FRACTIONS = [1, 0.97, 0.94, 0.91, 0.88, 0.85, 0.82, 0.79, 0.76, 0.73, 0.7, 0.65, 0.6, 0.55, 0.5];

/** The scales chosen for a weight matrix and the layer-output error before and after. */
export interface SeqMseResult {
  params: QuantParams[];
  /** Mean over rows of eᵀ·H·e with the min/max scales, then with the chosen ones. */
  before: number;
  after: number;
}

/**
 * Above this many columns the search scores a row by H's diagonal only (Σ Hᵢᵢ·eᵢ²): the full eᵀ·H·e costs k² per
 * candidate and row (ResNet-18's 4,608-column convs: minutes per layer).
 */
export const FULL_QUADRATIC_COLUMNS = 1152;

/** eᵀ·H·e for one row's rounding error `e` (length k); its diagonal part alone for wide layers. */
function quadratic(e: Float64Array, h: Float64Array, k: number): number {
  let total = 0;
  if (k > FULL_QUADRATIC_COLUMNS) {
    for (let i = 0; i < k; i++) total += h[i * k + i] * e[i] * e[i];
    return total;
  }
  for (let i = 0; i < k; i++) {
    const ei = e[i];
    if (ei === 0) continue;
    let s = 0;
    const row = i * k;
    for (let j = 0; j < k; j++) s += h[row + j] * e[j];
    total += ei * s;
  }
  return total;
}

/**
 * For each row of `weights` (rows × k, row-major), the scale among {@link SEQ_MSE_FRACTIONS} × its min/max scale that
 * minimises the layer-output error eᵀ·H·e on inputs with second moments `h` (k × k), with round-to-nearest on that
 * scale. Zero points stay (symmetric weights keep 0). A scale below `floor` (the bias's int32 limit) is not tried.
 * Per-tensor grids (one scale for all rows) search one scale for the whole matrix.
 */
export function searchRowScales(weights: ArrayLike<number>, rows: number, k: number, h: Float64Array, grid: RowGrid, floor?: ArrayLike<number>): SeqMseResult {
  const perRow = grid.scales.length > 1;
  const e = new Float64Array(k);
  const errorOf = (r: number, scale: number, zp: number): number => {
    for (let c = 0; c < k; c++) {
      const x = weights[r * k + c];
      let q = roundHalfEven(Math.fround(x / scale)) + zp;
      q = q < grid.min ? grid.min : q > grid.max ? grid.max : q;
      e[c] = x - (q - zp) * scale;
    }
    return quadratic(e, h, k);
  };
  const groups = perRow ? rows : 1;
  const params: QuantParams[] = [];
  let before = 0, after = 0;
  for (let g = 0; g < groups; g++) {
    const base = grid.scales[g], zp = grid.zeroPoints[g];
    const members = perRow ? [g] : Array.from({ length: rows }, (_, r) => r);
    const cost = (s: number) => members.reduce((a, r) => a + errorOf(r, s, zp), 0);
    const first = cost(base);
    let best = { scale: base, error: first };
    for (const f of SEQ_MSE_FRACTIONS.slice(1)) {
      const s = Math.fround(base * f);
      if (floor && s < floor[g]) break;
      const err = cost(s);
      if (err < best.error) best = { scale: s, error: err };
    }
    params.push({ scale: best.scale, zeroPoint: zp });
    before += first;
    after += best.error;
  }
  return { params, before: before / rows, after: after / rows };
}
