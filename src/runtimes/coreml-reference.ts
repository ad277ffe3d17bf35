// Runtime adapter `coreml-reference`: runs a Core ML ML Program (.mlpackage) with the MIL reference executor, no Apple software.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OndeviceError, UsageError, withFile } from '../errors.ts';
import type { DType } from '../ir/dtype.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { readCoreMlPackage } from '../formats/coreml/read.ts';
import type { CoreMlModel, MilDtype, MilFunction } from '../formats/coreml/program.ts';
import { IO_NAMES_KEY, isTensorType } from '../formats/coreml/program.ts';
import { runMilProgram } from './coreml/executor.ts';
import type { HostTensor, IoInfo, Runtime, RuntimeInfo, RuntimeSession, SessionOptions } from './runtime.ts';

const IO_DTYPE: Partial<Record<MilDtype, DType>> = { fp16: 'float16', fp32: 'float32', fp64: 'float64', int32: 'int32', bool: 'bool', int64: 'int64', string: 'string' };

/** ondevice's own version: the executor is part of it. */
function ondeviceVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The value types of a function's outputs, found on the operations that compute them. */
function outputInfo(fn: MilFunction): IoInfo[] {
  const types = new Map(fn.operations.flatMap((op) => op.outputs.map((o) => [o.name, o.type] as const)));
  for (const i of fn.inputs) types.set(i.name, i.type);
  return fn.outputs.map((name) => {
    const t = types.get(name);
    if (!t) return { name, dtype: 'unknown', shape: [] };
    if (isTensorType(t)) return { name, dtype: IO_DTYPE[t.dtype] ?? 'unknown', shape: [...t.shape] };
    // A classifier's probability dict comes back as its float64 values in class order.
    return t.kind === 'dict' ? { name, dtype: 'float64', shape: [null] } : { name, dtype: 'unknown', shape: [] };
  });
}

export { IO_NAMES_KEY };

/** The MIL → source name map of a model's metadata (empty when absent or malformed). */
function ioNames(model: CoreMlModel): Map<string, string> {
  const raw = model.description.metadata.userDefined[IO_NAMES_KEY];
  if (!raw) return new Map();
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object') return new Map();
    return new Map(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return new Map();
  }
}

class CoreMlReferenceSession implements RuntimeSession {
  readonly inputs: IoInfo[];
  readonly outputs: IoInfo[];
  private lastMs: number | undefined;
  private readonly toSource: Map<string, string>;
  private readonly toMil: Map<string, string>;
  constructor(private readonly model: CoreMlModel, private readonly path: string, readonly info: RuntimeInfo) {
    const fn = model.program.functions.main;
    this.toSource = ioNames(model);
    this.toMil = new Map([...this.toSource].map(([mil, src]) => [src, mil]));
    const named = (name: string): string => this.toSource.get(name) ?? name;
    this.inputs = fn.inputs.map((i) => ({ name: named(i.name), dtype: IO_DTYPE[i.type.dtype] ?? 'unknown', shape: [...i.type.shape] }));
    this.outputs = outputInfo(fn).map((o) => ({ ...o, name: named(o.name) }));
  }

  async run(feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> {
    const start = performance.now();
    let all: Record<string, HostTensor>;
    try {
      const milFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [this.toMil.get(k) ?? k, v]));
      const out = runMilProgram(this.model, milFeeds);
      all = Object.fromEntries(Object.entries(out).map(([k, v]) => [this.toSource.get(k) ?? k, v]));
    } catch (e) {
      throw e instanceof OndeviceError ? withFile(e, this.path) : e;
    }
    this.lastMs = performance.now() - start;
    if (!fetches) return all;
    const out: Record<string, HostTensor> = {};
    for (const name of fetches) {
      if (!(name in all)) throw new UsageError(`no output '${name}' (outputs: ${Object.keys(all).join(', ')})`, { file: this.path });
      out[name] = all[name];
    }
    return out;
  }

  lastRunMs(): number | undefined {
    return this.lastMs;
  }

  async release(): Promise<void> {}
}

/**
 * `coreml-reference`: loads a .mlpackage folder (or .mlmodel) with the Core ML reader and runs its `main` function op by op
 * in TypeScript (src/runtimes/coreml), every tensor in its MIL dtype (fp16 rounded to half). I/O carry the source model's
 * names when the metadata maps them ({@link IO_NAMES_KEY}; MIL names are identifiers). Single-threaded; for checking
 * a compiled model against onnxruntime, not for speed. Execution on Apple hardware may differ (ANE/GPU accumulation).
 */
export const coremlReferenceRuntime: Runtime = {
  name: 'coreml-reference',
  formats: ['coreml'],
  available: async () => true,
  async load(modelPath: string, _options: SessionOptions = {}): Promise<RuntimeSession> {
    const model = await readCoreMlPackage(modelPath);
    if (!model.program.functions.main) throw new UsageError(`the ML Program has no 'main' function`, { file: modelPath });
    const info: RuntimeInfo = { runtime: 'coreml-reference', engine: 'ondevice MIL reference', version: ondeviceVersion(), threads: 1 };
    return new CoreMlReferenceSession(model, modelPath, info);
  },
};
