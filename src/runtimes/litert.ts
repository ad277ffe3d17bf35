// Runtime adapter for LiteRT.js (@litertjs/core): .tflite models on LiteRT's wasm CPU path, in headless Chromium.
import { readFile } from 'node:fs/promises';
import { OndeviceError } from '../errors.ts';
import type { DType } from '../ir/dtype.ts';
import { acquireHost, closeLiteRtHosts, litertAvailable, releaseHost, type LiteRtHost } from './litert/host.ts';
import { fromWire, LITERT_DTYPES, toWire, type WireTensor } from './litert/transfer.ts';
import { errorLines, liteRtFailure, watchLog } from './litert/log.ts';
import { createRequire } from 'node:module';
import type { HostTensor, IoInfo, Runtime, RuntimeInfo, RuntimeSession, SessionOptions } from './runtime.ts';

/** Tensor details as the page reports them (LiteRT's getInputDetails/getOutputDetails). */
interface PageDetails {
  name: string;
  index: number;
  dtype: string;
  shape: number[];
}

/** A LiteRT session: the RuntimeSession contract plus the latency measured inside the page. */
export interface LiteRtSession extends RuntimeSession {
  /** How long `model.run` took inside the page on the last run, ms (performance.now; no transfer). */
  lastRunMs(): number | undefined;
  /** Time LiteRT took to compile the model in the page, ms. */
  readonly compileMs: number;
}

let nextId = 1;

function ioInfo(d: PageDetails): IoInfo {
  return { name: d.name, dtype: (LITERT_DTYPES as readonly string[]).includes(d.dtype) ? (d.dtype as DType) : 'unknown', shape: d.shape.map((n) => (n >= 0 ? n : null)) };
}

/** True when the bytes carry the TFLite file identifier 'TFL3' at offset 4. */
export function hasTfliteIdentifier(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]) === 'TFL3';
}

type LoadInfo = { inputs: PageDetails[]; outputs: PageDetails[]; compileMs: number };

/** A model compiled in a page: its id there, its I/O, and the LiteRT error lines its compilation logged. */
type Compiled = { id: number; info: LoadInfo; log: string[] };

/** Compiles `bytes` in a host's page under a fresh id. */
async function compileIn(host: LiteRtHost, bytes: Uint8Array, threads: number): Promise<Compiled> {
  const id = nextId++;
  const path = `/model/${id}.tflite`;
  host.server.put(path, { body: bytes, type: 'application/octet-stream' });
  try {
    const { value: info, lines } = await watchLog(host.page.page, () => host.call<LoadInfo>('load', id, path, threads));
    const failure = liteRtFailure(lines);
    if (failure) {
      await host.call('release', id).catch(() => undefined);
      throw new Error(failure);
    }
    return { id, info, log: errorLines(lines) };
  } finally {
    host.server.drop(path);
  }
}

let litertVersionCache: string | undefined;

/** @litertjs/core's version from its package.json (its exports do not list the file, so it is found beside the entry point). */
function litertVersion(): string {
  if (litertVersionCache) return litertVersionCache;
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@litertjs/core');
    const root = entry.slice(0, entry.lastIndexOf('/node_modules/@litertjs/core/') + '/node_modules/@litertjs/core/'.length);
    litertVersionCache = (require(`${root}package.json`) as { version: string }).version;
  } catch {
    litertVersionCache = 'unknown';
  }
  return litertVersionCache;
}

