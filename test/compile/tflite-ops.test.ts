// Per-op parity of the TFLite compiler: each case is a small ONNX graph run by onnxruntime and, compiled, by LiteRT.js.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileToTflite, UnmappableOpsError } from '../../src/compile/compile.ts';
import type { DataSource } from '../../src/data/source.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder, attr } from '../../src/ir/builder.ts';
import { closeLiteRt, litertRuntime } from '../../src/runtimes/litert.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { HostTensor } from '../../src/runtimes/runtime.ts';
import { seededFloats } from '../../src/util/random.ts';
import { compare, runFeeds as run } from './parity.ts';

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ondevice-tflite-ops-')); });
after(async () => {
  await closeLiteRt();
  rmSync(dir, { recursive: true, force: true });
});

/** A graph builder helper: seeded float weights. */
let seed = 100;
function weights(b: ModelBuilder, name: string, dims: number[]): string {
  return b.initializer(name, 'float32', dims, seededFloats(dims.reduce((p, q) => p * q, 1), seed++, -1, 1));
}
const ints = (b: ModelBuilder, name: string, values: number[]) => b.initializer(name, 'int64', [values.length], BigInt64Array.from(values.map(BigInt)));

/** One parity case: float inputs by shape, the graph, the TFLite ops it must use and the inner TRANSPOSEs allowed. */
interface OpCase {
  name: string;
  inputs: Record<string, number[]>;
  build: (b: ModelBuilder) => void;
  ops: string[];
  opset?: number;
  domains?: Record<string, number>;
  innerTransposes?: number;
  /** Also compile w8a8 (calibrated on seeded inputs) and require this PSNR against onnxruntime's float result. */
  w8a8?: number;
}

const conv = (b: ModelBuilder, x: string, c: number, o: number) => b.op('Conv', [x, weights(b, 'cw', [o, c, 1, 1])]);

