// Registry of runtimes: pick one by name, or the first available one for a model format.
import { UsageError } from '../errors.ts';
import { coremlReferenceRuntime } from './coreml-reference.ts';
import { litertRuntime } from './litert.ts';
import { onnxReferenceRuntime } from './onnx-reference.ts';
import { ortNodeRuntime } from './ort-node.ts';
import { ortWebWasmRuntime } from './ort-web.ts';
import type { Runtime } from './runtime.ts';
import { tfjsRuntime } from './tfjs.ts';

const runtimes: Runtime[] = [ortNodeRuntime, ortWebWasmRuntime, litertRuntime, onnxReferenceRuntime, tfjsRuntime, coremlReferenceRuntime];

/** Adds a runtime (later registrations are tried after earlier ones). */
export function registerRuntime(runtime: Runtime): void {
  if (runtimes.some((r) => r.name === runtime.name)) throw new Error(`runtime '${runtime.name}' is already registered`);
  runtimes.push(runtime);
}

/** Names of all registered runtimes. */
export function runtimeNames(): string[] {
  return runtimes.map((r) => r.name);
}

/**
 * Resolves a runtime by name, or the first available one for `format`.
 * Throws a UsageError listing every runtime tried and why it failed.
 */
export async function resolveRuntime(opts: { name?: string; format?: string }): Promise<Runtime> {
  const candidates = opts.name
    ? runtimes.filter((r) => r.name === opts.name)
    : runtimes.filter((r) => !opts.format || r.formats.includes(opts.format));
  if (candidates.length === 0) {
    throw new UsageError(opts.name
      ? `unknown runtime '${opts.name}' (known: ${runtimeNames().join(', ')})`
      : `no runtime loads ${opts.format} models (known: ${runtimeNames().join(', ')})`);
  }
  const failures: string[] = [];
  for (const r of candidates) {
    const ok = await r.available();
    if (ok === true) return r;
    failures.push(`${r.name}: ${ok}`);
  }
  throw new UsageError(`no available runtime. ${failures.join('; ')}`);
}
