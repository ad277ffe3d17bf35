// Calibration: run the model with its activations exposed over a dataset, batch by batch, and compute a range per tensor.
import { OndeviceError, UsageError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { DataSource } from '../../data/source.ts';
import { silentProgress, type Progress } from '../../util/progress.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { writeTempModel } from '../../formats/temp-model.ts';
import type { CalibrationMethod, Collector, TensorRange } from './calibrator.ts';
import { createCollector, type CollectorOptions } from './collectors.ts';
import { calibrationTargets } from './select.ts';
import { valueTypes } from '../../ir/expose.ts';
import { routeOutValues } from './route-out.ts';

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

/**
 * A runtime failure on the calibration copy of the model as one line: the runtime's first line, without the temp
 * file's path (which is gone by the time it is read).
 */
function runtimeFailure(e: unknown, what: string): OndeviceError {
  // An OndeviceError already has its line breaks escaped: cut at either.
  const message = (e instanceof Error ? e.message : String(e)).split(/\n|\\n/)[0];
  return new OndeviceError(`calibration ${what}: ${message.replace(/Load model from \S+ failed:\s*/, '')}`, { cause: e });
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
  const { method = 'minmax', batchSize = 32, limit, progress = silentProgress } = options;
  const types = valueTypes(model);
  const targets = calibrationTargets(model, types, options.tensors);
  const collectors = new Map<string, Collector>(targets.map((name) => [name, createCollector(method, options)]));
  const inputNames = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name)).map((i) => i.name);
  const fetches = targets.filter((t) => !inputNames.includes(t));
  const fixedBatch = fixedBatchSize(model);
  const runBatch = fixedBatch ?? batchSize;

  const runtime = await resolveRuntime({ name: options.runtime ?? 'ort-node' });
  // Values inside If/Loop/Scan bodies leave through extra outputs of their control-flow nodes (see route-out.ts).
  const routed = routeOutValues(model, fetches, types);
  const temp = await writeTempModel(routed.model);
  const session = await runtime.load(temp.path).catch((e) => {
    temp.dispose();
    throw runtimeFailure(e, 'cannot load the model');
  });
  const total = Math.min(source.count ?? Infinity, limit ?? Infinity);
  progress.start(Number.isFinite(total) ? total : 0, `calibrating (${method})`);
  try {
    let done = 0;
    for await (const batch of source.batches(runBatch, limit)) {
      const feeds: Record<string, HostTensor> = {};
      for (const name of inputNames) {
        const t = batch.inputs[name];
        if (!t) throw new UsageError(`the calibration data (${source.description}) has nothing for model input '${name}'`);
        feeds[name] = t;
      }
      const n = feeds[inputNames[0]]?.dims[0] ?? runBatch;
      if (fixedBatch !== undefined && n !== fixedBatch) break; // a short last batch cannot feed a fixed-batch model
      const outputs = fetches.length > 0 ? await session.run(feeds, fetches.map((f) => routed.fetch.get(f)!)).catch((e) => { throw runtimeFailure(e, 'cannot run the model'); }) : {};
      for (const [name, collector] of collectors) {
        const values = floats(name, outputs[routed.fetch.get(name) ?? name] ?? feeds[name]);
        // A body value is empty in runs that took the other If branch: nothing to observe.
        if (values.length) collector.observe(values);
      }
      done += n;
      progress.update(done);
    }
  } finally {
    progress.stop();
    await session.release();
    temp.dispose();
  }
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

/** The batch size the model insists on: its first input's first dim, when that is fixed. */
function fixedBatchSize(model: Model): number | undefined {
  const g = model.graph;
  const first = g.inputs.find((i) => !g.initializers.has(i.name));
  const dim = first?.type.kind === 'tensor' ? first.type.shape?.[0] : undefined;
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
