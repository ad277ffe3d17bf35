// Run a model over a dataset batch by batch with chosen values exposed, handing each batch's values to a visitor.
import { OndeviceError, UsageError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { DataSource } from '../../data/source.ts';
import { silentProgress, type Progress } from '../../util/progress.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { writeTempModel } from '../../formats/temp-model.ts';
import type { ValueType } from '../../ir/graph.ts';
import { routeOutValues } from './route-out.ts';

/** Options for {@link observeValues}. */
export interface ObserveOptions {
  /** Examples per run (default 32; a model with a fixed batch dim uses that). */
  batchSize?: number;
  /** Examples to use at most (default: all the source has). */
  limit?: number;
  progress?: Progress;
  /** Progress label (default 'observing'). */
  label?: string;
  /** Runtime that executes the model (default 'ort-node'). */
  runtime?: string;
  /** Value types of `model` (saves inferring them again). */
  types?: ReadonlyMap<string, ValueType>;
}

/**
 * A runtime failure on the temp copy of the model as one line: the runtime's first line, without the temp file's path
 * (which is gone by the time it is read).
 */
function runtimeFailure(e: unknown, what: string): OndeviceError {
  // An OndeviceError already has its line breaks escaped: cut at either.
  const message = (e instanceof Error ? e.message : String(e)).split(/\n|\\n/)[0];
  return new OndeviceError(`calibration ${what}: ${message.replace(/Load model from \S+ failed:\s*/, '')}`, { cause: e });
}

/**
 * Runs `model` over `source` and calls `visit(name, tensor)` for each of `names` (graph inputs or any value, also
 * inside If/Loop/Scan bodies) on every batch. Memory holds one batch with its exposed values, never the dataset.
 * @throws UsageError when the data lacks a model input; OndeviceError when the runtime cannot load or run the model.
 */
export async function observeValues(model: Model, source: DataSource, names: readonly string[], visit: (name: string, tensor: HostTensor) => void, options: ObserveOptions = {}): Promise<void> {
  const { batchSize = 32, limit, progress = silentProgress } = options;
  const inputNames = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name)).map((i) => i.name);
  const fetches = names.filter((t) => !inputNames.includes(t));
  const fixedBatch = fixedBatchSize(model);
  const runBatch = fixedBatch ?? batchSize;
  const runtime = await resolveRuntime({ name: options.runtime ?? 'ort-node' });
  // Values inside If/Loop/Scan bodies leave through extra outputs of their control-flow nodes (see route-out.ts).
  const routed = routeOutValues(model, fetches, options.types);
  const temp = await writeTempModel(routed.model);
  const session = await runtime.load(temp.path).catch((e) => {
    temp.dispose();
    throw runtimeFailure(e, 'cannot load the model');
  });
  const total = Math.min(source.count ?? Infinity, limit ?? Infinity);
  progress.start(Number.isFinite(total) ? total : 0, options.label ?? 'observing');
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
      if (fixedBatch !== undefined && n !== fixedBatch) {
        // A short last batch cannot feed a fixed-batch model; with no full batch at all nothing would be observed.
        if (done === 0) throw new UsageError(`the model's batch dimension is fixed at ${fixedBatch} but the calibration data (${source.description}) gives only ${n} example(s) (at most ${limit ?? n} used): give more data, a larger --limit, or --input-shape with batch 1`);
        break;
      }
      const outputs = fetches.length > 0 ? await session.run(feeds, fetches.map((f) => routed.fetch.get(f)!)).catch((e) => { throw runtimeFailure(e, 'cannot run the model'); }) : {};
      for (const name of names) visit(name, outputs[routed.fetch.get(name) ?? name] ?? feeds[name]);
      done += n;
      progress.update(done);
    }
  } finally {
    progress.stop();
    await session.release();
    temp.dispose();
  }
}

/** The batch size the model insists on: its first input's first dim, when that is fixed. */
function fixedBatchSize(model: Model): number | undefined {
  const g = model.graph;
  const first = g.inputs.find((i) => !g.initializers.has(i.name));
  const dim = first?.type.kind === 'tensor' ? first.type.shape?.[0] : undefined;
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
