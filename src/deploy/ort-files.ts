// The onnxruntime-web files a deployed site needs (wasm binaries + their ES-module glue), found in the installed package.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OndeviceError } from '../errors.ts';

/** Which onnxruntime-web build each page backend loads (see web/app/runtime/ort.ts). */
export const ORT_BUILDS = {
  /** `onnxruntime-web/wasm`: the WASM execution provider. */
  wasm: 'ort-wasm-simd-threaded',
  /** `onnxruntime-web/webgpu`: the WebGPU execution provider (a separate, larger wasm build). */
  webgpu: 'ort-wasm-simd-threaded.asyncify',
} as const;

/** The installed onnxruntime-web `dist` folder. */
export function ortWebDist(): string {
  // The package's Node entry lives in dist/; its exports hide package.json.
  const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  if (!existsSync(join(dist, `${ORT_BUILDS.wasm}.wasm`))) throw new OndeviceError(`onnxruntime-web's wasm files are missing from ${dist}`);
  return dist;
}

/** The installed onnxruntime-web version. */
export function ortWebVersion(): string {
  return (JSON.parse(readFileSync(join(ortWebDist(), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** File names (in dist/) of the given backends' builds: `X.wasm` and `X.mjs` each. */
export function ortFilesFor(backends: readonly (keyof typeof ORT_BUILDS)[]): string[] {
  return backends.flatMap((b) => [`${ORT_BUILDS[b]}.mjs`, `${ORT_BUILDS[b]}.wasm`]);
}
