// Runs hub jobs on this device: profile (latency percentiles on the first backend that loads) and run (outputs per backend).
import { latencyStats } from '../../src/profile/stats.ts';
import { decodeFloats, encodeFloats, type DeviceBackend, type DeviceProfile, type DeviceRun, type JobSpec, type ProfileSpec, type RunSpec } from '../../src/hub/protocol.ts';
import { loadWithFallback, type Backend, type Feed, type ModelSession } from '../app/runtime/backend.ts';
import { ortWasm, ortWebGpu } from '../app/runtime/ort.ts';
import { liteRtBackend } from './litert.ts';
import { modelBytes } from './model-cache.ts';

/** The page backends by protocol name. */
const BACKENDS: Partial<Record<DeviceBackend, Backend>> = { wasm: ortWasm, webgpu: ortWebGpu, litert: liteRtBackend };

/** Which backends can run here (asked once). */
export async function availableBackends(): Promise<DeviceBackend[]> {
  const out: DeviceBackend[] = [];
  for (const [name, b] of Object.entries(BACKENDS) as [DeviceBackend, Backend][]) {
    if ((await b.available().catch(() => false)) === true) out.push(name);
  }
  return out;
}

function backendsOf(names: readonly DeviceBackend[]): { list: Backend[]; skipped: string[] } {
  const skipped = names.filter((n) => !BACKENDS[n]).map((n) => `${n}: not available in this page`);
  return { list: names.flatMap((n) => (BACKENDS[n] ? [BACKENDS[n]] : [])), skipped };
}

/** Seeded uniform floats in [0, 1) (mulberry32, as src/util/random.ts). */
function seeded(count: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

function heapBytes(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize : null;
}

/** One inference on the job's inputs: the single float32 input (`run`), or every feed (`runFeeds`: seeded floats where none are given). */
function feedsFor(spec: ProfileSpec, session: ModelSession): () => Promise<unknown> {
  if (!spec.feeds) {
    const input = seeded(spec.inputDims.reduce((a, b) => a * b, 1), spec.seed);
    return () => session.run(input, spec.inputDims);
  }
  const feeds: Record<string, Feed> = {};
  spec.feeds.forEach((f, k) => {
    const count = f.dims.reduce((a, b) => a * b, 1);
    feeds[f.name] = f.dtype === 'int64'
      ? { dtype: 'int64', dims: f.dims, data: f.values ?? new Array<number>(count).fill(0) }
      : { dtype: 'float32', dims: f.dims, data: f.data ? decodeFloats(f.data) : seeded(count, spec.seed + k) };
  });
  return () => session.runFeeds(feeds);
}

async function profile(spec: ProfileSpec, token: string, onStep: (text: string) => void): Promise<DeviceProfile> {
  const { bytes, cached, fetchMs } = await modelBytes(spec.model, token);
  const { list, skipped } = backendsOf(spec.backends);
  onStep('loading');
  const t0 = performance.now();
  const loaded = await loadWithFallback(list, bytes, spec.model.format, spec.threads ? { threads: spec.threads } : {});
  const loadMs = performance.now() - t0;
  const { session } = loaded;
  try {
    const once = feedsFor(spec, session);
    const t1 = performance.now();
    await once();
    const firstInferenceMs = performance.now() - t1;
    onStep('warming up');
    for (let i = 0; i < spec.warmup; i++) await once();
    onStep(`timing ${spec.runs} runs`);
    const samples: number[] = [];
    for (let i = 0; i < spec.runs; i++) {
      const t = performance.now();
      await once();
      samples.push(performance.now() - t);
    }
    const latencyMs = latencyStats(samples);
    return {
      kind: 'profile', backend: session.backend, skipped: [...skipped, ...loaded.skipped], loadMs, firstInferenceMs, latencyMs,
      throughputPerSec: samples.length / (samples.reduce((s, x) => s + x, 0) / 1000), samplesMs: samples, memoryBytes: heapBytes(), opTimes: null, fetchMs, cached,
    };
  } finally {
    await session.release();
  }
}

async function run(spec: RunSpec, token: string, onStep: (text: string) => void): Promise<DeviceRun> {
  const inputs = spec.inputs.map((t) => ({ dims: t.dims, data: decodeFloats(t.data) }));
  const out: DeviceRun = { kind: 'run', backends: [] };
  for (const name of spec.backends) {
    const model = spec.models[name] ?? (name === 'litert' ? undefined : spec.models.wasm);
    const backend = BACKENDS[name];
    if (!backend || !model) {
      out.backends.push({ backend: name, ran: null, error: backend ? 'no model for this backend' : 'not available in this page', outputs: [], meanMs: null });
      continue;
    }
    onStep(`running on ${name}`);
    try {
      const { bytes } = await modelBytes(model, token);
      const { session } = await loadWithFallback([backend], bytes, model.format, spec.threads ? { threads: spec.threads } : {});
      try {
        const outputs = [];
        let total = 0;
        for (const x of inputs) {
          const t = performance.now();
          const y = await session.run(x.data, x.dims);
          total += performance.now() - t;
          outputs.push({ dims: [y.length], data: encodeFloats(y) });
        }
        out.backends.push({ backend: name, ran: session.backend, outputs, meanMs: inputs.length ? total / inputs.length : null });
      } finally {
        await session.release();
      }
    } catch (e) {
      out.backends.push({ backend: name, ran: null, error: (e as Error).message ?? String(e), outputs: [], meanMs: null });
    }
  }
  return out;
}

/** Runs one job; throws with a one-line reason when it cannot. */
export function runJob(spec: JobSpec, token: string, onStep: (text: string) => void): Promise<DeviceProfile | DeviceRun> {
  if (spec.kind === 'profile') return profile(spec, token, onStep);
  if (spec.kind === 'run') return run(spec, token, onStep);
  throw new Error(`unknown job kind '${(spec as { kind?: string }).kind}'`);
}
