// Each TS constant-folding kernel gives bit-identical results to onnxruntime on the same node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../src/ir/graph.ts';
import type { DType, TypedArray } from '../../src/ir/dtype.ts';
import { makeTensor, tensorBytes, type Tensor } from '../../src/ir/tensor.ts';
import { toAttribute, type AttrValue } from '../../src/ir/builder.ts';
import { KERNELS } from '../../src/passes/constant-eval/kernels.ts';
import { fromTensor } from '../../src/passes/constant-eval/ndarray.ts';
import { ortEvaluator } from '../../src/runtimes/ort-node-evaluator.ts';

type In = [DType, number[], TypedArray];
interface Case { op: string; opset?: number; inputs: (In | null)[]; attrs?: Record<string, AttrValue>; outputs?: number }

const f32 = (dims: number[], v: number[]): In => ['float32', dims, Float32Array.from(v)];
const i64 = (dims: number[], v: number[]): In => ['int64', dims, BigInt64Array.from(v, BigInt)];
const i32 = (dims: number[], v: number[]): In => ['int32', dims, Int32Array.from(v)];
const seq = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => (i - n / 3) * scale);
const BIG = 2 ** 62;

const CASES: Record<string, Case> = {
  'Gather axis 1, negative and 2-D indices': { op: 'Gather', inputs: [f32([2, 3, 2], seq(12, 0.7)), i64([2, 2], [-1, 0, 2, 1])], attrs: { axis: 1 } },
  'Gather scalar index (shape element)': { op: 'Gather', inputs: [i64([4], [1, 3, 224, 224]), i64([], [2])], attrs: { axis: 0 } },
  'Slice negative step, clamped ends': { op: 'Slice', opset: 13, inputs: [f32([3, 5], seq(15)), i64([2], [-1, 10]), i64([2], [-BIG, -7]), i64([2], [0, 1]), i64([2], [-1, -2])] },
  'Slice no axes/steps': { op: 'Slice', opset: 13, inputs: [i64([6], seq(6)), i64([1], [1]), i64([1], [-1])] },
  'Slice opset 9 attributes': { op: 'Slice', opset: 9, inputs: [f32([2, 4], seq(8))], attrs: { starts: [1], ends: [1000], axes: [1] } },
  'Concat axis -1': { op: 'Concat', inputs: [f32([2, 1], [1, 2]), f32([2, 3], seq(6))], attrs: { axis: -1 } },
  'Concat int64 shapes': { op: 'Concat', inputs: [i64([1], [1]), i64([2], [-1, 8]), i64([0], [])], attrs: { axis: 0 } },
  'Transpose perm': { op: 'Transpose', inputs: [f32([2, 3, 4], seq(24))], attrs: { perm: [2, 0, 1] } },
  'Transpose default reverse': { op: 'Transpose', inputs: [i32([2, 3], seq(6))] },
  'Unsqueeze opset 13 input axes': { op: 'Unsqueeze', opset: 13, inputs: [f32([3], [1, 2, 3]), i64([2], [0, -1])] },
  'Unsqueeze opset 11 attribute': { op: 'Unsqueeze', opset: 11, inputs: [i64([], [7])], attrs: { axes: [0] } },
  'Squeeze all ones': { op: 'Squeeze', opset: 13, inputs: [f32([1, 3, 1], [1, 2, 3])] },
  'Squeeze axes input': { op: 'Squeeze', opset: 13, inputs: [f32([1, 3, 1], [1, 2, 3]), i64([1], [-1])] },
  'Reshape 0 and -1': { op: 'Reshape', opset: 14, inputs: [f32([2, 3, 4], seq(24)), i64([3], [0, -1, 2])] },
  'Cast float → int32 (truncation)': { op: 'Cast', inputs: [f32([5], [-2.7, -0.5, 0.5, 2.9, 1e6])], attrs: { to: 6 } },
  'Cast float → int64': { op: 'Cast', inputs: [f32([3], [-3.9, 0, 7.99])], attrs: { to: 7 } },
  'Cast int64 → float': { op: 'Cast', inputs: [i64([3], [-5, 0, 123456789])], attrs: { to: 1 } },
  'Cast float → bool': { op: 'Cast', inputs: [f32([3], [0, -0.1, 2])], attrs: { to: 9 } },
  'Cast int64 → int32': { op: 'Cast', inputs: [i64([2], [-7, 2 ** 40 + 5])], attrs: { to: 6 } },
  'Add int64 broadcast': { op: 'Add', inputs: [i64([2, 1], [1, 2]), i64([3], [10, 20, 30])] },
  'Sub float': { op: 'Sub', inputs: [f32([3], [0.1, 0.2, 0.3]), f32([], [0.7])] },
  'Mul float broadcast': { op: 'Mul', inputs: [f32([2, 3], seq(6, 0.37)), f32([3], [1.1, -2.3, 1e-3])] },
  'Mul int32 overflow wraps': { op: 'Mul', inputs: [i32([2], [2 ** 30, -3]), i32([2], [5, 7])] },
  'Div int64 truncates': { op: 'Div', inputs: [i64([4], [7, -7, 7, -7]), i64([4], [2, 2, -2, -2])] },
  'Div int32 truncates': { op: 'Div', inputs: [i32([3], [9, -9, 1]), i32([], [4])] },
  'Div float': { op: 'Div', inputs: [f32([3], [1, 2, 3]), f32([3], [3, 7, 0.1])] },
  'Range float accumulates': { op: 'Range', inputs: [f32([], [0.1]), f32([], [2.05]), f32([], [0.3])] },
  'Range int64 negative delta': { op: 'Range', inputs: [i64([], [10]), i64([], [-3]), i64([], [-4])] },
  'ConstantOfShape value': { op: 'ConstantOfShape', inputs: [i64([2], [2, 3])], attrs: { value: makeTensor('v', 'int64', [1], new BigInt64Array([-4n])) } },
  'ConstantOfShape default': { op: 'ConstantOfShape', inputs: [i64([1], [4])] },
  'Identity': { op: 'Identity', inputs: [i64([2], [3, 4])] },
};