const CASES: OpCase[] = [
  {
    name: 'ConvTranspose 2×2 stride 2 (PaddleOCR det) → TRANSPOSE_CONV with bias', w8a8: 30, inputs: { x: [1, 4, 6, 5] }, ops: ['TRANSPOSE_CONV'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [4, 3, 2, 2]), weights(b, 'b', [3])], { strides: [2, 2], kernel_shape: [2, 2] })),
  },
  {
    name: 'ConvTranspose 4×4 stride 2 pads 1 → TRANSPOSE_CONV SAME', inputs: { x: [1, 3, 5, 6] }, ops: ['TRANSPOSE_CONV'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [3, 2, 4, 4])], { strides: [2, 2], pads: [1, 1, 1, 1] })),
  },
  {
    name: 'ConvTranspose 3×3 stride 2 pads 1 output_padding 1 → TRANSPOSE_CONV + SLICE', w8a8: 30, inputs: { x: [1, 2, 4, 5] }, ops: ['TRANSPOSE_CONV', 'SLICE'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3]), weights(b, 'b', [3])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })),
  },
  {
    name: 'ConvTranspose 3×3 stride 2 auto_pad SAME_UPPER (odd total padding)', inputs: { x: [1, 2, 4, 5] }, ops: ['TRANSPOSE_CONV'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3])], { strides: [2, 2], auto_pad: 'SAME_UPPER' })),
  },
  {
    name: 'ConvTranspose 3×3 stride 2 with output_shape (odd total padding)', inputs: { x: [1, 2, 4, 5] }, ops: ['TRANSPOSE_CONV'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 3, 3, 3])], { strides: [2, 2], output_shape: [8, 10] })),
  },
  {
    name: 'ConvTranspose 1-D (rank 3, kernel 4, stride 2, pads 1) → TRANSPOSE_CONV over height 1', inputs: { x: [1, 3, 7] }, ops: ['TRANSPOSE_CONV'], w8a8: 30,
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [3, 2, 4]), weights(b, 'b', [2])], { strides: [2], pads: [1, 1] })),
  },
  {
    name: 'ConvTranspose 1-D kernel 3 stride 2 pads 1 output_padding 1 (cropped)', inputs: { x: [1, 3, 5] }, ops: ['TRANSPOSE_CONV', 'SLICE'],
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [3, 2, 3])], { strides: [2], pads: [1, 1], output_padding: [1] })),
  },
  {
    name: 'attention: Q·Kᵀ (Kᵀ by Transpose), Softmax, ·V → BATCH_MATMUL with adj_y, no TRANSPOSE', w8a8: 30, inputs: { q: [1, 2, 5, 4], k: [1, 2, 5, 4], v: [1, 2, 5, 3] },
    ops: ['BATCH_MATMUL', 'SOFTMAX'],
    build: (b) => {
      const kt = b.op('Transpose', ['k'], { perm: [0, 1, 3, 2] });
      const p = b.op('Softmax', [b.op('MatMul', ['q', kt])], { axis: -1 });
      b.output(b.op('MatMul', [p, 'v']));
    },
  },
  {
    name: 'multi-head attention (Reshape, Transpose, Split into q/k/v, merge, projection): 2 TRANSPOSEs, as the ONNX graph moves data twice', inputs: { x: [1, 5, 24] },
    ops: ['BATCH_MATMUL', 'SPLIT_V'], innerTransposes: 2, w8a8: 20,
    build: (b) => {
      const heads = b.op('Transpose', [b.op('Reshape', [b.op('Relu', ['x']), ints(b, 'split_shape', [1, 5, 3, 2, 4])])], { perm: [2, 0, 3, 1, 4] });
      const [q, k, v] = b.node('Split', [heads], { axis: 0 }, { outputs: 3 }).map((t) => b.op('Squeeze', [t, ints(b, 'axis0', [0])]));
      const p = b.op('Softmax', [b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 1, 3, 2] })])], { axis: -1 });
      const merged = b.op('Transpose', [b.op('MatMul', [p, v])], { perm: [0, 2, 1, 3] });
      b.output(b.op('MatMul', [b.op('Reshape', [merged, ints(b, 'merge_shape', [1, 5, 8])]), weights(b, 'proj', [8, 6])]));
    },
  },
  {
    name: 'MatMul with a 3-D constant right operand and broadcast batch → BATCH_MATMUL', w8a8: 30, inputs: { a: [2, 3, 4] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('MatMul', ['a', weights(b, 'w', [2, 4, 5])])),
  },
  {
    name: 'MatMul of 4-D by 2-D activations (batch broadcast)', inputs: { a: [2, 3, 4, 5], c: [5, 6] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('MatMul', ['a', 'c'])),
  },
  {
    name: 'grouped Conv (group 2, not depthwise) → one CONV_2D with a C/group filter', w8a8: 30, inputs: { x: [1, 4, 7, 6] }, ops: ['CONV_2D'],
    build: (b) => b.output(b.op('Conv', ['x', weights(b, 'w', [6, 2, 3, 3]), weights(b, 'b', [6])], { group: 2, pads: [1, 1, 1, 1] })),
  },
  {
    name: 'Conv1d (rank 3, stride 2, pads 1) → CONV_2D over height 1', w8a8: 30, inputs: { x: [1, 4, 16] }, ops: ['CONV_2D'],
    build: (b) => b.output(b.op('Conv', ['x', weights(b, 'w', [6, 4, 3]), weights(b, 'b', [6])], { strides: [2], pads: [1, 1] })),
  },
  {
    name: 'Softmax over axis 1 of a rank-3 tensor (not the last) → spelled out, no TRANSPOSE', w8a8: 30, inputs: { x: [2, 5, 7] }, ops: ['REDUCE_MAX', 'EXP', 'SUM', 'DIV'],
    build: (b) => b.output(b.op('Softmax', ['x'], { axis: 1 })),
  },
  {
    name: 'LogSoftmax over H of NHWC-stored conv output', inputs: { x: [1, 3, 4, 5] }, ops: ['CONV_2D', 'LOG'],
    build: (b) => b.output(b.op('LogSoftmax', [conv(b, 'x', 3, 2)], { axis: 2 })),
  },
  {
    name: 'Softmax opset 11 over axes 1… (flattened)', inputs: { x: [2, 3, 4] }, ops: ['SUM'], opset: 11,
    build: (b) => b.output(b.op('Softmax', ['x'], { axis: 1 })),
  },
  {
    name: 'Einsum bij,bjk->bik → BATCH_MATMUL', inputs: { a: [2, 3, 4], c: [2, 4, 5] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('Einsum', ['a', 'c'], { equation: 'bij,bjk->bik' })),
  },
  {
    name: 'Einsum bhqd,bhkd->bhqk → BATCH_MATMUL adj_y', w8a8: 30, inputs: { q: [1, 2, 5, 4], k: [1, 2, 6, 4] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('Einsum', ['q', 'k'], { equation: 'bhqd,bhkd->bhqk' })),
  },
  {
    name: 'Einsum bqhd,bkhd->bhqk of NHWC-stored operands → BATCH_MATMUL through adj_x/adj_y, no TRANSPOSE', inputs: { q: [1, 5, 2, 4], k: [1, 6, 2, 4] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('Einsum', [b.op('Relu', ['q']), b.op('Relu', ['k'])], { equation: 'bqhd,bkhd->bhqk' })),
  },
  {
    name: 'Einsum qhd,khd->hqk (heads in the middle) → BATCH_MATMUL after two TRANSPOSEs', inputs: { q: [5, 2, 4], k: [6, 2, 4] }, ops: ['BATCH_MATMUL'], innerTransposes: 2,
    build: (b) => b.output(b.op('Einsum', [b.op('Relu', ['q']), b.op('Relu', ['k'])], { equation: 'qhd,khd->hqk' })),
  },
  {
    name: 'Einsum bij,bjk->bki with a constant operand (output relabelled)', inputs: { a: [2, 3, 4] }, ops: ['BATCH_MATMUL'],
    build: (b) => b.output(b.op('Relu', [b.op('Einsum', ['a', weights(b, 'w', [2, 4, 5])], { equation: 'bij,bjk->bki' })])),
  },
  {
    name: 'LayerNormalization (opset 17) over the last axis → MEAN/SUB/MUL/RSQRT/ADD', w8a8: 30, inputs: { x: [2, 5, 8] }, ops: ['MEAN', 'RSQRT'],
    build: (b) => b.output(b.op('LayerNormalization', ['x', weights(b, 'g', [8]), weights(b, 'beta', [8])], { axis: -1, epsilon: attr.float(1e-5) })),
  },
  {
    name: 'LayerNormalization over C, H, W of NHWC-stored data', inputs: { x: [1, 3, 4, 5] }, ops: ['RSQRT'],
    build: (b) => b.output(b.op('LayerNormalization', [conv(b, 'x', 3, 2), weights(b, 'g', [2, 4, 5])], { axis: 1 })),
  },
  {
    name: 'Gelu (opset 20) → GELU', w8a8: 30, inputs: { x: [2, 3, 8] }, ops: ['GELU'], opset: 20,
    build: (b) => b.output(b.op('Gelu', ['x'])),
  },
  {
    name: 'Gelu approximate=tanh (opset 20) → GELU approximate', inputs: { x: [2, 3, 8] }, ops: ['GELU'], opset: 20,
    build: (b) => b.output(b.op('Gelu', ['x'], { approximate: 'tanh' })),
  },
  {
    name: 'com.microsoft Gelu → GELU', inputs: { x: [2, 16] }, ops: ['GELU'], domains: { 'com.microsoft': 1 },
    build: (b) => b.output(b.op('Gelu', ['x'], {}, { domain: 'com.microsoft' })),
  },
  {
    name: 'squeeze-like Reshape of NHWC data, Transpose, FC (PaddleOCR rec neck): layout kept, no TRANSPOSE', inputs: { x: [1, 3, 1, 6] }, ops: ['FULLY_CONNECTED'],
    build: (b) => {
      const r = b.op('Reshape', [conv(b, 'x', 3, 4), ints(b, 'shape', [1, 4, 6])]);
      b.output(b.op('MatMul', [b.op('Transpose', [r], { perm: [0, 2, 1] }), weights(b, 'fc', [4, 5])]));
    },
  },
  {
    name: 'ShuffleNet channel shuffle (Reshape, Transpose, Reshape) of NHWC data between convs: one TRANSPOSE', inputs: { x: [1, 6, 3, 4] }, ops: ['CONV_2D'], innerTransposes: 1,
    build: (b) => {
      const split = b.op('Reshape', [conv(b, 'x', 6, 6), ints(b, 'groups', [1, 2, 3, 3, 4])]);
      const shuffled = b.op('Reshape', [b.op('Transpose', [split], { perm: [0, 2, 1, 3, 4] }), ints(b, 'merged', [1, 6, 3, 4])]);
      b.output(conv(b, shuffled, 6, 5));
    },
  },
  ...resizeCases(),
  {
    name: 'Resize linear asymmetric by scales 1.5 of 5 rows: x/1.5 = x·(5−1)/(7−1), so RESIZE_BILINEAR align_corners', inputs: { x: [1, 2, 5, 5] }, ops: ['RESIZE_BILINEAR'], opset: 13,
    build: (b) => b.output(b.op('Resize', [conv(b, 'x', 2, 2), '', b.initializer('s', 'float32', [4], Float32Array.of(1, 1, 1.5, 1.5))], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' })),
  },
  {
    name: 'Upsample (opset 9) ×2 by a scales input → RESIZE_NEAREST_NEIGHBOR', inputs: { x: [1, 2, 3, 4] }, ops: ['RESIZE_NEAREST_NEIGHBOR'], opset: 9,
    build: (b) => b.output(b.op('Upsample', [conv(b, 'x', 2, 2), b.initializer('s', 'float32', [4], Float32Array.of(1, 1, 2, 2))], { mode: 'nearest' })),
  },
  {
    name: 'Gather on axis 1 (channels) of NHWC-stored data with constant negative indices', inputs: { x: [1, 4, 3, 5] }, ops: ['GATHER'],
    build: (b) => b.output(b.op('Gather', [conv(b, 'x', 4, 4), ints(b, 'i', [3, -4, 1])], { axis: 1 })),
  },
  {
    name: 'Gather on the last axis with 2-D indices', inputs: { x: [2, 3, 6] }, ops: ['GATHER'],
    build: (b) => b.output(b.op('Gather', ['x', b.initializer('i', 'int64', [2, 2], BigInt64Array.of(5n, 0n, 2n, -1n))], { axis: -1 })),
  },
  {
    name: 'GatherND with constant indices (depth 2) → GATHER_ND', inputs: { x: [3, 4, 5] }, ops: ['GATHER_ND'],
    build: (b) => b.output(b.op('GatherND', ['x', b.initializer('i', 'int64', [2, 2], BigInt64Array.of(2n, 1n, 0n, -1n))])),
  },
  {
    name: 'Slice with steps 2 and -1 (reversal to the start) → STRIDED_SLICE', inputs: { x: [1, 3, 8, 9] }, ops: ['STRIDED_SLICE'],
    build: (b) => b.output(b.op('Slice', [conv(b, 'x', 3, 3), ints(b, 's', [1, -1, 7]), ints(b, 'e', [8, -1000, 0]), ints(b, 'a', [2, 3, 1]), ints(b, 'st', [2, -1, -2])])),
  },
  {
    name: 'Pad reflect on H, W of NHWC data → MIRROR_PAD', inputs: { x: [1, 2, 5, 6] }, ops: ['MIRROR_PAD'],
    build: (b) => b.output(b.op('Pad', [conv(b, 'x', 2, 2), ints(b, 'p', [0, 0, 2, 1, 0, 0, 1, 3])], { mode: 'reflect' })),
  },
  {
    name: 'Pad edge (3 wide) → GATHERs with clamped indices', inputs: { x: [1, 2, 5, 6] }, ops: ['GATHER'],
    build: (b) => b.output(b.op('Pad', [conv(b, 'x', 2, 2), ints(b, 'p', [0, 0, 3, 0, 0, 0, 1, 2])], { mode: 'edge' })),
  },
  {
    name: 'Pad wrap (opset 19) → GATHERs with cyclic indices', inputs: { x: [2, 3, 4] }, ops: ['GATHER'], opset: 19,
    build: (b) => b.output(b.op('Pad', ['x', ints(b, 'p', [0, 2, 3, 0, 1, 2])], { mode: 'wrap' })),
  },
  {
    name: 'Pad constant 0.5 with a negative pad (crop) and axes (opset 18) → PADV2 + SLICE', inputs: { x: [2, 5, 6] }, ops: ['PADV2', 'SLICE'], opset: 18,
    build: (b) => b.output(b.op('Pad', ['x', ints(b, 'p', [2, -1, 1, 3]), b.initializer('v', 'float32', [], Float32Array.of(0.5)), ints(b, 'ax', [1, 2])], { mode: 'constant' })),
  },
];

/** Resize: every mode/coordinate/nearest combination TFLite samples exactly, up and down. */
function resizeCases(): OpCase[] {
  const combos: [string, string, string, number[], number[]][] = [
    ['nearest ×2 asymmetric floor (PaddleOCR det)', 'nearest', 'asymmetric', [3, 4], [6, 8]],
    ['nearest ×2 half_pixel round_prefer_floor', 'nearest', 'half_pixel', [3, 4], [6, 8]],
    ['nearest 4→7 align_corners round_prefer_ceil', 'nearest', 'align_corners', [4, 4], [7, 7]],
    ['nearest 3→7 tf_half_pixel_for_nn floor', 'nearest', 'tf_half_pixel_for_nn', [3, 4], [7, 7]],
    ['nearest ÷2 asymmetric floor', 'nearest', 'asymmetric', [4, 4], [2, 2]],
    ['linear ×2 half_pixel', 'linear', 'half_pixel', [3, 4], [6, 8]],
    ['linear 3×4→5×7 pytorch_half_pixel', 'linear', 'pytorch_half_pixel', [3, 4], [5, 7]],
    ['linear 3×4→5×7 align_corners', 'linear', 'align_corners', [3, 4], [5, 7]],
    ['linear 3×4→5×7 asymmetric', 'linear', 'asymmetric', [3, 4], [5, 7]],
    ['linear ÷2 half_pixel', 'linear', 'half_pixel', [4, 4], [2, 2]],
  ];
  const nearestMode: Record<string, string> = { half_pixel: 'round_prefer_floor', align_corners: 'round_prefer_ceil', tf_half_pixel_for_nn: 'floor', asymmetric: 'floor' };
  return combos.map(([label, mode, coord, from, to]) => ({
    name: `Resize ${label}`, inputs: { x: [1, 2, ...from] }, ops: [mode === 'linear' ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR'], opset: 13,
    build: (b) => b.output(b.op('Resize', [conv(b, 'x', 2, 2), '', '', ints(b, 'sizes', [1, 2, ...to])], {
      mode, coordinate_transformation_mode: coord, ...(mode === 'nearest' ? { nearest_mode: nearestMode[coord] } : {}),
    })),
  }));
}

/** Calibration data: `count` seeded examples of the case's inputs (other seeds than the evaluated feeds). */
function seededSource(inputs: Record<string, number[]>, count: number): DataSource {
  return {
    description: `${count} seeded examples`, count, fingerprint: async () => 'seeded',
    async *batches(_batch: number, limit = count) {
      for (let k = 0; k < Math.min(count, limit); k++) {
        const batch: Record<string, HostTensor> = {};
        Object.entries(inputs).forEach(([name, dims], i) => { batch[name] = { dtype: 'float32', dims, data: seededFloats(dims.reduce((p, q) => p * q, 1), 1000 + 10 * k + i, -2, 2) }; });
        yield { inputs: batch };
      }
    },
  };
}

let fileNo = 0;
for (const c of CASES) {
  test(`${c.name}: LiteRT matches onnxruntime (PSNR ≥ 60 dB)`, async () => {
    const b = new ModelBuilder({ opset: c.opset ?? 17, ...(c.domains ? { domains: c.domains } : {}) });
    for (const [name, dims] of Object.entries(c.inputs)) b.input(name, 'float32', dims);
    c.build(b);
    const onnx = join(dir, `case${++fileNo}.onnx`);
    await writeModel(b.build(), onnx, { format: 'onnx' });
    const { bytes, report } = await compileToTflite(await readModel(onnx));
    for (const op of c.ops) assert.ok(report.ops[op], `expected ${op} in ${JSON.stringify(report.ops)}`);
    assert.equal(report.transposes.inner, c.innerTransposes ?? 0, `inner TRANSPOSEs in ${JSON.stringify(report.ops)}`);
    const tfl = join(dir, `case${fileNo}.tflite`);
    writeFileSync(tfl, bytes);
    const feeds: Record<string, HostTensor> = {};
    let s = 1;
    for (const [name, dims] of Object.entries(c.inputs)) feeds[name] = { dtype: 'float32', dims, data: seededFloats(dims.reduce((p, q) => p * q, 1), s++, -2, 2) };
    const ref = await run(ortNodeRuntime, onnx, feeds);
    const got = await run(litertRuntime, tfl, feeds);
    for (const [name, r] of Object.entries(ref)) {
      assert.deepEqual(got[name]?.dims, r.dims, `output ${name} shape`);
      const { psnr, maxAbs, peak } = compare(r.data as Float32Array, got[name].data as Float32Array);
      assert.ok(psnr >= 60 && maxAbs <= 1e-4 * Math.max(1, peak), `${name}: PSNR ${psnr.toFixed(1)} dB, max abs ${maxAbs}`);
    }
    if (c.w8a8 === undefined) return;
    const int8 = await compileToTflite(await readModel(onnx), { quantize: 'w8a8', calibration: seededSource(c.inputs, 16) });
    const tfl8 = join(dir, `case${fileNo}-int8.tflite`);
    writeFileSync(tfl8, int8.bytes);
    const got8 = await run(litertRuntime, tfl8, feeds);
    for (const [name, r] of Object.entries(ref)) {
      const { psnr } = compare(r.data as Float32Array, got8[name].data as Float32Array);
      assert.ok(psnr >= c.w8a8, `w8a8 ${name}: PSNR ${psnr.toFixed(1)} dB`);
    }
  });
}

/** Uses TFLite cannot express: the compile report names the node and why. */
const REFUSED: { name: string; inputs: Record<string, number[]>; build: (b: ModelBuilder) => void; why: RegExp; opset?: number }[] = [
  { name: 'a bare Erf', inputs: { x: [2, 3] }, build: (b) => b.output(b.op('Erf', ['x'])), why: /Erf\): TFLite has no ERF op/ },
  {
    name: 'an Einsum that is no matrix product (sums a letter of one operand)', inputs: { x: [3, 4], y: [4, 5] }, why: /sums letter 'i'/,
    build: (b) => b.output(b.op('Einsum', ['x', 'y'], { equation: 'ij,jk->k' })),
  },
  {
    name: 'a nearest Resize ×3 with round_prefer_ceil on asymmetric coordinates (samples TFLite cannot)', inputs: { x: [1, 1, 2, 2] }, opset: 13, why: /no TFLite setting samples the same positions/,
    build: (b) => b.output(b.op('Resize', ['x', '', '', ints(b, 'sizes', [1, 1, 6, 6])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_ceil' })),
  },
  {
    name: 'a linear Resize by scales 1.7 of 5 rows (ONNX samples at x/1.7; TFLite at x·5/8, x·4/7 or (x+½)·5/8−½)', inputs: { x: [1, 1, 5, 5] }, opset: 13, why: /from 5×5 to 8×8: no TFLite setting/,
    build: (b) => b.output(b.op('Resize', ['x', '', b.initializer('s', 'float32', [4], Float32Array.of(1, 1, 1.7, 1.7))], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' })),
  },
  {
    name: 'a cubic Resize', inputs: { x: [1, 1, 2, 2] }, opset: 13, why: /resize mode 'cubic'/,
    build: (b) => b.output(b.op('Resize', ['x', '', '', ints(b, 'sizes', [1, 1, 4, 4])], { mode: 'cubic' })),
  },
  {
    name: 'a dilated ConvTranspose', inputs: { x: [1, 2, 4, 4] }, why: /dilated transposed convolution/,
    build: (b) => b.output(b.op('ConvTranspose', ['x', weights(b, 'w', [2, 2, 3, 3])], { dilations: [2, 2] })),
  },
];

for (const c of REFUSED) {
  test(`${c.name} is refused in the one unmappable-ops report`, async () => {
    const b = new ModelBuilder({ opset: c.opset ?? 17 });
    for (const [name, dims] of Object.entries(c.inputs)) b.input(name, 'float32', dims);
    c.build(b);
    await assert.rejects(compileToTflite(b.build()), (e: unknown) => e instanceof UnmappableOpsError && c.why.test(e.message));
  });
}
