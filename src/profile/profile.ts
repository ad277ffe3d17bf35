// profileModel: load time, first inference, latency percentiles over repeated runs, throughput, memory, per-op time.
import { availableParallelism, cpus } from 'node:os';
import { UsageError } from '../errors.ts';
import { formatNameOf } from '../formats/registry.ts';
import { modelBytes } from '../formats/model-bytes.ts';
import { silentProgress, type Progress } from '../util/progress.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { hostCpu } from '../runtimes/host.ts';
import type { HostTensor, RuntimeInfo } from '../runtimes/runtime.ts';
import type { InputValues } from '../ir/input-values.ts';
import { synthesizeInputs } from './inputs.ts';
import { maxRss, RssTracker } from './memory.ts';
import { aggregateOpTimes, type OpTimes } from './op-times.ts';
import { latencyStats, type LatencyStats } from './stats.ts';

/** Options for {@link profileModel}; every field has a default. */
export interface ProfileOptions {
  /** Runtime name (default: the first available runtime for the file's format: ort-node for .onnx, litert for .tflite). */
  runtime?: string;
  /** Intra-op threads (default: ort-node's own choice; 1 for ort-web-wasm). */
  threads?: number;
  /** Untimed runs before measuring (default 10). */
  warmup?: number;
  /** Timed runs (default 100). */
  runs?: number;
  /** Collect per-op time from the runtime's profiler in a separate session (default true). */
  perOp?: boolean;
  /** Profiled runs for per-op time (default min(runs, 20)). */
  perOpRuns?: number;
  /** Slowest nodes to keep (default 10). */
  topNodes?: number;
  /** Input name → dims, for symbolic dims (default: each symbolic dim is 1). */
  shapes?: Record<string, number[]>;
  /** Fixed input values (`--input-value`), fed instead of synthesised data. */
  inputValues?: InputValues;
  progress?: Progress;
}

/** What `ondevice profile` measures (its --json output, documented in docs/profile-json.md). */
export interface ProfileResult {
  /** Version of this JSON layout. */
  schema: 1;
  model: string;
  fileBytes: number;
  runtime: string;
  /** Intra-op threads the session ran with. */
  threads: number;
  inputs: { name: string; dtype: string; dims: number[] }[];
  warmup: number;
  runs: number;
  /** Session creation, ms. */
  loadMs: number;
  /** The first run after loading (cold), ms. */
  firstInferenceMs: number;
  /** Over the timed runs, ms. */
  latencyMs: LatencyStats;
  /** Sequential runs per second: timed runs / their summed latency (model invocations; multiply by the batch for items). */
  throughputPerSec: number;
  memory: {
    /** Process RSS before loading, bytes. */
    rssBeforeBytes: number;
    /** Highest RSS sampled during load and runs minus rssBeforeBytes, bytes. */
    peakRssDeltaBytes: number;
    /** The process's lifetime peak RSS from the OS, bytes. */
    maxRssBytes: number;
  };
  /**
   * Latency measured inside the runtime itself (e.g. around `model.run` in the browser page for LiteRT),
   * without moving tensors between processes; present only for runtimes that report it.
   */
  deviceLatencyMs?: LatencyStats;
  /** Every timed run's latency in order, ms. */
  samplesMs: number[];
  /** Per-op time from the runtime's own profiler, or null when off or unsupported. */
  opTimes: OpTimes | null;
  /** Where it ran. */
  host: { platform: string; arch: string; cpus: number; cpuModel: string; node: string; features: string[]; featuresKnown: boolean };
  /** Engine, version, threads and optimisation level the session ran with. */
  runtimeInfo: RuntimeInfo;
}

function count(name: string, v: number | undefined, fallback: number, min: number): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return n;
}

/**
 * Profiles a model file on a runtime with synthesised inputs.
 * @throws UsageError for bad options or an unavailable runtime; OndeviceError if the runtime cannot load or run it.
 */
export async function profileModel(path: string, options: ProfileOptions = {}): Promise<ProfileResult> {
  const warmup = count('warmup', options.warmup, 10, 0);
  const runs = count('runs', options.runs, 100, 1);
  if (options.threads !== undefined) count('threads', options.threads, 1, 1);
  // Every option is checked before anything is loaded: nothing (sessions, profiler temp folders) is left behind.
  const perOp = options.perOp ?? true;
  const perOpRuns = count('per-op-runs', options.perOpRuns, Math.min(runs, 20), 1);
  const topNodes = count('top-nodes', options.topNodes, 10, 0);
  const progress = options.progress ?? silentProgress;
  const fileBytes = modelBytes(path);
  const runtime = await resolveRuntime(options.runtime ? { name: options.runtime } : { format: await formatNameOf(path) });

  const rss = new RssTracker();
  let t = performance.now();
  const session = await runtime.load(path, { threads: options.threads });
  const loadMs = performance.now() - t;
  rss.sample();
  const samplesMs: number[] = [];
  const deviceSamplesMs: number[] = [];
  let feeds: Record<string, HostTensor>;
  let firstInferenceMs: number;
  try {
    feeds = synthesizeInputs(session.inputs, options.shapes, 0, options.inputValues);
    t = performance.now();
    await session.run(feeds);
    firstInferenceMs = performance.now() - t;
    rss.sample();
    progress.start(warmup + runs, `profiling (${runtime.name})`);
    for (let i = 0; i < warmup; i++) {
      await session.run(feeds);
      if (i % 16 === 15 || i === warmup - 1) progress.update(i + 1);
    }
    for (let i = 0; i < runs; i++) {
      t = performance.now();
      await session.run(feeds);
      samplesMs.push(performance.now() - t);
      const inside = session.lastRunMs?.();
      if (inside !== undefined) deviceSamplesMs.push(inside);
      rss.sample();
      if (i % 16 === 15 || i === runs - 1) progress.update(warmup + i + 1);
    }
  } finally {
    progress.stop();
    await session.release();
  }

  let opTimes: OpTimes | null = null;
  if (perOp) {
    const profiled = await runtime.load(path, { threads: options.threads, profile: true });
    try {
      if (profiled.endProfiling) {
        for (let i = 0; i < perOpRuns; i++) await profiled.run(feeds);
        const events = await profiled.endProfiling();
        if (events.length) opTimes = aggregateOpTimes(events, topNodes);
      }
    } finally {
      await profiled.release();
    }
  }

  return {
    schema: 1,
    model: path,
    fileBytes,
    runtime: runtime.name,
    threads: session.info.threads,
    ...(deviceSamplesMs.length ? { deviceLatencyMs: latencyStats(deviceSamplesMs) } : {}),
    inputs: Object.entries(feeds).map(([name, f]) => ({ name, dtype: f.dtype, dims: f.dims })),
    warmup,
    runs,
    loadMs,
    firstInferenceMs,
    latencyMs: latencyStats(samplesMs),
    throughputPerSec: (runs * 1000) / samplesMs.reduce((a, b) => a + b, 0),
    memory: { rssBeforeBytes: rss.baseline, peakRssDeltaBytes: rss.delta, maxRssBytes: maxRss() },
    samplesMs,
    opTimes,
    host: { platform: process.platform, arch: process.arch, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, features: hostCpu().features, featuresKnown: hostCpu().known },
    runtimeInfo: session.info,
  };
}
