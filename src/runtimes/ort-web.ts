// Runtime adapter for onnxruntime-web's wasm backend, run inside Node (the engine browsers get, measured locally).
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InferenceSession } from 'onnxruntime-common';
import { OndeviceError } from '../errors.ts';
import { ioInfoOf } from './ort-node.ts';
import type { HostTensor, IoInfo, ProfileEvent, Runtime, RuntimeSession, SessionOptions } from './runtime.ts';
import { fromOrtTensor, ortType } from './ort-tensor.ts';

type OrtWeb = typeof import('onnxruntime-web');
let ortWeb: Promise<OrtWeb> | undefined;

/** Imports onnxruntime-web once and points it at its own dist folder, so it never fetches anything. */
function ort(): Promise<OrtWeb> {
  ortWeb ??= (async () => {
    const main = createRequire(import.meta.url).resolve('onnxruntime-web');
    const mod = (await import('onnxruntime-web')) as OrtWeb & { default?: OrtWeb };
    const o = (mod.InferenceSession ? mod : mod.default!) as OrtWeb;
    o.env.wasm.wasmPaths = pathToFileURL(join(dirname(main), '/')).href;
    o.env.wasm.proxy = false;
    return o;
  })();
  return ortWeb;
}

interface TraceEvent { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }

/**
 * The wasm build prints its profile (Chrome trace JSON lines) to stdout with `fs.writeSync(1, …)`
 * instead of writing a file: capture those writes while `fn` runs and keep the Node kernel events.
 */
async function captureProfile(fn: () => unknown): Promise<ProfileEvent[]> {
  const chunks: string[] = [];
  const writeSync = fs.writeSync;
  fs.writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 1 && typeof data === 'string') {
      chunks.push(data);
      return Buffer.byteLength(data);
    }
    return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof fs.writeSync;
  try {
    await fn();
  } finally {
    fs.writeSync = writeSync;
  }
  const events: ProfileEvent[] = [];
  for (const line of chunks.join('').split('\n')) {
    const text = line.trim().replace(/,$/, '');
    if (!text.startsWith('{')) continue;
    let e: TraceEvent;
    try {
      e = JSON.parse(text) as TraceEvent;
    } catch {
      continue;
    }
    if (e.cat === 'Node' && e.name?.endsWith('_kernel_time')) {
      events.push({ name: e.name.replace(/_kernel_time$/, ''), op: e.args?.op_name, durationUs: e.dur ?? 0 });
    }
  }
  return events;
}

class OrtWebSession implements RuntimeSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  constructor(private readonly o: OrtWeb, private readonly session: InferenceSession, private readonly modelPath: string) {
    this.inputs = ioInfoOf(session.inputMetadata);
    this.outputs = ioInfoOf(session.outputMetadata);
  }

  async run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, InstanceType<OrtWeb['Tensor']>> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = new this.o.Tensor(ortType(t.dtype) as 'float32', t.data as Float32Array, t.dims);
    }
    let result;
    try {
      result = fetches ? await this.session.run(ortFeeds, fetches) : await this.session.run(ortFeeds);
    } catch (e) {
      throw new OndeviceError(`onnxruntime-web (wasm) failed to run: ${(e as Error).message}`, { file: this.modelPath, cause: e });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(result)) out[name] = fromOrtTensor(t as never);
    return out;
  }

  endProfiling(): Promise<ProfileEvent[]> {
    return captureProfile(() => this.session.endProfiling());
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** onnxruntime-web, wasm execution provider, in this Node process (threads default to 1). */
export const ortWebWasmRuntime: Runtime = {
  name: 'ort-web-wasm',
  formats: ['onnx'],
  async available() {
    try {
      await ort();
      return true;
    } catch (e) {
      return `onnxruntime-web cannot load: ${(e as Error).message}`;
    }
  },
  async load(modelPath: string, options: SessionOptions = {}): Promise<RuntimeSession> {
    const o = await ort();
    // numThreads is global and fixed once the wasm module is initialised (the first session).
    o.env.wasm.numThreads = options.threads ?? 1;
    const opts: InferenceSession.SessionOptions = { executionProviders: ['wasm'] };
    if (options.optimization) opts.graphOptimizationLevel = options.optimization;
    if (options.profile) opts.enableProfiling = true;
    const bytes = new Uint8Array(await readFile(modelPath));
    try {
      return new OrtWebSession(o, await o.InferenceSession.create(bytes, opts), modelPath);
    } catch (e) {
      const first = String((e as Error).message ?? e).split('\n')[0];
      throw new OndeviceError(`onnxruntime-web (wasm) cannot load the model: ${first}`, { file: modelPath, cause: e });
    }
  },
};
