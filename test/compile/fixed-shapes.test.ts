// Found by the fuzzer: fixed input shapes can expose what symbolic dims hid; compile re-verifies with them and names the shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixInputShapes } from '../../src/compile/prepare.ts';
import { GraphError } from '../../src/errors.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { assertValid } from '../../src/ir/verify.ts';

test('a broadcast valid for symbolic dims but not for the given ones is a GraphError naming the shapes and the node', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['N', 3, 'H', 'W']);
  const k = b.initializer('k', 'float32', [8], new Float32Array(8));
  b.output(b.op('Mul', [x, k], {}, { name: 'mul' }));
  const model = b.build({ inferOutputs: false });
  assert.doesNotThrow(() => assertValid(model));
  assert.throws(() => fixInputShapes(model, { x: [1, 3, 4, 6] }), (e: unknown) => {
    assert.ok(e instanceof GraphError, String(e));
    assert.match(e.message, /^with input shapes x=\[1,3,4,6\]: node 'mul': Mul: cannot broadcast shapes \[1,3,4,6\] and \[8\]/);
    return true;
  });
});
