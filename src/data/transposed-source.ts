// A DataSource whose named inputs are permuted on the way out (e.g. NHWC data for a model lifted to NCHW inputs).
import type { HostTensor } from '../ir/host-tensor.ts';
import { transposeData } from '../ir/transpose.ts';
import type { DataSource } from './source.ts';

/** `t` with its axes permuted: output axis i is input axis perm[i]. */
export function transposeTensor(t: HostTensor, perm: readonly number[]): HostTensor {
  return { ...t, dims: perm.map((p) => t.dims[p]), data: transposeData(t.data, t.dims, perm) };
}

/** `source` with each input named in `perms` permuted by its permutation; other inputs, labels and counts unchanged. */
export function transposedSource<S extends DataSource>(source: S, perms: Readonly<Record<string, readonly number[]>>): S {
  return Object.assign(Object.create(source) as S, {
    async *batches(batchSize: number, limit?: number) {
      for await (const batch of source.batches(batchSize, limit)) {
        const inputs = Object.fromEntries(Object.entries(batch.inputs).map(([name, t]) => [name, perms[name] ? transposeTensor(t, perms[name]) : t]));
        yield { ...batch, inputs };
      }
    },
  });
}
