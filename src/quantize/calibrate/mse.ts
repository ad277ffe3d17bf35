// The mse collector: the |x| threshold whose 8-bit quantization has the least mean squared error over the histogram.
import type { Collector, TensorRange } from './calibrator.ts';
import { AbsHistogram, DEFAULT_BINS } from './histogram.ts';

/**
 * Expected squared error (summed over the histogram) of quantizing |x| onto `steps` steps of [0, t]:
 * clipped bins cost (centre - t)²; kept bins cost their centre's rounding error, or step²/12 once a
 * bin is wider than a step (values then spread over several steps).
 */
export function squaredErrorAt(counts: Float64Array, width: number, t: number, steps: number): number {
  const step = t / steps;
  let error = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i];
    if (n === 0) continue;
    const centre = (i + 0.5) * width;
    if (centre > t) error += n * (centre - t) ** 2;
    else if (width >= step) error += (n * step * step) / 12;
    else error += n * (centre - Math.round(centre / step) * step) ** 2;
  }
  return error;
}

/**
 * Range [-t, t] (clipped to the observed min/max) minimising quantization MSE: 127 steps a side for signed
 * tensors (int8), 255 when no value was negative (uint8 over [0, t]).
 */
export class MseCollector implements Collector {
  private readonly histogram: AbsHistogram;

  constructor(bins = DEFAULT_BINS) {
    this.histogram = new AbsHistogram(bins);
  }

  observe(values: Float32Array): void {
    this.histogram.observe(values);
  }

  range(): TensorRange {
    const h = this.histogram;
    if (h.total === 0) throw new Error('mse: no finite values observed');
    if (h.edge === 0) return h.clippedRange(0);
    const steps = h.min >= 0 ? 255 : 127;
    let best = h.bins;
    let bestError = Infinity;
    for (let cut = 1; cut <= h.bins; cut++) {
      const error = squaredErrorAt(h.counts, h.width, cut * h.width, steps);
      if (error < bestError) {
        bestError = error;
        best = cut;
      }
    }
    return h.clippedRange(best * h.width);
  }
}
