// Fixed input values (`--input-value`) added to every batch of a data source: such inputs need no data.
import type { HostTensor, IoInfo } from '../ir/host-tensor.ts';
import { tensorValues } from '../ir/tensor.ts';
import type { InputValues } from '../ir/input-values.ts';
import type { DataBatch } from './source.ts';
import { newFingerprint } from './batching.ts';
import type { TypedDataSource } from './typed-source.ts';

/** A fixed value as the host tensor fed to the runtime: the value's own dims (the whole input, not one example). */
export function valueFeed(values: InputValues, name: string): HostTensor {
  const t = values.get(name)!;
  return { dtype: t.dtype, dims: [...t.dims], data: tensorValues(t) };
}

/** The model inputs that have no fixed value (what data must feed). */
export function inputsWithoutValues(inputs: readonly IoInfo[], values: InputValues | undefined): IoInfo[] {
  return values?.size ? inputs.filter((i) => !values.has(i.name)) : [...inputs];
}

/**
 * `source` with every input in `values` fed its value in every batch, as is. A value is a whole input, so a batch holds
 * one run's examples: at most `runSize` (the model's fixed batch, else 1), whatever batch size the caller asks for.
 * The fingerprint covers the values.
 */
export function withInputValues(source: TypedDataSource, values: InputValues | undefined, runSize = 1): TypedDataSource {
  if (!values?.size) return source;
  const names = [...values.keys()];
  const feeds = Object.fromEntries(names.map((n) => [n, valueFeed(values, n)]));
  const described = names.map((n) => `${n}=${describe(feeds[n])}`).join(', ');
  return {
    ...source,
    description: `${source.description}, with ${described}`,
    inputs: [...source.inputs.filter((i) => !values.has(i.name)), ...names.map((n) => ({ name: n, dtype: feeds[n].dtype, shape: feeds[n].dims }))],
    async fingerprint() {
      const hash = newFingerprint().update(await source.fingerprint());
      for (const n of names) hash.update(`\0${n}\0${feeds[n].dtype}\0${feeds[n].dims.join(',')}\0${Array.from(feeds[n].data as ArrayLike<number | bigint>, String).join(',')}`);
      return hash.digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      for await (const batch of source.batches(Math.min(batchSize, runSize), limit)) yield { ...batch, inputs: { ...batch.inputs, ...feeds } };
    },
  };
}

/** A short text for a value: the number when every element is the same, else its dims. */
function describe(t: HostTensor): string {
  const first = t.data[0];
  const uniform = Array.prototype.every.call(t.data, (v: number | bigint) => v === first);
  return uniform ? `${String(first)}${t.dims.length ? ` (all of [${t.dims.join(',')}])` : ''}` : `[${t.dims.join(',')}] values`;
}
