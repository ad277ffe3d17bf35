// Calibration: observe the model's activations over a dataset, batch by batch, and compute a range per tensor.
import { UsageError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { DataSource } from '../../data/source.ts';
import { silentProgress, type Progress } from '../../util/progress.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import type { CalibrationMethod, Collector, TensorRange } from './calibrator.ts';
import { createCollector, type CollectorOptions } from './collectors.ts';
import { calibrationTargets } from './select.ts';
import { valueTypes } from '../../ir/expose.ts';
import { observeValues } from './observe.ts';

/** Options for {@link calibrate}. */
export interface CalibrateOptions extends CollectorOptions {
  /** Default 'minmax'. */
  method?: CalibrationMethod;
  /** Values to calibrate (default: every float32 graph input and node output). */
  tensors?: string[];
  /** Examples per run (default 32; a model with a fixed batch dim uses that). */
  batchSize?: number;
  /** Examples to use at most (default: all the source has). */
  limit?: number;
  progress?: Progress;
  /** Runtime that executes the model (default 'ort-node'). */
  runtime?: string;
}

/** Values of a float32 host tensor. */
function floats(name: string, t: HostTensor): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new UsageError(`calibration expected float32 values for '${name}', the runtime returned ${t.dtype}`);
  return t.data;
}

/**
 * Range of every calibrated value over the data. Memory holds the model, one batch with its activations,
 * and one collector per value (at most a 2048-bin histogram), never the whole dataset.
 * Values that never held a finite number are left out of the result.
 * @throws UsageError for an unknown method, a bad tensor name, or data that lacks a model input.
 */
export async function calibrate(model: Model, source: DataSource, options: CalibrateOptions = {}): Promise<Map<string, TensorRange>> {
  const { method = 'minmax', progress = silentProgress } = options;
  const types = valueTypes(model);
  const targets = calibrationTargets(model, types, options.tensors);
  const collectors = new Map<string, Collector>(targets.map((name) => [name, createCollector(method, options)]));
  await observeValues(model, source, targets, (name, tensor) => {
    const values = floats(name, tensor);
    // A body value is empty in runs that took the other If branch: nothing to observe.
    if (values.length) collectors.get(name)!.observe(values);
  }, { ...options, progress, label: `calibrating (${method})`, types });
  const ranges = new Map<string, TensorRange>();
  for (const [name, collector] of collectors) {
    try {
      ranges.set(name, collector.range());
    } catch {
      // no finite values seen: leave the value out, the quantizer keeps it in float
    }
  }
  return ranges;
}
