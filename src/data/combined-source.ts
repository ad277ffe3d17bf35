// Several data sources read side by side as one: each feeds its own inputs, example i of each forms example i.
import { UsageError } from '../errors.ts';
import { newFingerprint } from './batching.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';

/**
 * One source whose batches join the batches of `sources` (which feed disjoint inputs). Counts must agree where known;
 * labels come from the first source that has them.
 * @throws UsageError naming both sources when two feed the same input or hold different numbers of examples
 *   (batches() throws it when a count shows only while reading).
 */
export function combineSources(sources: readonly TypedDataSource[], where?: string): TypedDataSource {
  if (sources.length === 1) return sources[0];
  const owner = new Map<string, TypedDataSource>();
  for (const s of sources) {
    for (const i of s.inputs) {
      const other = owner.get(i.name);
      if (other) throw new UsageError(`input '${i.name}' is fed twice: by ${other.description} and by ${s.description}`, { file: where });
      owner.set(i.name, s);
    }
  }
  const counted = sources.filter((s) => s.count !== undefined);
  const differ = counted.find((s) => s.count !== counted[0].count);
  if (differ) throw new UsageError(`the inputs' data disagree on the number of examples: ${counted[0].description} vs ${differ.description}`, { file: where });
  const labelled = sources.find((s) => s.classNames !== undefined);
  const warning = sources.map((s) => s.warning).find(Boolean);
  return {
    description: sources.map((s) => s.description).join(' + '),
    ...(counted.length ? { count: counted[0].count } : {}),
    ...(labelled ? { classNames: labelled.classNames } : {}),
    ...(warning ? { warning } : {}),
    inputs: sources.flatMap((s) => s.inputs),
    async fingerprint() {
      const hash = newFingerprint();
      for (const s of sources) hash.update(`${await s.fingerprint()}\0`);
      return hash.digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const iterators = sources.map((s) => s.batches(batchSize, limit)[Symbol.asyncIterator]());
      try {
        for (;;) {
          const steps = await Promise.all(iterators.map((it) => it.next()));
          const done = steps.filter((s) => s.done).length;
          if (done === steps.length) return;
          const sizes = steps.map((s) => (s.done ? 0 : batchRows(s.value)));
          if (done > 0 || sizes.some((n) => n !== sizes[0])) {
            const short = sources[sizes.indexOf(Math.min(...sizes))];
            throw new UsageError(`the inputs' data disagree on the number of examples: ${short.description} ran out first`, { file: where });
          }
          const batch: DataBatch = { inputs: {} };
          for (const s of steps) {
            const value = s.value as DataBatch;
            Object.assign(batch.inputs, value.inputs);
            if (value.labels && !batch.labels) batch.labels = value.labels;
          }
          yield batch;
        }
      } finally {
        await Promise.all(iterators.map((it) => it.return?.()));
      }
    },
  };
}

/** Examples in a batch: the first dim of its first tensor. */
function batchRows(batch: DataBatch): number {
  return Object.values(batch.inputs)[0]?.dims[0] ?? 0;
}
