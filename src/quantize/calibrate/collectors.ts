// Make the collector for a calibration method by name.
import { UsageError } from '../../errors.ts';
import { CALIBRATION_METHODS, type CalibrationMethod, type Collector } from './calibrator.ts';
import { EntropyCollector } from './entropy.ts';
import { MinMaxCollector } from './minmax.ts';
import { MseCollector } from './mse.ts';
import { DEFAULT_PERCENTILE, PercentileCollector } from './percentile.ts';
import { DEFAULT_BINS } from './histogram.ts';

/** Tuning shared by the histogram methods. */
export interface CollectorOptions {
  /** Percentile of |x| kept by 'percentile' (default 99.999). */
  percentile?: number;
  /** Histogram bins (default 2048). */
  bins?: number;
}

/**
 * A fresh collector for `method`.
 * @throws UsageError for an unknown method or a percentile outside (0, 100].
 */
export function createCollector(method: CalibrationMethod, options: CollectorOptions = {}): Collector {
  const bins = options.bins ?? DEFAULT_BINS;
  switch (method) {
    case 'minmax': return new MinMaxCollector();
    case 'percentile': {
      const p = options.percentile ?? DEFAULT_PERCENTILE;
      if (!(p > 0 && p <= 100)) throw new UsageError(`percentile must be in (0, 100], got ${p}`);
      return new PercentileCollector(p, bins);
    }
    case 'entropy': return new EntropyCollector(undefined, bins);
    case 'mse': return new MseCollector(bins);
    default: throw new UsageError(`unknown calibration method '${method as string}' (expected ${CALIBRATION_METHODS.join(', ')})`);
  }
}
