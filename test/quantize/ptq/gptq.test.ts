// GPTQ weight rounding: input moments against a plain im2col, the rounding against round-to-nearest, and LeNet-5 end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { InputMoments } from '../../../src/quantize/ptq/input-moments.ts';
import { ModelBuilder } from '../../../src/ir/builder.ts';
import { encodeOnnx } from '../../../src/formats/onnx/index.ts';
import { gptqRound } from '../../../src/quantize/ptq/gptq.ts';
import { compileFile } from '../../../src/compile/compile.ts';
import { mnistSource } from '../../../src/data/mnist-source.ts';
import { mnistBatches } from '../../../src/data/mnist.ts';
import { DEFAULT_MODEL } from '../../../src/paths.ts';
import { parsePtqSteps, PTQ_STEPS } from '../../../src/quantize/schemes.ts';
import { UsageError } from '../../../src/errors.ts';
import { seededFloats, mulberry32 } from '../../../src/util/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-gptq-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('conv input moments equal Σ patch·patchᵀ of a direct im2col (pads, strides, dilation, groups)', () => {
  const [n, c, h, w] = [2, 4, 7, 9];
  const x = seededFloats(n * c * h * w, 3);
  const geometry = { kind: 'conv' as const, groups: 2, kernel: [3, 2], strides: [2, 1], dilations: [1, 2], pads: [1, 0, 1, 2] };
  const m = new InputMoments(geometry, c);
  m.observe({ dtype: 'float32', dims: [n, c, h, w], data: x });
  const got = m.hessians();
  // Direct: every output position (few enough that none is skipped), zero outside the padded input.
  const outH = Math.floor((h + 1 + 1 - 3) / 2) + 1;
  const outW = Math.floor((w + 0 + 2 - (1 * 2 + 1)) / 1) + 1;
  const k = 2 * 3 * 2;
  for (let g = 0; g < 2; g++) {
    const want = new Float64Array(k * k);
    let rows = 0;
    for (let b = 0; b < n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
      const patch: number[] = [];
      for (let ci = 0; ci < 2; ci++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 2; kx++) {
        const y = oy * 2 - 1 + ky, xx = ox - 0 + kx * 2;
        patch.push(y >= 0 && y < h && xx >= 0 && xx < w ? x[((b * c + g * 2 + ci) * h + y) * w + xx] : 0);
      }
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) want[i * k + j] += patch[i] * patch[j];
      rows++;
    }
    for (let i = 0; i < k * k; i++) assert.ok(Math.abs(got[g][i] - want[i] / rows) < 1e-9, `group ${g} entry ${i}: ${got[g][i]} vs ${want[i] / rows}`);
  }
});

test('ConvTranspose input moments give its output energy: wᵀ·H·w per output channel = mean y² from onnxruntime (stride, pads, output_padding)', async () => {
  const [n, c, h, w, m, kh, kw] = [2, 3, 4, 5, 2, 3, 3];
  const attrs = { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0], dilations: [1, 1] };
  const weights = seededFloats(c * m * kh * kw, 11, -1, 1);
  const x = seededFloats(n * c * h * w, 12, -1, 1);
  const b = new ModelBuilder({ opset: 17 });
  b.input('x', 'float32', [n, c, h, w]);
  b.op('ConvTranspose', ['x', b.initializer('w', 'float32', [c, m, kh, kw], weights)], attrs, { output: 'y' });
  b.output('y', 'float32');
  const session = await ort.InferenceSession.create(encodeOnnx(b.build()));
  const y = (await session.run({ x: new ort.Tensor('float32', x, [n, c, h, w]) })).y;
  const positions = y.dims[0] * y.dims[2] * y.dims[3];
  const moments = new InputMoments({ kind: 'convTranspose', kernel: [kh, kw], strides: attrs.strides, dilations: attrs.dilations, pads: attrs.pads, outputPadding: attrs.output_padding }, c);
  moments.observe({ dtype: 'float32', dims: [n, c, h, w], data: x });
  assert.equal(moments.rows, positions, 'one patch per output pixel');
  const [hess] = moments.hessians();
  const k = c * kh * kw;
  for (let o = 0; o < m; o++) {
    // Column (ci·kh + ky)·kw + kx holds W[ci, o, ky, kx].
    const row = Array.from({ length: k }, (_, col) => weights[(Math.floor(col / (kh * kw)) * m + o) * kh * kw + (col % (kh * kw))]);
    let power = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) power += row[i] * hess[i * k + j] * row[j];
    const data = y.data as Float32Array;
    let direct = 0;
    for (let bi = 0; bi < y.dims[0]; bi++) for (let p = 0; p < y.dims[2] * y.dims[3]; p++) direct += data[(bi * m + o) * y.dims[2] * y.dims[3] + p] ** 2;
    direct /= positions;
    assert.ok(Math.abs(power - direct) < 1e-5 * direct, `channel ${o}: wᵀHw ${power} vs mean y² ${direct}`);
  }
});

