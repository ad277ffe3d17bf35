// The page's runtime contract: a Backend loads model bytes into a session; backends are tried in order, every failure kept.

/**
 * One input tensor for {@link ModelSession.runFeeds}: float32 (converted to the model's input type when that is uint8 or
 * int32, e.g. a TF.js detector's image), or int64 given as numbers (e.g. a sample rate).
 */
export interface Feed {
  dtype: 'float32' | 'int64';
  data: Float32Array | number[];
  dims: number[];
}

/** One output of {@link ModelSession.runFeeds}, as float32 whatever the model's output type. */
export interface Output {
  data: Float32Array;
  dims: number[];
}

/** A loaded model: one float32 input → the chosen output (`run`), or any inputs → every output (`runFeeds`). */
export interface ModelSession {
  /** What actually runs it, e.g. 'wasm (4 threads, SIMD)' or 'webgpu'. */
  readonly backend: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model on one input tensor; returns the chosen output's values. */
  run(input: Float32Array, dims: number[]): Promise<Float32Array>;
  /** Runs the model on named inputs; returns every output by name (converted to float32). */
  runFeeds(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Output>>;
  release(): Promise<void>;
}

/** Options a backend may honour. */
export interface LoadOptions {
  /** The input to feed (default: the model's first). */
  input?: string;
  /** The output to read (default: the model's first). */
  output?: string;
  /** WASM threads (default: the backend's choice). */
  threads?: number;
}

/** An engine that can run models of some formats in this browser. */
export interface Backend {
  readonly name: string;
  readonly formats: readonly string[];
  /** Resolves true, or the reason it cannot run here. */
  available(): Promise<true | string>;
  load(model: Uint8Array, options: LoadOptions): Promise<ModelSession>;
}

/** Thrown when no backend could load the model; lists why each failed. */
export class NoBackendError extends Error {
  override readonly name = 'NoBackendError';
  constructor(readonly failures: string[]) {
    super(`no backend could run the model: ${failures.join('; ')}`);
  }
}

/**
 * Loads the model with the first backend (in the given order) that is available, supports the format and
 * loads it without error. Returns the session and the reasons the earlier backends were skipped.
 */
export async function loadWithFallback(
  backends: readonly Backend[], model: Uint8Array, format: string, options: LoadOptions = {},
): Promise<{ session: ModelSession; skipped: string[] }> {
  const skipped: string[] = [];
  for (const b of backends) {
    if (!b.formats.includes(format)) {
      skipped.push(`${b.name}: does not run ${format}`);
      continue;
    }
    const ok = await b.available().catch((e: unknown) => String(e));
    if (ok !== true) {
      skipped.push(`${b.name}: ${ok}`);
      continue;
    }
    try {
      return { session: await b.load(model, options), skipped };
    } catch (e) {
      skipped.push(`${b.name}: ${(e as Error).message ?? e}`);
    }
  }
  throw new NoBackendError(skipped);
}
