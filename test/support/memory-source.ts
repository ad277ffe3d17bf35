// A data source over in-memory examples of one model input (rendered test data: printed lines, pages).
import type { DataSource } from '../../src/data/source.ts';

/** A {@link DataSource} yielding `examples` (each of shape `exampleDims`) as input `input`, in batches. */
export function memorySource(input: string, examples: Float32Array[], exampleDims: number[], name = 'lines'): DataSource {
  return {
    description: `${examples.length} examples`, count: examples.length,
    async fingerprint() { return `${name}-${examples.length}`; },
    async *batches(batchSize: number, limit = examples.length) {
      const n = Math.min(limit, examples.length);
      for (let i = 0; i < n; i += batchSize) {
        const chunk = examples.slice(i, Math.min(n, i + batchSize));
        const data = new Float32Array(chunk.length * chunk[0].length);
        chunk.forEach((x, k) => data.set(x, k * x.length));
        yield { inputs: { [input]: { dtype: 'float32' as const, dims: [chunk.length, ...exampleDims], data } } };
      }
    },
  };
}
