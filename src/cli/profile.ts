// `ondevice profile MODEL [--runtime R] [--threads N] [--warmup N] [--runs N] [--shape NAME=DIMS...] [--json]`.
import type { Command } from 'commander';
import { formatProfile } from '../profile/format.ts';
import { parseShapeOverrides } from '../profile/inputs.ts';
import { profileModel } from '../profile/profile.ts';
import { terminalProgress } from '../report/progress.ts';
import { UsageError } from '../errors.ts';
import { action } from './action.ts';

interface ProfileFlags { runtime?: string; threads?: string; warmup: string; runs: string; shape: string[]; json?: boolean; perOp: boolean }

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

/** Adds the profile command. */
export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('measure load time, first-inference time, latency percentiles, throughput, memory and per-op time')
    .argument('<model>', 'model file (.onnx)')
    .option('--runtime <name>', 'ort-node, ort-web-wasm or litert (default: by the file format)')
    .option('--threads <n>', 'intra-op threads (ort-web-wasm defaults to 1)')
    .option('--warmup <n>', 'untimed warm-up runs', '10')
    .option('--runs <n>', 'timed runs', '100')
    .option('--shape <name=dims...>', 'fix an input shape, e.g. input=1x3x224x224 (symbolic dims default to 1)', [])
    .option('--no-per-op', 'skip the per-op profiler pass')
    .option('--json', 'print JSON (see docs/profile-json.md)')
    .action(action(async (file: string, opts: ProfileFlags) => {
      const result = await profileModel(file, {
        runtime: opts.runtime,
        threads: int('threads', opts.threads),
        warmup: int('warmup', opts.warmup),
        runs: int('runs', opts.runs),
        shapes: parseShapeOverrides(opts.shape),
        perOp: opts.perOp,
        progress: opts.json ? undefined : terminalProgress(),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatProfile(result)}\n`);
    }));
}