class LiteRtWasmSession implements LiteRtSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  readonly compileMs: number;
  readonly info: RuntimeInfo;
  private lastMs: number | undefined;
  private released = false;

  constructor(
    private host: LiteRtHost,
    private id: number,
    private readonly threads: number,
    private readonly modelPath: string,
    private readonly bytes: Uint8Array,
    info: LoadInfo,
    private loadLog: string[],
  ) {
    this.inputs = info.inputs.map(ioInfo);
    this.outputs = info.outputs.map(ioInfo);
    this.compileMs = info.compileMs;
    this.info = { runtime: 'litert', engine: 'LiteRT.js (@litertjs/core, wasm in Chromium)', version: litertVersion(), threads };
  }

  lastRunMs(): number | undefined {
    return this.lastMs;
  }

  /** The host closes when idle even while sessions live; reopen it and recompile the model then. */
  private async ensureOpen(): Promise<void> {
    if (!this.host.closed) return;
    const host = await acquireHost(this.threads);
    try {
      const compiled = await compileIn(host, this.bytes, this.threads);
      this.id = compiled.id;
      this.loadLog = compiled.log;
      this.host = host;
    } catch (e) {
      releaseHost(this.threads, host);
      throw e;
    }
  }

  async run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    if (this.released) throw new OndeviceError('LiteRT session already released', { file: this.modelPath });
    const fail = (msg: string, cause?: unknown) => new OndeviceError(`LiteRT.js failed to run: ${msg}`, { file: this.modelPath, cause });
    const unknown = Object.keys(feeds).filter((n) => !this.inputs.some((i) => i.name === n));
    if (unknown.length) throw fail(`unknown input(s) ${unknown.join(', ')} (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
    const want: number[] = [];
    for (const name of fetches ?? this.outputs.map((o) => o.name)) {
      const i = this.outputs.findIndex((o) => o.name === name);
      if (i < 0) throw fail(`unknown output ${name} (outputs: ${this.outputs.map((o) => o.name).join(', ')})`);
      want.push(i);
    }
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) throw fail(`missing input ${info.name}`);
      if (t.dtype !== info.dtype) throw fail(`input ${info.name} must be ${info.dtype}, got ${t.dtype}`);
      const count = t.dims.reduce((a, b) => a * b, 1);
      if (count !== t.data.length) throw fail(`input ${info.name}: dims [${t.dims}] hold ${count} values but the data has ${t.data.length}`);
    }
    try {
      await this.ensureOpen();
    } catch (e) {
      throw fail(`cannot reopen LiteRT.js: ${(e as Error).message}`, e);
    }
    const { server } = this.host;
    const runKey = `${this.id}-${nextId++}`;
    const blobs: string[] = [];
    try {
      const wire = this.inputs.map((info, i) => {
        const { wire: w, blob } = toWire(feeds[info.name], server, `/input/${runKey}/${i}`);
        if (blob) blobs.push(blob);
        return w;
      });
      let answer: { outputs: (WireTensor | null)[]; runMs: number };
      let failure: string | undefined;
      try {
        const host = this.host;
        const { value, lines } = await watchLog(host.page.page, () => host.call<typeof answer>('run', this.id, wire, want));
        answer = value;
        failure = liteRtFailure([...this.loadLog, ...lines]);
      } catch (e) {
        throw fail((e as Error).message, e);
      }
      if (failure) throw fail(`${failure}; its outputs are not results`);
      this.lastMs = answer.runMs;
      const out: Record<string, HostTensor> = {};
      for (const i of want) out[this.outputs[i].name] = fromWire(answer.outputs[i]!);
      return out;
    } finally {
      for (const b of blobs) server.drop(b);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.host.closed) return;
    try {
      await this.host.call('release', this.id);
    } catch {
      // The page may already be gone (closed or crashed); nothing is left to free.
    } finally {
      releaseHost(this.threads, this.host);
    }
  }
}

/**
 * LiteRT.js on its wasm (XNNPACK CPU) accelerator, in headless Chromium served from a local server.
 * Loads .tflite files whose inputs and outputs are float32, int32 or uint8 (what LiteRT.js 2.x carries).
 * Sessions are {@link LiteRtSession}s: `lastRunMs()` gives the in-page latency of the last run.
 */
export const litertRuntime: Runtime = {
  name: 'litert',
  formats: ['tflite'],
  async available() {
    return litertAvailable();
  },
  async load(modelPath: string, options: SessionOptions = {}): Promise<LiteRtSession> {
    const bytes = new Uint8Array(await readFile(modelPath));
    if (!hasTfliteIdentifier(bytes)) {
      throw new OndeviceError("LiteRT cannot load the model: not a TFLite flatbuffer (no 'TFL3' identifier at byte 4)", { file: modelPath });
    }
    const ok = litertAvailable();
    if (ok !== true) throw new OndeviceError(`LiteRT.js is not available: ${ok}`, { file: modelPath });
    const threads = Math.max(1, options.threads ?? 1);
    const host = await acquireHost(threads).catch((e) => {
      throw new OndeviceError(`LiteRT.js could not start in Chromium: ${(e as Error).message}`, { file: modelPath, cause: e });
    });
    try {
      const { id, info, log } = await compileIn(host, bytes, threads);
      return new LiteRtWasmSession(host, id, threads, modelPath, bytes, info, log);
    } catch (e) {
      releaseHost(threads, host);
      const msg = (e as Error).message;
      const hint = /Element type \w+ is not supported/.test(msg) ? ` (LiteRT.js passes only ${LITERT_DTYPES.join(', ')} tensors in and out)` : '';
      throw new OndeviceError(`LiteRT cannot load the model: ${msg}${hint}`, { file: modelPath, cause: e });
    }
  },
};

/** Closes LiteRT's browser and server now (they otherwise close shortly after the last session is released). */
export const closeLiteRt = closeLiteRtHosts;
