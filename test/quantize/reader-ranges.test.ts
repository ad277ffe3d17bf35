// Reader ranges (`readerRanges`): 8-bit activation ranges narrowed to what their readers can tell apart — which values
// and how far, that the saturated grid end lands in the reader's flat part (so nothing the reader computes is lost),
// and that on a small Conv → HardSwish model the quantized output gets closer to float while the float model is untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from '../../src/data/source.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { Model } from '../../src/ir/graph.ts';
import { tensorFloats } from '../../src/ir/tensor.ts';
import { clipRangesToReaders } from '../../src/quantize/calibrate/reader-ranges.ts';
import { computeParams, dequantizeValue } from '../../src/quantize/params.ts';
import { quantizeModel } from '../../src/quantize/quantize.ts';
import { resolveRuntime } from '../../src/runtimes/registry.ts';
import { seededFloats } from '../../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-reader-ranges-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('ranges narrow to the readers\' sensitive interval (HardSwish, Relu, HardSigmoid, Clip, Max), with a step of margin; mixed readers and outputs keep theirs', () => {
  const b = new ModelBuilder({ opset: 14 });
  const x = b.input('x', 'float32', [1, 4]);
  const hs = b.op('Identity', [x], {}, { output: 'hs_in' });
  b.op('HardSwish', [hs]);
  const relu = b.op('Identity', [x], {}, { output: 'relu_in' });
  b.op('Relu', [relu]);
  const sig = b.op('Identity', [x], {}, { output: 'sig_in' });
  b.op('HardSigmoid', [sig]); // alpha 0.2, beta 0.5: flat outside [−2.5, 2.5]
  const clip = b.op('Identity', [x], {}, { output: 'clip_in' });
  b.op('Clip', [clip, b.initializer('lo', 'float32', [], new Float32Array([-1])), b.initializer('hi', 'float32', [], new Float32Array([2]))]);
  const max = b.op('Identity', [x], {}, { output: 'max_in' });
  b.op('Max', [max, b.initializer('floor', 'float32', [4], new Float32Array([-2, -1, -4, 0]))]);
  const mixed = b.op('Identity', [x], {}, { output: 'mixed_in' });
  b.op('HardSwish', [mixed]);
  b.op('Neg', [mixed]);
  const out = b.op('Identity', [x], {}, { output: 'out_in' });
  b.op('Relu', [out]);
  b.output('out_in');
  const graph = b.build({ inferOutputs: false }).graph;
  const wide = { min: -100, max: 100 };
  const names = ['hs_in', 'relu_in', 'sig_in', 'clip_in', 'max_in', 'mixed_in', 'out_in'];
  const { ranges, clipped } = clipRangesToReaders(graph, new Map(names.map((n) => [n, wide])));
  const near = (got: number, want: number, step: number) => assert.ok(got <= want && got >= want - 1.01 * step, `${got} within a step below ${want}`);
  const r = (n: string) => ranges.get(n)!;
  near(r('hs_in').min, -3, 103 / 255);
  assert.equal(r('hs_in').max, 100);
  near(r('relu_in').min, 0, 100 / 255);
  near(r('sig_in').min, -2.5, 5 / 255);
  near(-r('sig_in').max, -2.5, 5 / 255);
  near(r('clip_in').min, -1, 3 / 255);
  near(-r('clip_in').max, -2, 3 / 255);
  near(r('max_in').min, -4, 104 / 255);
  assert.deepEqual(r('mixed_in'), wide, 'a reader that is not flat anywhere keeps the range');
  assert.deepEqual(r('out_in'), wide, 'a graph output keeps its range');
  assert.deepEqual(clipped.map((c) => c.value).sort(), ['clip_in', 'hs_in', 'max_in', 'relu_in', 'sig_in']);
  // A range already inside the interval is left alone.
  assert.equal(clipRangesToReaders(graph, new Map([['hs_in', { min: -1, max: 2 }]])).clipped.length, 0);
});

test('the grid of a narrowed range still reaches the flat part: the saturated value is one the reader maps as it maps everything beyond', () => {
  for (const [min, max] of [[-228, 192], [-75, 70], [-5.1, 3.8], [-3.5, 0.2], [-40, 1e-3]]) {
    const b = new ModelBuilder({ opset: 14 });
    b.op('HardSwish', [b.input('z', 'float32', [1])]);
    const after = clipRangesToReaders(b.build({ inferOutputs: false }).graph, new Map([['z', { min, max }]])).ranges.get('z')!;
    for (const type of ['int8', 'uint8'] as const) {
      const p = computeParams(after, type, false);
      const lowest = dequantizeValue(type === 'int8' ? -128 : 0, p);
      assert.ok(lowest <= -3, `[${min}, ${max}] → [${after.min}, ${after.max}] ${type}: lowest grid value ${lowest} must be ≤ −3`);
    }
  }
});

