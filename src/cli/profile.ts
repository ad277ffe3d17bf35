// `ondevice profile MODEL [--runtime R] [--threads N] [--warmup N] [--runs N] [--shape NAME=DIMS...] [--json]`.
import type { Command } from 'commander';
import { formatProfile } from '../profile/format.ts';
import { parseShapeOverrides } from '../profile/inputs.ts';
import { profileModel } from '../profile/profile.ts';
import { terminalProgress } from '../report/progress.ts';
import { action } from './action.ts';
import { nonNegativeInt } from './options.ts';

interface ProfileFlags { runtime?: string; threads?: number; warmup: number; runs: number; shape: string[]; json?: boolean; perOp: boolean }

/** Adds the profile command. */
export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('measure load time, first-inference time, latency percentiles, throughput, memory and per-op time')
    .argument('<model>', 'model file (.onnx)')
    .option('--runtime <name>', 'ort-node, ort-web-wasm or litert (default: by the file format)')
    .option('--threads <n>', 'intra-op threads (ort-web-wasm defaults to 1)', nonNegativeInt('threads'))
    .option('--warmup <n>', 'untimed warm-up runs', nonNegativeInt('warmup'), 10)
    .option('--runs <n>', 'timed runs', nonNegativeInt('runs'), 100)
    .option('--shape <name=dims...>', 'fix an input shape, e.g. input=1x3x224x224 (symbolic dims default to 1)', [])
    .option('--no-per-op', 'skip the per-op profiler pass')
    .option('--json', 'print JSON (see docs/profile-json.md)')
    .action(action(async (file: string, opts: ProfileFlags) => {
      const result = await profileModel(file, {
        runtime: opts.runtime,
        threads: opts.threads,
        warmup: opts.warmup,
        runs: opts.runs,
        shapes: parseShapeOverrides(opts.shape),
        perOp: opts.perOp,
        progress: opts.json ? undefined : terminalProgress(),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatProfile(result)}\n`);
    }));
}
