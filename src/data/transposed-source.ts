// A DataSource whose named inputs are permuted on the way out (e.g. NHWC data for a model lifted to NCHW inputs).
import type { HostTensor } from '../ir/host-tensor.ts';
import type { DataSource } from './source.ts';

/** `t` with its axes permuted: output axis i is input axis perm[i]. */
export function transposeTensor(t: HostTensor, perm: readonly number[]): HostTensor {
  const dims = perm.map((p) => t.dims[p]);
  const inStrides = t.dims.map((_, i) => t.dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const src = t.data as unknown as ArrayLike<unknown> & { constructor: new (n: number) => { [i: number]: unknown; length: number } };
  const out = new src.constructor(src.length);
  const idx = new Array<number>(dims.length).fill(0);
  for (let o = 0; o < src.length; o++) {
    let i = 0;
    for (let a = 0; a < dims.length; a++) i += idx[a] * inStrides[perm[a]];
    out[o] = src[i];
    for (let a = dims.length - 1; a >= 0 && ++idx[a] === dims[a]; a--) idx[a] = 0;
  }
  return { ...t, dims, data: out as unknown as HostTensor['data'] };
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
