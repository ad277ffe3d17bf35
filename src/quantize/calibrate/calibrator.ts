// Calibration contract: observe activation values over a dataset and compute a range per tensor.

/** A range of real values a tensor takes, which a quantizer maps onto its integer grid. */
export interface TensorRange {
  min: number;
  max: number;
}

/** Calibration methods: plain min/max, a percentile of |x|, KL-divergence (entropy), or least squared error. */
export const CALIBRATION_METHODS = ['minmax', 'percentile', 'entropy', 'mse'] as const;
/** A calibration method name. */
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** Watches one tensor's values batch by batch and proposes a range; memory stays bounded (at most a histogram). */
export interface Collector {
  /** Take in one batch of values (NaN and ±Infinity are ignored). */
  observe(values: Float32Array): void;
  /** The range for the values seen so far; throws if nothing finite was seen. */
  range(): TensorRange;
}