test('GPTQ integers stay on the grid and leave less output error than round-to-nearest on correlated inputs', () => {
  const rows = 16, k = 24;
  const rand = mulberry32(7);
  // Strongly correlated inputs (as neighbouring pixels or RGB channels are): x = A·z with a few latent factors.
  const samples = 400;
  const h = new Float64Array(k * k);
  const mix = Array.from({ length: k * 4 }, () => rand() * 2 - 1);
  for (let s = 0; s < samples; s++) {
    const z = [rand(), rand(), rand(), rand()].map((v) => v * 2 - 1);
    const x = Array.from({ length: k }, (_, i) => z.reduce((a, zz, f) => a + zz * mix[i * 4 + f], 0) + 0.05 * (rand() - 0.5));
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h[i * k + j] += (x[i] * x[j]) / samples;
  }
  const w = Array.from({ length: rows * k }, () => rand() * 2 - 1);
  const scales = Array.from({ length: rows }, (_, r) => Math.max(...w.slice(r * k, (r + 1) * k).map(Math.abs)) / 7);
  const grid = { scales, zeroPoints: new Array(rows).fill(0), min: -7, max: 7 };
  const result = gptqRound(w, rows, k, h, grid);
  assert.ok(result.values.every((v) => v >= -7 && v <= 7));
  // Output error recomputed here from the integers: tr(ΔW·H·ΔWᵀ)/rows.
  const errorOf = (q: ArrayLike<number>) => {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const d = Array.from({ length: k }, (_, c) => q[r * k + c] * scales[r] - w[r * k + c]);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) total += d[i] * h[i * k + j] * d[j];
    }
    return total / rows;
  };
  const nearest = w.map((v, i) => Math.max(-7, Math.min(7, Math.round(v / scales[Math.floor(i / k)]))));
  assert.ok(Math.abs(errorOf(result.values) - result.error) < 1e-9 * Math.max(1, result.error));
  assert.ok(Math.abs(errorOf(nearest) - result.nearestError) < 1e-9 * Math.max(1, result.nearestError));
  assert.ok(result.error < result.nearestError / 4, `GPTQ ${result.error} vs nearest ${result.nearestError}`);
});

test('--ptq parses steps, all and none, and refuses unknown names', () => {
  assert.deepEqual(parsePtqSteps('gptq'), ['gptq']);
  assert.deepEqual(parsePtqSteps('all'), [...PTQ_STEPS]);
  // Applied in the quantizer's order whatever order they are asked in.
  assert.deepEqual(parsePtqSteps('gptq,cle'), ['cle', 'gptq']);
  assert.deepEqual(parsePtqSteps('none'), []);
  assert.throws(() => parsePtqSteps('gptq,adaround'), (e: unknown) => e instanceof UsageError && /adaround/.test(e.message));
});

/** PSNR of LeNet-5 `file` against float on 300 held-out MNIST test digits (Q/DQ run as written). */
async function heldOutPsnr(file: string): Promise<number> {
  const batch = mnistBatches('test', 300).next().value!;
  const outputs: Float32Array[] = [];
  for (const f of [DEFAULT_MODEL.path, file]) {
    const session = await ort.InferenceSession.create(f, { graphOptimizationLevel: 'disabled' });
    const out: number[] = [];
    for (let i = 0; i < 300; i++) {
      const r = await session.run({ input: new ort.Tensor('float32', batch.input.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]) });
      out.push(...(r[session.outputNames[0]].data as Float32Array));
    }
    outputs.push(Float32Array.from(out));
    await session.release();
  }
  const [ref, got] = outputs;
  let mse = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < ref.length; i++) { mse += (ref[i] - got[i]) ** 2; lo = Math.min(lo, ref[i]); hi = Math.max(hi, ref[i]); }
  return 10 * Math.log10((hi - lo) ** 2 / (mse / ref.length));
}

test('LeNet-5 --target qnn w8a16: GPTQ lowers every layer\'s output error and raises held-out PSNR over --ptq none', async () => {
  const psnr: Record<string, number> = {};
  for (const ptq of [[], ['gptq']] as const) {
    const out = join(dir, `lenet-${ptq.length ? 'gptq' : 'none'}.onnx`);
    const report = await compileFile(DEFAULT_MODEL.path, out, { target: 'qnn', precision: 'w8a16', ptq: [...ptq], calibration: mnistSource('train'), limit: 256 });
    if (ptq.length) {
      const layers = report.qnn!.ptq![0].layers!;
      assert.equal(layers.length, 5);
      for (const l of layers) assert.ok(l.after < l.before, `${l.node}: ${l.after} ≥ ${l.before}`);
    } else {
      assert.deepEqual(report.qnn!.ptq, []);
    }
    psnr[ptq.length ? 'gptq' : 'none'] = await heldOutPsnr(out);
  }
  console.log(`LeNet-5 w8a16 held-out PSNR: round-to-nearest ${psnr.none.toFixed(2)} dB, GPTQ ${psnr.gptq.toFixed(2)} dB`);
  assert.ok(psnr.gptq > psnr.none + 0.5, JSON.stringify(psnr));
});

test('a model whose fixed batch is larger than the calibration data is refused, not calibrated on nothing', async () => {
  await assert.rejects(compileFile(DEFAULT_MODEL.path, join(dir, 'batch.onnx'), { target: 'qnn', calibration: mnistSource('train'), limit: 64, inputShapes: { input: [100, 1, 28, 28] } }),
    (e: unknown) => e instanceof UsageError && /fixed at 100/.test(e.message) && /64 example/.test(e.message));
});
