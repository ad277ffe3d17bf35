// The models a task evaluation runs: one session each (reference first), batched rows split apart, all released together.
import type { DataSource } from '../../data/source.ts';
import { UsageError } from '../../errors.ts';
import { formatNameOf } from '../../formats/registry.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { acceptAnyBatch } from '../../runtimes/any-batch.ts';
import { resolveRuntime } from '../../runtimes/registry.ts';
import type { RuntimeSession } from '../../runtimes/runtime.ts';
import { asNumbers } from '../compare.ts';

/** A loaded model: its path and session. */
export interface TaskModel {
  path: string;
  session: RuntimeSession;
}

/** Loads `paths` in order (the reference first), each on `runtime` or the first runtime for its format. */
export async function loadTaskModels(paths: readonly string[], options: { runtime?: string; threads?: number } = {}): Promise<TaskModel[]> {
  const models: TaskModel[] = [];
  try {
    for (const path of paths) {
      const runtime = await resolveRuntime({ name: options.runtime, format: await formatNameOf(path) });
      models.push({ path, session: acceptAnyBatch(await runtime.load(path, { threads: options.threads })) });
    }
    return models;
  } catch (e) {
    await releaseTaskModels(models);
    throw e;
  }
}

/** Releases every session. */
export async function releaseTaskModels(models: readonly TaskModel[]): Promise<void> {
  for (const m of models) await m.session.release();
}

/** A float output as float32 values (float16 decoded, integers widened); strings and booleans are left out. */
export function floatOutputs(outputs: Readonly<Record<string, HostTensor>>): Record<string, { dims: number[]; data: Float32Array }> {
  const out: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(outputs)) {
    const v = asNumbers(t);
    if (v) out[name] = { dims: t.dims, data: v instanceof Float32Array ? v : Float32Array.from(v) };
  }
  return out;
}

/** Row `row` of `rows` batched float outputs as batch-1 tensors ([1, ...rest]), sharing the batch's memory. */
export function outputRow(outputs: Readonly<Record<string, { dims: number[]; data: Float32Array }>>, row: number, rows: number): Record<string, { dims: number[]; data: Float32Array }> {
  const out: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(outputs)) {
    const n = t.data.length / rows;
    out[name] = { dims: [1, ...t.dims.slice(1)], data: t.data.subarray(row * n, (row + 1) * n) };
  }
  return out;
}

/** Float outputs of one example, as a batch-1 tensor per output name. */
export type ExampleOutputs = Record<string, { dims: number[]; data: Float32Array }>;

/**
 * Runs every model on each batch of `source` (at most `limit` examples) and calls `visit` once per example with that
 * example's outputs from each model (in `models` order) and its index. Each model is fed the inputs it names.
 * @throws UsageError naming the model when the data gives none of an input it needs.
 */
export async function forEachExample(models: readonly TaskModel[], source: DataSource, options: { limit?: number; batchSize?: number }, visit: (outputs: ExampleOutputs[], index: number) => void): Promise<number> {
  let index = 0;
  for await (const batch of source.batches(options.batchSize ?? 32, options.limit)) {
    const rows = Object.values(batch.inputs)[0]?.dims[0] ?? 0;
    const outs: Record<string, { dims: number[]; data: Float32Array }>[] = [];
    for (const m of models) {
      const feeds: Record<string, HostTensor> = {};
      for (const info of m.session.inputs) {
        const t = batch.inputs[info.name];
        if (!t) throw new UsageError(`the data gives no input '${info.name}' (it gives ${Object.keys(batch.inputs).join(', ') || 'nothing'})`, { file: m.path });
        feeds[info.name] = t;
      }
      outs.push(floatOutputs(await m.session.run(feeds)));
    }
    for (let r = 0; r < rows; r++) visit(outs.map((o) => outputRow(o, r, rows)), index++);
  }
  return index;
}
