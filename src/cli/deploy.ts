// `ondevice deploy web [MODEL] -o DIR`: package a model as an offline web app (PWA) for phones and browsers.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { deployWeb } from '../deploy/web.ts';
import { UsageError } from '../errors.ts';
import { formatBytes } from '../report/format.ts';
import { action } from './action.ts';
import { positiveInt } from './options.ts';

/** Adds the deploy command (subcommand: web). */
export function registerDeploy(program: Command): void {
  const deploy = program.command('deploy').description('package a model for a device');
  deploy
    .command('web')
    .description('write an offline web app (PWA) that runs MODEL on the camera, a drawing pad or photos (default: the embedded LeNet-5)')
    .argument('[model]', 'model file (.onnx)')
    .requiredOption('-o, --output <dir>', 'output folder (replaced if it holds an earlier ondevice site)')
    .option('--labels <file>', 'labels, one per line (default: the recipe\'s labels)')
    .option('--task <task>', 'what the model does', 'classify')
    .option('--recipe <file>', 'preprocessing recipe (default: MODEL.preprocess.json, or preprocess.json beside the model)')
    .option('--top-k <n>', 'labels to show', positiveInt('top-k'), 5)
    .option('--no-webgpu', 'leave out the WebGPU build of onnxruntime-web (≈27 MB; WASM only)')
    .action(action(async (model: string | undefined, opts: { output: string; labels?: string; task: string; recipe?: string; topK: number; webgpu: boolean }) => {
      if (opts.task !== 'classify') throw new UsageError(`unknown task '${opts.task}' (known: classify)`);
      const r = await deployWeb({ model, out: opts.output, labels: opts.labels, task: 'classify', preprocess: opts.recipe, topK: opts.topK, webgpu: opts.webgpu });
      const rel = relative(process.cwd(), r.dir);
      const shown = rel === '' ? '.' : rel.startsWith('..') ? r.dir : rel;
      process.stdout.write(`wrote ${shown}/: ${r.files.length} files, ${formatBytes(r.bytes)} (${r.config.name}, ${r.config.input === 'digit' ? 'camera + drawing pad + photo' : 'camera + photo'}, ` +
        `backends ${r.config.backends.join(' → ')}; ${r.precache.length} files precached for offline use)\n` +
        `serve it with: ondevice serve ${shown}\n`);
    }));
}
