// Found by the fuzzer: constants without a typed-array view (4-bit, complex) are left to the evaluator, not thrown on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { foldConstants } from '../../src/passes/fold-constants.ts';

test('Gather over int4 or complex64 constants is not folded by the TypeScript kernels, and does not throw', async () => {
  for (const [dtype, bytes] of [['int4', 2], ['complex64', 32]] as const) {
    const b = new ModelBuilder({ opset: 21 });
    const data = b.addTensor({ name: 'data', dtype, dims: [4], data: { kind: 'bytes', bytes: new Uint8Array(bytes) } });
    const idx = b.initializer('idx', 'int64', [1], new BigInt64Array([1n]));
    b.output(b.op('Gather', [data, idx], { axis: 0 }, { name: 'gather', output: 'y' }));
    const model = b.build({ inferOutputs: false });
    const stats = await foldConstants(model);
    assert.equal(stats.folded, 0, dtype);
    assert.equal(model.graph.nodes.length, 1, dtype);
  }
});
