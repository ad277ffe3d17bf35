// The verifier checks ONNX type constraints and window attributes: a STRING bias, mixed operand types, a float shape or a zero stride names the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphError } from '../../src/errors.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { DType } from '../../src/ir/dtype.ts';
import { assertValid, verifyGraph } from '../../src/ir/verify.ts';

const errorsOf = (m: ReturnType<ModelBuilder['build']>) => verifyGraph(m).filter((i) => i.severity === 'error');

/** x[1,3,8,8] → Conv(w, b: `biasType`) → y. */
function convWithBias(biasType: DType) {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const w = b.initializer('w', 'float32', [4, 3, 3, 3], new Float32Array(4 * 27));
  const bias = biasType === 'string'
    ? b.addTensor({ name: 'bias', dtype: 'string', dims: [4], data: { kind: 'strings', values: ['a', 'b', 'c', 'd'].map((s) => new TextEncoder().encode(s)) } })
    : b.initializer('bias', biasType, [4], new Uint8Array(4 * (biasType === 'int64' ? 8 : 4)));
  b.output(b.op('Conv', [x, w, bias], {}, { name: 'conv' }));
  return b.build({ inferOutputs: false });
}

test('a STRING (or int64) Conv bias is an error naming the node, the input and the types Conv takes', () => {
  for (const dtype of ['string', 'int64'] as const) {
    const [issue, ...rest] = errorsOf(convWithBias(dtype));
    assert.equal(rest.length, 0);
    assert.equal(issue.code, 'inference-error');
    assert.equal(issue.node, 'conv');
    assert.match(issue.message, new RegExp(`input 2 \\('bias'\\) is ${dtype}; Conv takes float16, float32, float64 or bfloat16 there`));
    assert.throws(() => assertValid(convWithBias(dtype)), (e: unknown) => e instanceof GraphError && e.node === 'conv');
  }
  assert.deepEqual(errorsOf(convWithBias('float32')), []);
});

test('operands that must share a type: MatMul of float32 and int64, Where with a float condition, Reshape with a float shape', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [2, 3]);
  const i = b.initializer('i', 'int64', [3, 2], new BigInt64Array(6));
  const c = b.initializer('cond', 'float32', [2, 3], new Float32Array(6));
  const s = b.initializer('shape', 'float32', [1], new Float32Array([6]));
  b.output(b.op('MatMul', [x, i], {}, { name: 'mm' }));
  b.output(b.op('Where', [c, x, x], {}, { name: 'where' }));
  b.output(b.op('Reshape', [x, s], {}, { name: 'reshape' }));
  const issues = errorsOf(b.build({ inferOutputs: false }));
  const byNode = new Map(issues.map((e) => [e.node, e.message]));
  assert.match(byNode.get('mm') ?? '', /MatMul: input dtypes differ: float32 \(input 0\) and int64 \(input 1\)/);
  assert.match(byNode.get('where') ?? '', /Where: input 0 \('cond'\) is float32; Where takes bool there/);
  assert.match(byNode.get('reshape') ?? '', /Reshape: input 1 \('shape'\) is float32; Reshape takes int64 there/);
});

test('window attributes that make no shape: zero strides, negative pads, zero dilations, a zero kernel', () => {
  const cases: [Record<string, number[]>, RegExp][] = [
    [{ strides: [0, 0] }, /strides \[0,0\] must be positive integers/],
    [{ pads: [-5, -5, -5, -5] }, /pads \[-5,-5,-5,-5\] must be non-negative integers/],
    [{ dilations: [0, 1] }, /dilations \[0,1\] must be positive integers/],
    [{ kernel_shape: [0, 0] }, /kernel_shape \[0,0\] must be positive integers/],
  ];
  for (const [attrs, pattern] of cases) {
    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [1, 3, 8, 8]);
    b.output(b.op('MaxPool', [x], { kernel_shape: [2, 2], ...attrs }, { name: 'pool' }));
    const [issue] = errorsOf(b.build({ inferOutputs: false }));
    assert.equal(issue?.node, 'pool', JSON.stringify(attrs));
    assert.match(issue.message, pattern);
  }
});

test('an op that would compute a negative or non-integer dim is an error naming its output', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 3, 8, 8]);
  const w = b.initializer('w', 'float32', [4, 3, 3, 3], new Float32Array(4 * 27));
  b.output(b.op('Conv', [x, w], { dilations: [2 ** 31 - 1, 1] }, { name: 'conv', output: 'y' }));
  const [issue] = errorsOf(b.build({ inferOutputs: false }));
  assert.equal(issue?.node, 'conv');
  assert.match(issue.message, /output 0 \('y'\) would have shape \[1,4,-\d+,6\], which is not a valid shape/);
});
