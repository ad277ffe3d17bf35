// Check that a data source fits a model's inputs (names, dtypes, shapes), converting float64 to float32 where asked and unwrapping whole-input examples.
import { UsageError } from '../errors.ts';
import type { Dim } from '../ir/graph.ts';
import type { IoInfo } from '../ir/host-tensor.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';

/** What data is opened for; it names the data in messages. */
export type DataPurpose = 'calibration' | 'evaluation';

/** `[N,1,28,28]`, with '?' for unknown dims. */
export function formatDims(shape: readonly Dim[]): string {
  return `[${shape.map((d) => d ?? '?').join(',')}]`;
}

/** Why `got` cannot feed `want`, or undefined if it can (dim 0 is the batch and always fits). */
function mismatch(want: IoInfo, got: IoInfo): string | undefined {
  const dtypeOk = got.dtype === want.dtype || (got.dtype === 'float64' && want.dtype === 'float32') || want.dtype === 'unknown';
  const rankOk = want.shape.length === got.shape.length;
  const dimsOk = (rankOk && want.shape.every((d, i) => i === 0 || typeof d !== 'number' || d === got.shape[i])) || isWholeInput(want, got);
  if (dtypeOk && dimsOk) return undefined;
  return `input '${want.name}' expects ${want.dtype} ${formatDims(want.shape)}, the data gives ${got.dtype} ${formatDims(got.shape)}`;
}

/**
 * True when each example of `got` is a whole model input (data [N, ...input dims], e.g. [N] for a scalar `sr` or
 * [N,2,1,64] for a state [2,1,64]): such examples are fed one per run, without a leading batch dim.
 */
function isWholeInput(want: IoInfo, got: IoInfo): boolean {
  return got.shape.length === want.shape.length + 1 && want.shape.every((d, i) => typeof d !== 'number' || d === got.shape[i + 1]);
}

/** Feeds of whole-input examples without their example dim; more than one example per run cannot be fed. */
function unwrapWholeInputs(batch: DataBatch, names: readonly string[], purpose: DataPurpose): DataBatch {
  const inputs = { ...batch.inputs };
  for (const name of names) {
    const t = inputs[name];
    if (t.dims[0] !== 1) {
      throw new UsageError(`${purpose} data gives input '${name}' whole per example ([N${t.dims.slice(1).map((d) => `,${d}`).join('')}]), so it can feed only one example per run, got a batch of ${t.dims[0]} (use batch size 1)`);
    }
    inputs[name] = { ...t, dims: t.dims.slice(1) };
  }
  return { ...batch, inputs };
}

/**
 * Return `source` checked against `modelInputs`: every model input fed, no extra inputs, dtypes equal
 * (float64 data is converted to float32 when the model wants float32) and every fixed dim after the first equal.
 * @throws UsageError naming the input, the expected and the given dtype/shape (and `file`, if given);
 *   the message calls the data by its `purpose` ("evaluation data does not fit the model: …").
 */
export function fitToModel(source: TypedDataSource, modelInputs: readonly IoInfo[], file?: string, purpose: DataPurpose = 'calibration'): TypedDataSource {
  const given = new Map(source.inputs.map((i) => [i.name, i]));
  const problems: string[] = [];
  for (const want of modelInputs) {
    const got = given.get(want.name);
    if (!got) problems.push(`the data has nothing for model input '${want.name}' (it feeds ${[...given.keys()].map((n) => `'${n}'`).join(', ')}; a fixed value can be given with --input-value ${want.name}=…)`);
    else {
      const why = mismatch(want, got);
      if (why) problems.push(why);
    }
  }
  const wanted = new Set(modelInputs.map((i) => i.name));
  for (const name of given.keys()) if (!wanted.has(name)) problems.push(`the data feeds '${name}', which is not a model input (inputs: ${[...wanted].join(', ')})`);
  if (problems.length > 0) throw new UsageError(`${purpose} data does not fit the model: ${problems.join('; ')}`, { file });
  const convert = modelInputs.filter((w) => w.dtype === 'float32' && given.get(w.name)!.dtype === 'float64').map((w) => w.name);
  const whole = modelInputs.filter((w) => isWholeInput(w, given.get(w.name)!)).map((w) => w.name);
  if (convert.length === 0 && whole.length === 0) return source;
  return {
    ...source,
    inputs: source.inputs.map((i) => (convert.includes(i.name) ? { ...i, dtype: 'float32' } : i)),
    fingerprint: () => source.fingerprint(),
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      // Whole-input examples are fed one per run.
      for await (const batch of source.batches(whole.length ? 1 : batchSize, limit)) {
        const inputs = { ...batch.inputs };
        for (const name of convert) inputs[name] = { ...inputs[name], dtype: 'float32', data: Float32Array.from(inputs[name].data as Float64Array) };
        yield whole.length ? unwrapWholeInputs({ ...batch, inputs }, whole, purpose) : { ...batch, inputs };
      }
    },
  };
}
