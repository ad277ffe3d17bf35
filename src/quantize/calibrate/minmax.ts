// The minmax collector: the range is the smallest and largest value ever seen.
import type { Collector, TensorRange } from './calibrator.ts';

/** Running min/max of finite values. */
export class MinMaxCollector implements Collector {
  private min = Infinity;
  private max = -Infinity;

  observe(values: Float32Array): void {
    let { min, max } = this;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < min) min = v; // NaN compares false and is skipped
      if (v > max) max = v;
    }
    // ±Infinity would make the range useless: fall back to scanning finite values only.
    if (min === -Infinity || max === Infinity) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isFinite(v)) continue;
        if (v < this.min) this.min = v;
        if (v > this.max) this.max = v;
      }
      return;
    }
    this.min = min;
    this.max = max;
  }

  range(): TensorRange {
    if (this.min > this.max) throw new Error('minmax: no finite values observed');
    return { min: this.min, max: this.max };
  }
}
