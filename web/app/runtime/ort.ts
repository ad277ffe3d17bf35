// onnxruntime-web backends: WebGPU and WASM (SIMD; threads when the page is cross-origin isolated), wasm files from our own origin.
import type * as Ort from 'onnxruntime-web';
import type { Backend, Feed, LoadOptions, ModelSession, Output } from './backend.ts';

type OrtModule = typeof Ort;

/** Where the onnxruntime-web wasm/glue files live (absolute URL with a trailing slash); set once by the page. */
let ortBase = new URL('ort/', globalThis.location?.href ?? 'http://localhost/').href;

/** Points every ORT backend at the folder holding its wasm files (relative to the page). */
export function setOrtPath(path: string): void {
  ortBase = new URL(path, globalThis.location.href).href;
}

/** Threads the WASM backend uses: several only when SharedArrayBuffer is allowed (cross-origin isolation). */
export function defaultThreads(): number {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

function configure(ort: OrtModule, threads: number): OrtModule {
  ort.env.wasm.wasmPaths = ortBase;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  return ort;
}

class OrtSession implements ModelSession {
  readonly inputName: string;
  readonly outputName: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  constructor(private readonly ort: OrtModule, private readonly session: Ort.InferenceSession, readonly backend: string, options: LoadOptions) {
    this.inputName = options.input ?? session.inputNames[0];
    this.outputName = options.output ?? session.outputNames[0];
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    if (!session.inputNames.includes(this.inputName)) throw new Error(`the model has no input '${this.inputName}' (it has ${session.inputNames.join(', ')})`);
    if (!session.outputNames.includes(this.outputName)) throw new Error(`the model has no output '${this.outputName}' (it has ${session.outputNames.join(', ')})`);
  }

  /** A float32 input as the model's own input type (uint8 or int32 images of TF.js detectors: rounded and clamped). */
  private tensor(name: string, data: Float32Array, dims: number[]): Ort.Tensor {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    const type = meta?.isTensor ? meta.type : 'float32';
    const whole = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));
    if (type === 'uint8') return new this.ort.Tensor('uint8', Uint8Array.from(data, (v) => whole(v, 0, 255)), dims);
    if (type === 'int32') return new this.ort.Tensor('int32', Int32Array.from(data, (v) => whole(v, -2147483648, 2147483647)), dims);
    return new this.ort.Tensor('float32', data, dims);
  }

  async run(input: Float32Array, dims: number[]): Promise<Float32Array> {
    const feeds = { [this.inputName]: this.tensor(this.inputName, input, dims) };
    const result = await this.session.run(feeds, [this.outputName]);
    const out = result[this.outputName];
    const data = (out.location === 'cpu' ? out.data : await out.getData()) as Float32Array;
    out.dispose();
    return data;
  }

  async runFeeds(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Output>> {
    const tensors: Record<string, Ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      tensors[name] = f.dtype === 'int64'
        ? new this.ort.Tensor('int64', BigInt64Array.from(f.data as ArrayLike<number>, (v) => BigInt(Math.round(v))), f.dims)
        : this.tensor(name, f.data instanceof Float32Array ? f.data : Float32Array.from(f.data), f.dims);
    }
    const result = await this.session.run(tensors);
    const out: Record<string, Output> = {};
    for (const [name, t] of Object.entries(result)) {
      const data = t.location === 'cpu' ? t.data : await t.getData();
      out[name] = { data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number | bigint>, Number), dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** onnxruntime-web on the WebGPU execution provider (its own wasm build, loaded only when chosen). */
export const ortWebGpu: Backend = {
  name: 'webgpu',
  formats: ['onnx'],
  async available() {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'this browser has no WebGPU';
    const adapter = await gpu.requestAdapter().catch(() => null);
    return adapter ? true : 'WebGPU has no adapter here';
  },
  async load(model, options) {
    const ort = configure(await import('onnxruntime-web/webgpu'), options.threads ?? defaultThreads());
    const session = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
    return new OrtSession(ort, session, 'webgpu', options);
  },
};

/** onnxruntime-web on the WASM execution provider (SIMD always; threads when cross-origin isolated). */
export const ortWasm: Backend = {
  name: 'wasm',
  formats: ['onnx'],
  async available() {
    return typeof WebAssembly === 'object' ? true : 'this browser has no WebAssembly';
  },
  async load(model, options) {
    const threads = options.threads ?? defaultThreads();
    const ort = configure(await import('onnxruntime-web/wasm'), threads);
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new OrtSession(ort, session, `wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`, options);
  },
};
