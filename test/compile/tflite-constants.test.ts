// Found by the fuzzer: constants where the TFLite emitter needs computed tensors are listed as unmappable, not a bare Error from the output loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileToTflite } from '../../src/compile/tflite/compile.ts';
import { UnmappableOpsError } from '../../src/compile/unmappable.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';

function unmappable(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof UnmappableOpsError, e instanceof Error ? e.stack : String(e));
    assert.match(e.message, pattern);
    return true;
  };
}

test('a graph output the passes fold to a constant is reported as such', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 4]);
  b.output(b.op('Relu', [x], {}, { name: 'relu' }));
  b.output(b.op('Shape', [x], {}, { name: 'shape', output: 'x_shape' }));
  await assert.rejects(compileToTflite(b.build()), unmappable(/node 'output x_shape' \(output\): is a constant \(folded at compile time\)/));
});

test('an op reading a constant the emitter needs computed names the node and the input', async () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 4]);
  const c = b.initializer('c', 'float32', [1, 4], new Float32Array(4));
  // Floor with a stray second input: onnxruntime will not fold it, so the constant reaches the emitter.
  b.output(b.op('Floor', [c, x], {}, { name: 'floor' }));
  await assert.rejects(compileToTflite(b.build({ inferOutputs: false })), unmappable(/node 'floor' \(Floor\): input 'c' is a constant where the TFLite op needs a computed tensor/));
});
