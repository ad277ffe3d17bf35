// A fixed-size histogram of |x| that re-bins exactly when later batches reach further out, plus min/max.
import { MinMaxCollector } from './minmax.ts';

/** Default bin count, as TensorRT's and ORT's entropy calibrators use. */
export const DEFAULT_BINS = 2048;

/**
 * Histogram of |x| over [0, edge) in `bins` equal bins. When a value beyond `edge` arrives, the edge grows
 * by the smallest integer factor k that covers it and each k adjacent bins merge into one: counts stay
 * exact, memory stays `bins` numbers. Also tracks the signed min and max.
 */
export class AbsHistogram {
  readonly counts: Float64Array;
  /** Upper edge of the last bin (0 until a non-zero value is seen). */
  edge = 0;
  /** Finite values counted. */
  total = 0;
  private readonly minmax = new MinMaxCollector();

  constructor(readonly bins = DEFAULT_BINS) {
    this.counts = new Float64Array(bins);
  }

  /** Width of one bin. */
  get width(): number {
    return this.edge / this.bins;
  }

  /** Signed min and max of the finite values seen. */
  get min(): number {
    return this.minmax.range().min;
  }
  get max(): number {
    return this.minmax.range().max;
  }

  observe(values: Float32Array): void {
    this.minmax.observe(values);
    let peak = 0;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (a > peak && a !== Infinity) peak = a;
    }
    if (peak > 0 && this.edge === 0) this.edge = peak;
    else if (peak > this.edge && this.edge > 0) this.grow(peak);
    const { counts, bins } = this;
    const perUnit = this.edge > 0 ? bins / this.edge : 0;
    let counted = 0;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (!(a < Infinity)) continue; // NaN, ±Infinity
      counts[Math.min(bins - 1, Math.floor(a * perUnit))]++;
      counted++;
    }
    this.total += counted;
  }

  /** Widen to cover `peak`, merging bins k at a time. */
  private grow(peak: number): void {
    const k = Math.floor(peak / this.edge) + 1;
    const { counts, bins } = this;
    for (let i = 0; i < bins; i++) {
      let sum = 0;
      for (let j = i * k; j < Math.min(bins, (i + 1) * k); j++) sum += counts[j];
      counts[i] = sum;
    }
    this.edge *= k;
  }

  /** Clip a symmetric threshold `t` to the observed range: [max(min, -t), min(max, t)]. */
  clippedRange(t: number): { min: number; max: number } {
    return { min: Math.max(this.min, -t), max: Math.min(this.max, t) };
  }
}
