// transposeTensor / transposedSource: NHWC data permuted to NCHW element by element, other inputs untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transposeTensor, transposedSource } from '../../src/data/transposed-source.ts';
import type { DataSource } from '../../src/data/source.ts';

test('transposeTensor NHWC → NCHW moves every element to its NCHW place (non-square, 2 examples)', () => {
  const [N, H, W, C] = [2, 2, 3, 4];
  const data = Float32Array.from({ length: N * H * W * C }, (_, i) => i);
  const t = transposeTensor({ dtype: 'float32', dims: [N, H, W, C], data }, [0, 3, 1, 2]);
  assert.deepEqual(t.dims, [N, C, H, W]);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    assert.equal(t.data[((n * C + c) * H + h) * W + w], data[((n * H + h) * W + w) * C + c]);
  }
  assert.ok(t.data instanceof Float32Array);
});

test('transposedSource permutes only the named inputs and keeps the description', async () => {
  const source: DataSource = {
    description: 'two inputs', count: 1,
    fingerprint: async () => 'x',
    async *batches() {
      yield { inputs: { img: { dtype: 'float32', dims: [1, 1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) }, n: { dtype: 'int64', dims: [1], data: BigInt64Array.of(7n) } } };
    },
  };
  const t = transposedSource(source, { img: [0, 3, 1, 2] });
  assert.equal(t.description, 'two inputs');
  for await (const b of t.batches(1)) {
    assert.deepEqual(b.inputs.img.dims, [1, 3, 1, 2]);
    assert.deepEqual(Array.from(b.inputs.img.data as Float32Array), [0, 3, 1, 4, 2, 5]);
    assert.equal(b.inputs.n.data[0], 7n);
  }
});
