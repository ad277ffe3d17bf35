// Runtime adapter for onnxruntime-node (native CPU execution provider).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { OndeviceError } from '../errors.ts';
import { availableParallelism } from 'node:os';
import type { HostTensor, IoInfo, ProfileEvent, Runtime, RuntimeInfo, RuntimeSession, SessionOptions } from './runtime.ts';
import { dtypeFromOrt, runOrtSession } from './ort-tensor.ts';
import { readProfileFile } from './ort-profile.ts';

type OrtModule = typeof import('onnxruntime-node');
let ortModule: OrtModule | undefined;

/** Loads onnxruntime-node on first use (its native binding costs ~100 ms to open). */
function ort(): OrtModule {
  ortModule ??= createRequire(import.meta.url)('onnxruntime-node') as OrtModule;
  return ortModule;
}

/** onnxruntime-node's version, e.g. '1.30.0'. */
export function ortVersion(): string {
  return ort().env.versions.node ?? ort().env.versions.common ?? 'unknown';
}

/** Describes the inputs or outputs ORT reports for a session. */
export function ioInfoOf(meta: readonly InferenceSession.ValueMetadata[]): IoInfo[] {
  return meta.map((m) => (m.isTensor
    ? { name: m.name, dtype: dtypeFromOrt(m.type), shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' && d ? d : null)) }
    : { name: m.name, dtype: 'unknown', shape: [] }));
}

class OrtNodeSession implements RuntimeSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  constructor(private readonly session: InferenceSession, private readonly modelPath: string, readonly info: RuntimeInfo, private readonly profileDir?: string) {
    this.inputs = ioInfoOf(session.inputMetadata);
    this.outputs = ioInfoOf(session.outputMetadata);
  }

  run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    return runOrtSession(this.session, ort().Tensor, 'onnxruntime-node', this.modelPath, feeds, fetches);
  }

  async endProfiling(): Promise<ProfileEvent[]> {
    // ORT's JS API drops the profile file's name: the session writes it into its own temp folder.
    this.session.endProfiling();
    if (!this.profileDir) return [];
    try {
      return readdirSync(this.profileDir).filter((f) => f.endsWith('.json')).flatMap((f) => readProfileFile(join(this.profileDir!, f)));
    } finally {
      rmSync(this.profileDir, { recursive: true, force: true });
    }
  }

  /** Releases the session and removes the profiler's temp folder (also when endProfiling was never reached). */
  async release(): Promise<void> {
    try {
      await this.session.release();
    } finally {
      if (this.profileDir) rmSync(this.profileDir, { recursive: true, force: true });
    }
  }
}

/** onnxruntime-node, CPU execution provider. */
export const ortNodeRuntime: Runtime = {
  name: 'ort-node',
  formats: ['onnx'],
  async available() {
    try {
      ort();
      return true;
    } catch (e) {
      return `onnxruntime-node cannot load: ${(e as Error).message}`;
    }
  },
  async load(modelPath: string, options: SessionOptions = {}): Promise<RuntimeSession> {
    // Threads are set explicitly (one per logical core unless asked) so every report can say how many ran.
    const threads = options.threads || availableParallelism();
    const opts: InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads: threads };
    if (options.optimization) opts.graphOptimizationLevel = options.optimization;
    const info: RuntimeInfo = { runtime: 'ort-node', engine: 'onnxruntime-node', version: ortVersion(), threads, optimization: options.optimization ?? 'all' };
    let profileDir: string | undefined;
    if (options.profile) {
      profileDir = mkdtempSync(join(tmpdir(), 'ondevice-ort-profile-'));
      opts.enableProfiling = true;
      opts.profileFilePrefix = join(profileDir, 'ort-profile');
    }
    try {
      return new OrtNodeSession(await ort().InferenceSession.create(modelPath, opts), modelPath, info, profileDir);
    } catch (e) {
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      const first = String((e as Error).message).split('\n')[0];
      throw new OndeviceError(`onnxruntime-node cannot load the model: ${first}`, { file: modelPath, cause: e });
    }
  },
};
