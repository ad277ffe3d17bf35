// Shared helpers of the parity tests: run a compiled model once on a runtime, and how closely its outputs follow a reference (PSNR, max abs error).
import { FidelityAccumulator } from '../../src/evaluate/metrics.ts';
import type { HostTensor, Runtime } from '../../src/runtimes/runtime.ts';

/** Max abs error, peak (max|ref|) and PSNR (20·log10(peak / RMSE), Infinity when identical); throws when the lengths differ. */
export function compare(ref: ArrayLike<number>, got: ArrayLike<number>): { maxAbs: number; psnr: number; peak: number } {
  const acc = new FidelityAccumulator();
  acc.add(ref, got);
  const { maxAbsError, psnr, peak } = acc.result();
  return { maxAbs: maxAbsError, psnr, peak };
}

/** PSNR in dB of `got` against `ref` (see {@link compare}). */
export function psnr(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  return compare(ref, got).psnr;
}

/** Loads `path` on `runtime`, runs `feeds` once and releases the session. */
export async function runFeeds(runtime: Runtime, path: string, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const s = await runtime.load(path);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** Runs `path` once on its first input; every output's values, in the session's output order. */
export async function runOutputs(runtime: Runtime, path: string, input: HostTensor): Promise<Float32Array[]> {
  const s = await runtime.load(path);
  try {
    const out = await s.run({ [s.inputs[0].name]: input });
    return s.outputs.map((o) => out[o.name].data as Float32Array);
  } finally {
    await s.release();
  }
}

/** Runs `path` once on its first input; its first output's values. */
export async function runOnce(runtime: Runtime, path: string, input: HostTensor): Promise<Float32Array> {
  return (await runOutputs(runtime, path, input))[0];
}