/** x [1, 4, 6, 6] → 1×1 Conv (channels of very different ranges, many values far below −3) → HardSwish → y. */
function convHardSwish(): Model {
  const b = new ModelBuilder({ opset: 14 });
  const x = b.input('x', 'float32', [1, 4, 6, 6]);
  const w = new Float32Array([30, -20, 5, 1, -40, 10, 2, -3, 0.5, 0.2, -0.3, 0.1, 3, 2, 1, -1]);
  const conv = b.op('Conv', [x, b.initializer('w', 'float32', [4, 4, 1, 1], w), b.initializer('bias', 'float32', [4], new Float32Array([-5, 1, 0.5, 0]))]);
  const h = b.op('HardSwish', [conv]);
  b.op('Conv', [h, b.initializer('w2', 'float32', [2, 4, 1, 1], new Float32Array([0.1, 0.2, 1, 0.5, -0.3, 0.05, 2, 1])), b.initializer('bias2', 'float32', [2], new Float32Array([0, 0]))], {}, { output: 'y' });
  b.output('y', 'float32', [1, 2, 6, 6]);
  return b.build();
}

function pages(count: number, seed: number): DataSource {
  const data = seededFloats(count * 4 * 36, seed, -1, 1);
  return {
    description: `${count} random inputs (seed ${seed})`,
    count,
    async fingerprint() { return `reader-ranges:${count}:${seed}`; },
    async *batches(batchSize: number, limit?: number) {
      const total = Math.min(count, limit ?? count);
      for (let i = 0; i < total; i += batchSize) {
        const n = Math.min(batchSize, total - i);
        yield { inputs: { x: { dtype: 'float32' as const, dims: [n, 4, 6, 6], data: data.slice(i * 144, (i + n) * 144) } } };
      }
    },
  };
}

async function outputs(model: Model, name: string, source: DataSource): Promise<Float32Array> {
  const path = join(dir, `${name}.onnx`);
  await writeModel(model, path);
  const session = await (await resolveRuntime({ name: 'onnx-reference' })).load(path);
  try {
    const parts: Float32Array[] = [];
    for await (const batch of source.batches(1)) parts.push((await session.run(batch.inputs)).y.data as Float32Array);
    return Float32Array.from(parts.flatMap((p) => [...p]));
  } finally {
    await session.release();
  }
}

test('Conv → HardSwish w8a8: the conv output\'s grid starts just below −3 instead of at the calibration minimum, the output gets closer to float, the float model is untouched', async () => {
  const float = convHardSwish();
  const weightsBefore = tensorFloats(float.graph.initializers.get('w')!).slice();
  const held = pages(16, 2);
  const reference = await outputs(float, 'float', held);
  const run = async (readerRanges: boolean) => {
    const { model, report } = await quantizeModel(structuredClone(float), { scheme: 'w8a8', readerRanges, calibration: { source: pages(32, 1), batchSize: 8 } });
    const got = await outputs(model, `q-${readerRanges}`, held);
    let se = 0, peak = 0;
    for (let i = 0; i < got.length; i++) { se += (got[i] - reference[i]) ** 2; peak = Math.max(peak, Math.abs(reference[i])); }
    // The conv output's Q/DQ: the scale of the QuantizeLinear that reads a Conv output.
    const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
    const q = model.graph.nodes.find((n) => n.op === 'QuantizeLinear' && producer.get(n.inputs[0])?.op === 'Conv' && model.graph.nodes.some((r) => r.op === 'DequantizeLinear' && r.inputs[0] === n.outputs[0] && model.graph.nodes.some((h) => h.op === 'HardSwish' && h.inputs[0] === r.outputs[0])))!;
    const scale = tensorFloats(model.graph.initializers.get(q.inputs[1])!)[0];
    const zpTensor = model.graph.initializers.get(q.inputs[2])!;
    const zp = tensorFloats(zpTensor)[0];
    const lowest = ((zpTensor.dtype === 'int8' ? -128 : 0) - zp) * scale;
    return { psnr: 20 * Math.log10(peak / Math.sqrt(se / got.length)), report, scale, lowest };
  };
  const plain = await run(false);
  const narrowed = await run(true);
  assert.equal(plain.report.readerRanges, undefined);
  assert.equal(narrowed.report.readerRanges, 1, 'the one HardSwish input is narrowed');
  assert.ok(plain.lowest < -10, `min/max grid reaches the calibration minimum (${plain.lowest})`);
  assert.ok(narrowed.lowest <= -3 && narrowed.lowest > -3.5, `narrowed grid starts just below −3 (${narrowed.lowest})`);
  assert.ok(narrowed.scale < plain.scale * 0.8, `finer grid: scale ${narrowed.scale} vs ${plain.scale}`);
  assert.ok(narrowed.psnr > plain.psnr + 1, `output PSNR ${narrowed.psnr.toFixed(2)} dB vs ${plain.psnr.toFixed(2)} dB without`);
  assert.deepEqual(tensorFloats(float.graph.initializers.get('w')!), weightsBefore, 'the float model is not modified');
  const again = await outputs(float, 'float-again', held);
  let worst = 0;
  for (let i = 0; i < again.length; i++) worst = Math.max(worst, Math.abs(again[i] - reference[i]) / Math.max(1e-6, Math.abs(reference[i])));
  assert.ok(worst <= 1e-5, `float output unchanged (worst relative difference ${worst})`);
});