function tensorOf(name: string, [dtype, dims, data]: In): Tensor {
  return makeTensor(name, dtype, dims, data);
}

for (const [title, c] of Object.entries(CASES)) {
  test(`kernel ${title} matches onnxruntime`, async () => {
    const opset = c.opset ?? 17;
    const names = c.inputs.map((x, i) => (x ? `in${i}` : ''));
    const node: Node = {
      op: c.op, domain: '', name: 'n', inputs: names, outputs: ['out'],
      attributes: new Map(Object.entries(c.attrs ?? {}).map(([k, v]) => [k, toAttribute(k, v)])),
    };
    const tensors = new Map(c.inputs.flatMap((x, i) => (x ? [[names[i], tensorOf(names[i], x)] as const] : [])));
    const expected = await ortEvaluator(node, tensors, { opsets: [{ domain: '', version: opset }], irVersion: 8 });
    assert.ok(expected?.[0], 'onnxruntime evaluates the case');
    const arrays = names.map((n) => (n ? fromTensor(tensors.get(n)!) : undefined));
    const got = KERNELS[c.op](node, arrays, { opset, shapeOf: () => undefined, maxElements: 1 << 20 });
    assert.ok(got, 'the TS kernel handles the case');
    assert.equal(got[0].dtype, expected[0].dtype);
    assert.deepEqual(got[0].dims, expected[0].dims);
    const bytes = new Uint8Array(got[0].data.buffer, got[0].data.byteOffset, got[0].data.byteLength);
    assert.deepEqual([...bytes], [...tensorBytes(expected[0])]);
  });
}

test('Concat kernel declines parts that disagree outside the axis, a mixed rank or an axis out of range (found by fuzzing a GRU)', () => {
  const node = (axis: number): Node => ({ op: 'Concat', domain: '', name: 'n', inputs: ['a', 'b'], outputs: ['out'], attributes: new Map([['axis', toAttribute('axis', axis)]]) });
  const run = (axis: number, a: In, b: In) => KERNELS.Concat(node(axis), [fromTensor(tensorOf('a', a)), fromTensor(tensorOf('b', b))], { opset: 17, shapeOf: () => undefined, maxElements: 1 << 20 });
  assert.equal(run(0, f32([1, 2], [1, 2]), f32([1, 3], seq(3))), undefined);
  assert.equal(run(0, f32([2], [1, 2]), f32([1, 2], [3, 4])), undefined);
  assert.equal(run(0, f32([], [1]), f32([], [2])), undefined);
  assert.deepEqual(run(0, f32([1, 2], [1, 2]), f32([1, 2], [3, 4]))?.[0].dims, [2, 2]);
});

test('Shape kernel reads a static shape with start/end; declines symbolic dims', () => {
  const node: Node = { op: 'Shape', domain: '', name: 's', inputs: ['x'], outputs: ['y'], attributes: new Map([['start', toAttribute('start', 1)], ['end', toAttribute('end', -1)]]) };
  const ctx = (shape: (number | string)[]) => ({ opset: 15, shapeOf: () => shape, maxElements: 100 });
  const out = KERNELS.Shape(node, [undefined], ctx([1, 3, 32, 48]));
  assert.deepEqual(Array.from(out![0].data as BigInt64Array, Number), [3, 32]);
  assert.equal(KERNELS.Shape(node, [undefined], ctx(['batch', 3, 32, 48])), undefined);
});
