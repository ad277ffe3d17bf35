// The Runtime contract: load a model file and run it, whatever engine (ORT node/web, LiteRT) is behind it.
import type { HostTensor, IoInfo } from '../ir/host-tensor.ts';

export type { HostTensor, IoInfo } from '../ir/host-tensor.ts';

/** Options shared by every runtime; adapters ignore what they cannot honour. */
export interface SessionOptions {
  /** Intra-op threads (default: ort-node one per logical core; ort-web-wasm and LiteRT 1). */
  threads?: number;
  /** Turn on the runtime's own per-op profiler. */
  profile?: boolean;
  /** Graph optimisation level, where the runtime has one. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** What runs a session: the registry name, the engine and its version, threads and optimisation level. */
export interface RuntimeInfo {
  /** Registry name, e.g. 'ort-node'. */
  runtime: string;
  /** The engine package, e.g. 'onnxruntime-node'. */
  engine: string;
  version: string;
  /** Intra-op threads the session was created with. */
  threads: number;
  /** Graph optimisation level, where the engine has one. */
  optimization?: string;
  /** The engine's backend, where it has several (TensorFlow.js: 'cpu'). */
  backend?: string;
}

/** A loaded model, ready to run. */
export interface RuntimeSession {
  readonly inputs: readonly IoInfo[];
  readonly outputs: readonly IoInfo[];
  /** The engine, version and settings this session runs with. */
  readonly info: RuntimeInfo;
  /** Runs the model; `fetches` limits the outputs (default: all). */
  run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>>;
  /**
   * Milliseconds the last `run` spent inside the engine itself, measured where it runs (e.g. in the
   * browser page, excluding transfer to and from Node); only for runtimes that can tell.
   */
  lastRunMs?(): number | undefined;
  /** Stops profiling and returns the runtime's per-op events, if profiling was on. */
  endProfiling?(): Promise<ProfileEvent[]>;
  release(): Promise<void>;
}

/** One timed event from a runtime's profiler. */
export interface ProfileEvent {
  name: string;
  op?: string;
  durationUs: number;
}

/** An inference engine that can load model files of some formats. */
export interface Runtime {
  /** Registry key, e.g. 'ort-node'. */
  readonly name: string;
  /** File formats it loads, e.g. ['onnx']. */
  readonly formats: readonly string[];
  /** Resolves true, or a reason why it cannot run here. */
  available(): Promise<true | string>;
  load(modelPath: string, options?: SessionOptions): Promise<RuntimeSession>;
}
