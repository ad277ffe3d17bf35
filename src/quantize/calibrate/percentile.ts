// The percentile collector: the threshold is a high percentile of |x| (default 99.999), read off a histogram.
import type { Collector, TensorRange } from './calibrator.ts';
import { AbsHistogram, DEFAULT_BINS } from './histogram.ts';

/** Default percentile of |x| kept inside the range. */
export const DEFAULT_PERCENTILE = 99.999;

/** Range [-t, t] (clipped to the observed min/max) where t is the `percentile`-th percentile of |x|. */
export class PercentileCollector implements Collector {
  private readonly histogram: AbsHistogram;

  constructor(readonly percentile = DEFAULT_PERCENTILE, bins = DEFAULT_BINS) {
    if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
    this.histogram = new AbsHistogram(bins);
  }

  observe(values: Float32Array): void {
    this.histogram.observe(values);
  }

  range(): TensorRange {
    const h = this.histogram;
    if (h.total === 0) throw new Error('percentile: no finite values observed');
    const target = (this.percentile / 100) * h.total;
    let cumulative = 0;
    let bin = h.bins - 1;
    for (let i = 0; i < h.bins; i++) {
      cumulative += h.counts[i];
      if (cumulative >= target) {
        bin = i;
        break;
      }
    }
    return h.clippedRange((bin + 1) * h.width);
  }
}
