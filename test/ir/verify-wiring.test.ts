// Found by the fuzzer: graphs the verifier let through and a later stage tripped on (duplicate inputs, wrong bias or scales shapes, int32-wrapped sizes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { verifyGraph } from '../../src/ir/verify.ts';

test('a graph input declared twice is an error naming it', () => {
  const b = new ModelBuilder({ opset: 17 });
  const x = b.input('x', 'float32', [1, 4]);
  b.output(b.op('Relu', [x], {}, { name: 'relu' }));
  const m = b.build({ inferOutputs: false });
  m.graph.inputs.push({ ...m.graph.inputs[0] });
  const errors = verifyGraph(m).filter((i) => i.severity === 'error');
  assert.deepEqual(errors.map((e) => [e.code, e.value, e.message]), [['duplicate-producer', 'x', "graph input 'x' is declared more than once"]]);
});

test('a Conv bias that is not one value per output channel is an error naming the node', () => {
  const cases: [number[], boolean][] = [[[4], true], [[1], false], [[4, 1], false], [[8], false]];
  for (const [dims, ok] of cases) {
    const b = new ModelBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [1, 3, 8, 8]);
    const w = b.initializer('w', 'float32', [4, 3, 3, 3], new Float32Array(4 * 27));
    const bias = b.initializer('bias', 'float32', dims, new Float32Array(dims.reduce((p, d) => p * d, 1)));
    b.output(b.op('Conv', [x, w, bias], {}, { name: 'conv' }));
    const errors = verifyGraph(b.build({ inferOutputs: false })).filter((i) => i.severity === 'error');
    if (ok) assert.deepEqual(errors, [], `[${dims}]`);
    else assert.match(errors[0]?.message ?? '', /node 'conv': Conv: bias \[[\d,]+\] must be 1-D with one value per output channel \(4\)/, `[${dims}]`);
  }
});

test('Upsample/Resize scales must be 1-D with one entry per axis even when their values are not known', () => {
  const b = new ModelBuilder({ opset: 9 });
  const x = b.input('x', 'float32', [16]);
  const s = b.input('s', 'float32', [1, 16, 8, 8]);
  b.output(b.op('Upsample', [x, s], {}, { name: 'up' }));
  const [issue] = verifyGraph(b.build({ inferOutputs: false })).filter((i) => i.severity === 'error');
  assert.equal(issue?.node, 'up');
  assert.match(issue.message, /Upsample: scales \[1,16,8,8\] must be 1-D with 1 entries/);
});

test('a size cast to int32 wraps as the cast does, so a reshape it feeds is checked against what will run', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2 ** 32 + 1, 4]);
  const shape = b.op('Shape', [x], {}, { name: 'shape' });
  const narrow = b.op('Cast', [shape], { to: 6 }, { name: 'to_int32' });
  const wide = b.op('Cast', [narrow], { to: 7 }, { name: 'to_int64' });
  b.output(b.op('Reshape', [x, wide], {}, { name: 'reshape' }));
  const [issue] = verifyGraph(b.build({ inferOutputs: false })).filter((i) => i.severity === 'error');
  assert.equal(issue?.node, 'reshape');
  assert.match(issue.message, /cannot reshape \[4294967297,4\] .* to \[1,4\]/);
});

test('a shape spelled in floats and cast to int64 is known to the verifier, so the reshape it feeds is checked', () => {
  const b = new ModelBuilder({ opset: 13 });
  const x = b.input('x', 'float32', [2, 6]);
  const shape = b.initializer('shape', 'float64', [2], new Float64Array([3, 5.9]));
  const ints = b.op('Cast', [shape], { to: 7 }, { name: 'to_int64' });
  b.output(b.op('Reshape', [x, ints], {}, { name: 'reshape' }));
  const [issue] = verifyGraph(b.build({ inferOutputs: false })).filter((i) => i.severity === 'error');
  assert.equal(issue?.node, 'reshape');
  assert.match(issue.message, /cannot reshape \[2,6\] .* to \[3,5\]/);
});
