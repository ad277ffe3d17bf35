// The device protocol: JSON messages over the hub's WebSocket (DOM- and Node-free, shared by the hub and web/device).

/** Protocol version; a device speaking another one is refused. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket path on the hub. */
export const DEVICE_SOCKET_PATH = '/ws';

/** Page runtimes a device may offer. */
export const DEVICE_BACKENDS = ['wasm', 'webgpu', 'litert'] as const;
export type DeviceBackend = (typeof DEVICE_BACKENDS)[number];

/** What a device says about itself when it pairs and on every connection. */
export interface DeviceInfo {
  /** A name chosen on the device (several devices may share one: a pool of the same phone). */
  name: string;
  userAgent: string;
  /** navigator.hardwareConcurrency. */
  cores: number | null;
  /** navigator.deviceMemory (GiB, coarse), where the browser reports it. */
  memoryGiB: number | null;
  /** The WebGPU adapter (vendor, architecture, device, description), or null without one. */
  webgpu: { vendor: string; architecture: string; device: string; description: string } | null;
  /** Backends that can run here: wasm always, webgpu with an adapter, litert when LiteRT.js loads. */
  backends: DeviceBackend[];
  /** Whether the page is cross-origin isolated (WASM threads). */
  crossOriginIsolated: boolean;
}

/** A model a job runs, addressed by its SHA-256 (hex): fetched from `/models/HASH` and verified on the device. */
export interface ModelRef {
  sha256: string;
  bytes: number;
  format: 'onnx' | 'tflite';
}

/** A float32 tensor as it travels in JSON (little-endian bytes, base64). */
export interface WireTensor {
  dims: number[];
  /** base64 of the float32 values. */
  data: string;
}

/**
 * One input of a profile job: float32 (seeded uniform [0, 1) on the device, or `data`: base64 float32 values; the page
 * converts them to a uint8/int32 input's own type) or int64 (`values`, small integers such as a sample rate).
 */
export interface ProfileFeed {
  name: string;
  dtype: 'float32' | 'int64';
  dims: number[];
  data?: string;
  values?: number[];
}

/** Measure load time, first inference and latency percentiles on one backend. */
export interface ProfileSpec {
  kind: 'profile';
  model: ModelRef;
  /** Backends in order of preference; the first that loads is measured. */
  backends: DeviceBackend[];
  /** Dims of the model's input when it has one float32 input (else `feeds` says every input). */
  inputDims: number[];
  /** Every input, for models with several or non-float inputs: fed as given, or seeded floats where `data` and `values` are absent. */
  feeds?: ProfileFeed[];
  warmup: number;
  runs: number;
  threads?: number;
  /** Seed of the synthetic input. */
  seed: number;
}

/** Run one or more models on given inputs on each listed backend and return every output. */
export interface RunSpec {
  kind: 'run';
  /** Per backend, the model it runs (LiteRT.js takes a .tflite, the others the .onnx). */
  models: Partial<Record<DeviceBackend, ModelRef>>;
  backends: DeviceBackend[];
  inputs: WireTensor[];
  threads?: number;
}

/** What a job asks a device to do. */
export type JobSpec = ProfileSpec | RunSpec;

/** A profile measured on a device. */
export interface DeviceProfile {
  kind: 'profile';
  /** What ran it, e.g. 'wasm (SIMD, 4 threads)'. */
  backend: string;
  /** Backends tried before it, with why they did not run. */
  skipped: string[];
  loadMs: number;
  firstInferenceMs: number;
  latencyMs: { count: number; min: number; max: number; mean: number; stdev: number; p50: number; p90: number; p99: number };
  throughputPerSec: number;
  /** Every timed run, ms, in order. */
  samplesMs: number[];
  /** JS heap in use after the runs (performance.memory, Chromium only), bytes. */
  memoryBytes: number | null;
  /** Per-op times where the runtime reports them (none of the page runtimes does yet). */
  opTimes: null;
  /** Fetching the model, ms (0 when it came from the device's cache). */
  fetchMs: number;
  cached: boolean;
}

/** Outputs per backend of a run job. */
export interface DeviceRun {
  kind: 'run';
  backends: { backend: DeviceBackend; ran: string | null; error?: string; outputs: WireTensor[]; meanMs: number | null }[];
}

export type DeviceResult = DeviceProfile | DeviceRun;

/** Device → hub. */
export type DeviceMessage =
  | { type: 'hello'; protocol: number; token: string; info: DeviceInfo }
  | { type: 'result'; jobId: string; result: DeviceResult }
  | { type: 'failed'; jobId: string; error: string };

/** Hub → device. */
export type HubMessage =
  | { type: 'welcome'; deviceId: string; name: string }
  | { type: 'job'; jobId: string; spec: JobSpec }
  | { type: 'refused'; reason: string };

/** base64 of a Float32Array's bytes (works in browsers and Node). */
export function encodeFloats(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The Float32Array a base64 string holds; throws when its length is not a whole number of floats. */
export function decodeFloats(data: string): Float32Array {
  const s = atob(data);
  if (s.length % 4 !== 0) throw new Error(`a float32 tensor of ${s.length} bytes`);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Parses and checks the shape of a device message; throws a one-line error otherwise. */
export function parseDeviceMessage(text: string): DeviceMessage {
  const m = JSON.parse(text) as DeviceMessage;
  if (typeof m !== 'object' || m === null) throw new Error('not a message object');
  switch (m.type) {
    case 'hello':
      if (typeof m.token !== 'string' || typeof m.info !== 'object' || m.info === null) throw new Error('hello without token or info');
      return m;
    case 'result':
      if (typeof m.jobId !== 'string' || typeof m.result !== 'object' || m.result === null) throw new Error('result without jobId or result');
      return m;
    case 'failed':
      if (typeof m.jobId !== 'string' || typeof m.error !== 'string') throw new Error('failed without jobId or error');
      return m;
    default:
      throw new Error(`unknown message type '${String((m as { type?: unknown }).type)}'`);
  }
}
