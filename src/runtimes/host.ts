// The host machine as a runtime's kernels see it: CPU model, architecture and the instruction-set features that change int8 kernels.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** What a result depends on beyond the model: the CPU and the features its int8 kernels dispatch on. */
export interface HostInfo {
  /** CPU model name, e.g. 'AMD EPYC 7B13'. */
  cpu: string;
  /** Node's `process.arch`: 'x64', 'arm64', … */
  arch: string;
  platform: string;
  /** Logical cores available to this process. */
  cores: number;
  /**
   * The features that select onnxruntime's and XNNPACK's int8 kernels, as /proc/cpuinfo spells them:
   * x86 `avx2`, `avx512f`, `avx512bw`, `avx512_vnni`, `avx_vnni`, `amx_int8`; ARM `asimd` (NEON), `asimddp` (dot product), `i8mm`.
   * Empty when the OS does not tell (then `known` is false).
   */
  features: string[];
  /** Whether the feature list was read from the OS (Linux /proc/cpuinfo) or is unknown. */
  known: boolean;
}

/** The features reported, in this order, when the CPU has them. */
export const KERNEL_FEATURES = ['avx2', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'amx_int8', 'asimd', 'asimddp', 'i8mm'] as const;

let cached: HostInfo | undefined;

/** This machine's HostInfo (read once). */
export function hostCpu(): HostInfo {
  if (cached) return cached;
  let flags: Set<string> | undefined;
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^(?:flags|Features)\s*:(.*)$/m.exec(text);
    if (line) flags = new Set(line[1].trim().split(/\s+/));
  } catch {
    flags = undefined;
  }
  // Apple silicon has NEON and dot product on every model; macOS has no /proc/cpuinfo.
  if (!flags && process.platform === 'darwin' && process.arch === 'arm64') flags = new Set(['asimd', 'asimddp']);
  cached = {
    cpu: cpus()[0]?.model?.trim() || 'unknown CPU',
    arch: process.arch,
    platform: process.platform,
    cores: availableParallelism(),
    features: flags ? KERNEL_FEATURES.filter((f) => flags!.has(f)) : [],
    known: flags !== undefined,
  };
  return cached;
}

/** True when the host is x86 and has a VNNI dot-product instruction (AVX-512 VNNI or AVX-VNNI). */
export function hasVnni(host: HostInfo): boolean {
  return host.features.includes('avx512_vnni') || host.features.includes('avx_vnni');
}

/**
 * Whether onnxruntime's uint8×int8 (U8S8) kernels can saturate here: on x86 without VNNI they multiply with
 * VPMADDUBSW/PMADDUBSW, whose int16 pair sums overflow when both products are large (onnxruntime documents this).
 * Undefined when the features are unknown.
 */
export function u8s8MaySaturate(host: HostInfo): boolean | undefined {
  if (host.arch !== 'x64' && host.arch !== 'ia32') return false;
  if (!host.known) return undefined;
  return !hasVnni(host);
}

/** One line: 'AMD EPYC 7B13, x64, 2 cores, avx2 avx512f avx512_vnni'. */
export function describeHost(host: HostInfo): string {
  const features = host.known ? (host.features.join(' ') || 'none of ' + KERNEL_FEATURES.join('/')) : 'CPU features unknown';
  return `${host.cpu}, ${host.arch}, ${host.cores} cores, ${features}`;
}
