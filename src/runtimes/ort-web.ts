// Runtime adapter for onnxruntime-web's wasm backend, run inside Node (the engine browsers get, measured locally).
import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InferenceSession } from 'onnxruntime-common';
import { OndeviceError } from '../errors.ts';
import { decodeOnnx } from '../formats/onnx/read.ts';
import { externalDataFiles } from '../ir/external.ts';
import { ioInfoOf } from './ort-node.ts';
import type { HostTensor, IoInfo, ProfileEvent, Runtime, RuntimeInfo, RuntimeSession, SessionOptions } from './runtime.ts';
import { runOrtSession } from './ort-tensor.ts';

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

/**
 * The external-data files an ONNX model refers to, as onnxruntime-web's `externalData` option (location as spelled in
 * the model → the file's bytes). Models without external data (no 'location' key anywhere in the bytes) are not parsed.
 */
async function externalDataOf(modelPath: string, bytes: Uint8Array): Promise<{ path: string; data: Uint8Array }[]> {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('location') < 0) return [];
  const files = externalDataFiles(decodeOnnx(bytes, modelPath));
  return Promise.all(files.map(async (f) => ({ path: f.location, data: new Uint8Array(await readFile(f.path)) })));
}

class OrtWebSession implements RuntimeSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  constructor(private readonly o: OrtWeb, private readonly session: InferenceSession, private readonly modelPath: string, readonly info: RuntimeInfo) {
    this.inputs = ioInfoOf(session.inputMetadata);
    this.outputs = ioInfoOf(session.outputMetadata);
  }

  run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    return runOrtSession(this.session, this.o.Tensor, 'onnxruntime-web (wasm)', this.modelPath, feeds, fetches);
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
    const info: RuntimeInfo = {
      runtime: 'ort-web-wasm', engine: 'onnxruntime-web (wasm)', version: o.env.versions.web ?? o.env.versions.common ?? 'unknown',
      threads: Number(o.env.wasm.numThreads) || 1, optimization: options.optimization ?? 'all',
    };
    const opts: InferenceSession.SessionOptions = { executionProviders: ['wasm'] };
    if (options.optimization) opts.graphOptimizationLevel = options.optimization;
    if (options.profile) opts.enableProfiling = true;
    const bytes = new Uint8Array(await readFile(modelPath));
    // Given bytes, the wasm build cannot open external-data files itself ("Module.MountedFiles is not available"):
    // hand it every file the model refers to, under the location the model spells.
    const external = await externalDataOf(modelPath, bytes);
    if (external.length) opts.externalData = external;
    try {
      return new OrtWebSession(o, await o.InferenceSession.create(bytes, opts), modelPath, info);
    } catch (e) {
      const first = String((e as Error).message ?? e).split('\n')[0];
      throw new OndeviceError(`onnxruntime-web (wasm) cannot load the model: ${first}`, { file: modelPath, cause: e });
    }
  },
};
