// Per-op parity of the Core ML compiler: each case is a small ONNX graph run by onnxruntime and, compiled to an ML Program
// (float32 and float16 compute), by the MIL reference executor; the package must also pass the validator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compileToCoreMl } from '../../src/compile/compile.ts';
import { validateCoreMlModel } from '../../src/formats/coreml/validate.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import { runMilProgram } from '../../src/runtimes/coreml/executor.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { seededFloats } from '../../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-ops-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let seed = 300;
const weights = (b: ModelBuilder, name: string, dims: number[]) => b.initializer(name, 'float32', dims, seededFloats(dims.reduce((p, q) => p * q, 1), seed++, -1, 1));
const ints = (b: ModelBuilder, name: string, values: number[]) => b.initializer(name, 'int64', [values.length], BigInt64Array.from(values.map(BigInt)));
const floats = (b: ModelBuilder, name: string, values: number[]) => b.initializer(name, 'float32', [values.length], Float32Array.from(values));

interface OpCase {
  name: string;
  inputs: Record<string, number[]>;
  build: (b: ModelBuilder) => void;
  /** MIL op types the program must use. */
  ops: string[];
  opset?: number;
}

const CASES: OpCase[] = [
  { name: 'Conv 3×3 stride 2, asymmetric pads, dilation 1', inputs: { x: [1, 3, 9, 8] }, ops: ['conv'], build: (b) => b.output(b.op('Conv', ['x', weights(b, 'w', [4, 3, 3, 3]), weights(b, 'b', [4])], { strides: [2, 2], pads: [0, 1, 2, 1] })) },
  { name: 'Conv SAME_LOWER stride 2, grouped; dilated', inputs: { x: [1, 4, 8, 7] }, ops: ['conv'], build: (b) => {
    b.output(b.op('Conv', ['x', weights(b, 'w', [6, 2, 4, 4])], { group: 2, strides: [2, 2], auto_pad: 'SAME_LOWER' }));
    b.output(b.op('Conv', ['x', weights(b, 'w2', [3, 4, 3, 3])], { dilations: [2, 2], pads: [2, 2, 2, 2] }));
  } },
  { name: 'Conv1d stride 2', inputs: { x: [1, 4, 16] }, ops: ['conv'], build: (b) => b.output(b.op('Conv', ['x', weights(b, 'w', [6, 4, 3])], { strides: [2], pads: [1, 1] })) },
  { name: 'ConvTranspose 2×2 stride 2 with bias', inputs: { x: [1, 4, 6, 5] }, ops: ['conv_transpose'], build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [4, 3, 2, 2]), weights(b, 'b', [3])], { strides: [2, 2] })) },
  { name: 'ConvTranspose 3×3 stride 2 pads 1 output_padding 1', inputs: { x: [1, 2, 4, 5] }, ops: ['conv_transpose'], build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })) },
  { name: 'ConvTranspose auto_pad SAME_UPPER', inputs: { x: [1, 2, 4, 5] }, ops: ['conv_transpose'], build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3])], { strides: [2, 2], auto_pad: 'SAME_UPPER' })) },
  { name: 'ConvTranspose output_shape', inputs: { x: [1, 2, 4, 5] }, ops: ['conv_transpose'], build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3])], { strides: [2, 2], output_shape: [8, 10] })) },
  { name: 'MaxPool ceil_mode, AveragePool count_include_pad', inputs: { x: [1, 2, 7, 7] }, ops: ['max_pool', 'avg_pool'], build: (b) => {
    b.output(b.op('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }));
    b.output(b.op('AveragePool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }));
    b.output(b.op('AveragePool', ['x'], { kernel_shape: [2, 2], pads: [1, 1, 0, 0] }));
  } },
  { name: 'Gemm transA alpha beta, broadcast C; MatMul batched and by a constant', inputs: { a: [5, 3], m: [2, 3, 4], n: [2, 4, 6] }, ops: ['linear', 'matmul'], build: (b) => {
    b.output(b.op('Gemm', ['a', weights(b, 'B', [5, 4]), weights(b, 'C', [4])], { transA: 1, alpha: 0.5, beta: 2.5 }));
    b.output(b.op('MatMul', ['m', 'n']));
    b.output(b.op('MatMul', ['m', weights(b, 'W', [4, 3])]));
  } },
  { name: 'activations: Clip variants, LeakyRelu, Elu, HardSigmoid, HardSwish, Softplus, Erf, Gelu, PRelu', inputs: { x: [1, 3, 4, 5] }, ops: ['clip', 'relu6', 'leaky_relu', 'elu', 'sigmoid_hard', 'softplus', 'erf', 'gelu', 'prelu'], opset: 20, build: (b) => {
    b.output(b.op('Clip', ['x', '', b.initializer('hi', 'float32', [], Float32Array.of(0.9))]));
    b.output(b.op('Clip', ['x', b.initializer('z', 'float32', [], Float32Array.of(0)), b.initializer('six', 'float32', [], Float32Array.of(6))]));
    b.output(b.op('Clip', ['x', b.initializer('m', 'float32', [], Float32Array.of(-0.5)), b.initializer('p', 'float32', [], Float32Array.of(0.7))]));
    b.output(b.op('LeakyRelu', ['x'], { alpha: 0.1 }));
    b.output(b.op('Elu', ['x'], { alpha: 0.7 }));
    b.output(b.op('HardSigmoid', ['x'], { alpha: 0.3, beta: 0.4 }));
    b.output(b.op('HardSwish', ['x']));
    b.output(b.op('Softplus', ['x']));
    b.output(b.op('Erf', ['x']));
    b.output(b.op('Gelu', ['x'], { approximate: 'tanh' }));
    b.output(b.op('PRelu', ['x', weights(b, 'slope', [3, 1, 1])]));
    b.output(b.op('PRelu', ['x', weights(b, 'slope5', [5])]));
  } },
  { name: 'Softmax and LogSoftmax over inner axes', inputs: { x: [2, 3, 4] }, ops: ['softmax', 'log'], build: (b) => {
    b.output(b.op('Softmax', ['x'], { axis: 1 }));
    b.output(b.op('LogSoftmax', ['x'], { axis: -1 }));
  } },
  { name: 'elementwise with broadcasting; variadic Max/Mean; Where over a comparison; unary math', inputs: { x: [2, 3, 4], y: [3, 1] }, ops: ['add', 'real_div', 'maximum', 'select', 'greater', 'sqrt'], build: (b) => {
    b.output(b.op('Div', [b.op('Add', ['x', 'y']), b.op('Add', [b.op('Abs', ['y']), b.initializer('one', 'float32', [], Float32Array.of(1))])]));
    b.output(b.op('Max', ['x', 'y', weights(b, 'c', [4])]));
    b.output(b.op('Mean', ['x', 'y']));
    b.output(b.op('Where', [b.op('Greater', ['x', 'y']), 'x', b.op('Neg', ['y'])]));
    b.output(b.op('Sqrt', [b.op('Abs', ['x'])]));
    b.output(b.op('Reciprocal', [b.op('Add', [b.op('Exp', ['x']), 'y'])]));
    b.output(b.op('Pow', [b.op('Abs', ['x']), b.initializer('e', 'float32', [], Float32Array.of(1.5))]));
  } },
  { name: 'norms: InstanceNormalization, LayerNormalization over two axes, LpNormalization', inputs: { x: [1, 3, 4, 5] }, ops: ['instance_norm', 'layer_norm', 'reduce_l2_norm'], opset: 17, build: (b) => {
    b.output(b.op('InstanceNormalization', ['x', weights(b, 's', [3]), weights(b, 'bb', [3])], { epsilon: 1e-3 }));
    b.output(b.op('LayerNormalization', ['x', weights(b, 'g', [4, 5]), weights(b, 'be', [4, 5])], { axis: 2 }));
    b.output(b.op('LpNormalization', ['x'], { axis: 1, p: 2 }));
  } },
  { name: 'reductions (attribute and input axes), ArgMax', inputs: { x: [2, 3, 4] }, ops: ['reduce_mean', 'reduce_sum', 'reduce_max', 'reduce_l2_norm', 'reduce_argmax'], opset: 18, build: (b) => {
    b.output(b.op('ReduceMean', ['x', ints(b, 'a1', [1])], { keepdims: 0 }));
    b.output(b.op('ReduceSum', ['x', ints(b, 'a2', [0, 2])]));
    b.output(b.op('ReduceMax', ['x']));
    b.output(b.op('ReduceL2', ['x', ints(b, 'a3', [-1])]));
    b.output(b.op('Cast', [b.op('ArgMax', ['x'], { axis: 2, keepdims: 0 })], { to: 1 }));
  } },
  { name: 'shape ops: Reshape, Flatten, Transpose, Squeeze/Unsqueeze, Concat, Split, Slice (negative steps), Pad, Gather, Tile, Expand', inputs: { x: [2, 3, 4] }, ops: ['reshape', 'transpose', 'concat', 'split', 'slice_by_index', 'pad', 'gather', 'tile'], build: (b) => {
    b.output(b.op('Reshape', ['x', ints(b, 's1', [4, -1])]));
    b.output(b.op('Flatten', ['x'], { axis: 2 }));
    b.output(b.op('Transpose', ['x'], { perm: [2, 0, 1] }));
    b.output(b.op('Squeeze', [b.op('Unsqueeze', ['x', ints(b, 'u', [0])]), ints(b, 'sq', [0])]));
    b.output(b.op('Concat', ['x', b.op('Neg', ['x'])], { axis: -1 }));
    const [p, q] = b.node('Split', ['x', ints(b, 'sp', [1, 3])], { axis: 2 }, { outputs: 2 });
    b.output(p);
    b.output(q);
    b.output(b.op('Slice', ['x', ints(b, 'st', [-1, 3]), ints(b, 'en', [-100, 0]), ints(b, 'ax', [1, 2]), ints(b, 'sp2', [-1, -2])]));
    b.output(b.op('Slice', ['x', ints(b, 'st2', [1]), ints(b, 'en2', [1000]), ints(b, 'ax2', [2])]));
    b.output(b.op('Pad', ['x', ints(b, 'pads', [0, 1, 2, 0, 2, 1]), b.initializer('pv', 'float32', [], Float32Array.of(0.5))]));
    b.output(b.op('Pad', ['x', ints(b, 'pads2', [0, 0, 1, 0, 0, 2])], { mode: 'reflect' }));
    b.output(b.op('Pad', ['x', ints(b, 'pads3', [0, 1, 1, 0, 1, 1])], { mode: 'edge' }));
    b.output(b.op('Gather', ['x', b.initializer('gi', 'int64', [2, 2], BigInt64Array.of(0n, -1n, 2n, 1n))], { axis: 2 }));
    b.output(b.op('Tile', ['x', ints(b, 'reps', [1, 2, 1])]));
    b.output(b.op('Expand', [weights(b, 'ev', [3, 1]), ints(b, 'es', [2, 3, 4])]));
  } },
  { name: 'Resize: nearest ×2 (asymmetric floor), bilinear half-pixel ×1.5, align-corners, asymmetric', inputs: { x: [1, 2, 4, 6] }, ops: ['upsample_nearest_neighbor', 'resize_bilinear'], build: (b) => {
    const none = '';
    b.output(b.op('Resize', ['x', none, floats(b, 'sc', [1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }));
    b.output(b.op('Resize', ['x', none, none, ints(b, 'sz', [1, 2, 6, 9])], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }));
    b.output(b.op('Resize', ['x', none, none, ints(b, 'sz2', [1, 2, 7, 11])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }));
    b.output(b.op('Resize', ['x', none, floats(b, 'sc2', [1, 1, 2, 2])], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }));
  } },
];

async function ortRun(file: string, feeds: Record<string, HostTensor>): Promise<HostTensor[]> {
  const s = await ortNodeRuntime.load(file, { optimization: 'disabled' });
  try {
    return Object.values(await s.run(feeds));
  } finally {
    await s.release();
  }
}

for (const c of CASES) {
  test(`coreml: ${c.name}`, async () => {
    const b = new ModelBuilder({ opset: c.opset ?? 17 });
    for (const [name, dims] of Object.entries(c.inputs)) b.input(name, 'float32', dims);
    c.build(b);
    const model = b.build();
    const file = join(dir, `${c.name.replace(/\W+/g, '_').slice(0, 40)}.onnx`);
    await writeModel(model, file);
    const feeds: Record<string, HostTensor> = {};
    for (const [name, dims] of Object.entries(c.inputs)) feeds[name] = { dtype: 'float32', dims, data: seededFloats(dims.reduce((p, q) => p * q, 1), seed++, -2, 2) };
    const expected = await ortRun(file, feeds).catch((e: Error) => assert.fail(`onnxruntime: ${e.message}`));
    const figures: string[] = [];
    for (const compute of ['fp32', 'fp16'] as const) {
      const { coreml, report } = await compileToCoreMl(structuredClone(model), { quantize: compute === 'fp32' ? 'none' : 'fp16', compute });
      assert.deepEqual(validateCoreMlModel(coreml), [], `${compute}: validator`);
      for (const op of c.ops) assert.ok(report.ops[op], `${compute}: ${op} not in ${JSON.stringify(report.ops)}`);
      const got = Object.values(runMilProgram(coreml, feeds));
      assert.equal(got.length, expected.length);
      got.forEach((g, i) => {
        assert.deepEqual(g.dims, expected[i].dims, `${compute} output ${i}: dims`);
        const acc = new FidelityAccumulator();
        acc.add(Array.from(expected[i].data as Float32Array, Number), Array.from(g.data as Float32Array, Number));
        const psnr = acc.result().psnr;
        const bar = compute === 'fp32' ? 90 : 45;
        assert.ok(psnr >= bar, `${compute} output ${i}: ${psnr.toFixed(1)} dB < ${bar} dB`);
        figures.push(`${compute}#${i} ${psnr === Infinity ? '∞' : psnr.toFixed(0)}`);
      });
    }
    console.log(`${c.name}: ${figures.join(', ')} dB`);
  });
}
