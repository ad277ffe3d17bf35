// `ondevice profile MODEL [--runtime R] [--threads N] [--warmup N] [--runs N] [--input-shape NAME=D,D,…] [--input-value NAME=V] [--json]`.
import type { Command } from 'commander';
import { formatProfile } from '../report/profile-text.ts';
import { applyInputShapes, parseInputShapes, shapesFromRecipe } from '../ir/input-shapes.ts';
import { parseInputValues } from '../ir/input-values.ts';
import { findRecipe } from '../data/recipe.ts';
import { inputRecipeDims, inputRecipes, loadDataRecipe } from '../data/data-recipe.ts';
import { modelInputs } from '../data/model-inputs.ts';
import { readModel } from '../formats/registry.ts';
import { profileModel } from '../profile/profile.ts';
import { terminalProgress } from '../report/progress.ts';
import { action } from './action.ts';
import { profileOnHub } from './hub.ts';
import { collect, INPUT_SHAPE_HELP, INPUT_VALUE_HELP, nonNegativeInt } from './options.ts';

interface ProfileFlags { runtime?: string; threads?: number; warmup: number; runs: number; inputShape: string[]; inputValue: string[]; json?: boolean; perOp: boolean; device?: string; hub?: string; report?: string; parity?: boolean }

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
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP, collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP + '; the others get seeded random data', collect, [] as string[])
    .option('--no-per-op', 'skip the per-op profiler pass')
    .option('--json', 'print JSON (see docs/profile-json.md)')
    .option('--device <name>', 'run on devices of the running hub instead (`ondevice hub`): a device name or id, all, or any')
    .option('--parity', 'with --device: run the model on each page backend (WASM, WebGPU) and compare with onnxruntime-node here')
    .option('--hub <url>', 'with --device: the hub (default: the one `ondevice hub` runs on this machine)')
    .option('--report <file>', 'with --device: write an HTML report, devices side by side')
    .action(action(async (file: string, opts: ProfileFlags) => {
      let shapes = parseInputShapes(opts.inputShape);
      if (opts.device !== undefined) return profileOnHub(file, shapes, { ...opts, device: opts.device });
      // A recipe beside an ONNX model fills its dynamic dims (e.g. PaddleOCR's height and width) as the data would.
      const recipePath = file.endsWith('.onnx') ? findRecipe(file) : undefined;
      if (recipePath) {
        const declared = modelInputs(await readModel(file));
        for (const r of inputRecipes(loadDataRecipe(recipePath))) {
          const dims = inputRecipeDims(r);
          if (dims) shapes = shapesFromRecipe(declared, r.input, dims, shapes);
        }
      }
      const inputValues = opts.inputValue.length ? parseInputValues(opts.inputValue, applyInputShapes(modelInputs(await readModel(file)), shapes)) : undefined;
      const result = await profileModel(file, {
        runtime: opts.runtime,
        threads: opts.threads,
        warmup: opts.warmup,
        runs: opts.runs,
        shapes,
        ...(inputValues ? { inputValues } : {}),
        perOp: opts.perOp,
        progress: opts.json ? undefined : terminalProgress(),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatProfile(result)}\n`);
    }));
}
