// Check that a data source fits a model's inputs (names, dtypes, shapes), converting float64 to float32 where asked.
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
  const dimsOk = rankOk && want.shape.every((d, i) => i === 0 || typeof d !== 'number' || d === got.shape[i]);
  if (dtypeOk && dimsOk) return undefined;
  return `input '${want.name}' expects ${want.dtype} ${formatDims(want.shape)}, the data gives ${got.dtype} ${formatDims(got.shape)}`;
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
    if (!got) problems.push(`the data has nothing for model input '${want.name}' (it feeds ${[...given.keys()].map((n) => `'${n}'`).join(', ')})`);
    else {
      const why = mismatch(want, got);
      if (why) problems.push(why);
    }
  }
  const wanted = new Set(modelInputs.map((i) => i.name));
  for (const name of given.keys()) if (!wanted.has(name)) problems.push(`the data feeds '${name}', which is not a model input (inputs: ${[...wanted].join(', ')})`);
  if (problems.length > 0) throw new UsageError(`${purpose} data does not fit the model: ${problems.join('; ')}`, { file });
  const convert = modelInputs.filter((w) => w.dtype === 'float32' && given.get(w.name)!.dtype === 'float64').map((w) => w.name);
  if (convert.length === 0) return source;
  return {
    ...source,
    inputs: source.inputs.map((i) => (convert.includes(i.name) ? { ...i, dtype: 'float32' } : i)),
    fingerprint: () => source.fingerprint(),
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      for await (const batch of source.batches(batchSize, limit)) {
        const inputs = { ...batch.inputs };
        for (const name of convert) inputs[name] = { ...inputs[name], dtype: 'float32', data: Float32Array.from(inputs[name].data as Float64Array) };
        yield { ...batch, inputs };
      }
    },
  };
}
