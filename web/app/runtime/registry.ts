// The backends this page knows, by name; a later LiteRT.js backend (for .tflite) registers here too.
import type { BackendName } from '../config.ts';
import type { Backend } from './backend.ts';
import { ortWasm, ortWebGpu } from './ort.ts';

const BACKENDS: Record<BackendName, Backend> = { webgpu: ortWebGpu, wasm: ortWasm };

/** The backends for the given names, in that order. */
export function backendsFor(names: readonly BackendName[]): Backend[] {
  return names.map((n) => {
    const b = BACKENDS[n];
    if (!b) throw new Error(`unknown backend '${n}' (known: ${Object.keys(BACKENDS).join(', ')})`);
    return b;
  });
}
