// `ondevice deploy web [MODEL] -o DIR`: package a model as an offline web app (PWA) for phones and browsers.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { deployWeb } from '../deploy/web.ts';
import { TASKS, type InputMode, type Task } from '../deploy/app-config.ts';
import { formatBytes } from '../report/format.ts';
import { action } from './action.ts';
import { positiveInt } from './options.ts';

/** The inputs the page offers for each task. */
const SOURCES: Record<Task, (input: InputMode) => string> = {
  classify: (input) => (input === 'digit' ? 'camera + drawing pad + photo' : 'camera + photo'),
  detect: () => 'camera + photo',
  segment: () => 'camera + photo',
  ocr: () => 'camera + photo + drawing pad',
  audio: () => 'microphone',
};

/** Adds the deploy command (subcommand: web). */
export function registerDeploy(program: Command): void {
  const deploy = program.command('deploy').description('package a model for a device');
  deploy
    .command('web')
    .description('write an offline web app (PWA) that runs MODEL on the camera, a drawing pad, photos or the microphone (default: the embedded LeNet-5)')
    .argument('[model]', 'model file (.onnx, .tflite or a TF.js model.json; the last two are compiled to ONNX)')
    .requiredOption('-o, --output <dir>', 'output folder (replaced if it holds an earlier ondevice site)')
    .option('--labels <file>', 'labels, one per line (default: the task\'s or the recipe\'s labels)')
    .option('--task <kind|file>', `what the model does: ${TASKS.join('|')}, or a task file (default: MODEL.task.json or task.json beside the model, else guessed from its shapes; docs/tasks.md)`)
    .option('--recognizer <file>', 'ocr: the text recogniser model run on each detected box')
    .option('--dictionary <file>', 'ocr: the recogniser\'s dictionary, one character per line')
    .option('--recipe <file>', 'preprocessing recipe (default: MODEL.preprocess.json, or preprocess.json beside the model, else one from the input shape)')
    .option('--top-k <n>', 'classify: labels to show (default 5)', positiveInt('top-k'))
    .option('--no-webgpu', 'leave out the WebGPU build of onnxruntime-web (≈27 MB; WASM only)')
    .action(action(async (model: string | undefined, opts: { output: string; labels?: string; task?: string; recognizer?: string; dictionary?: string; recipe?: string; topK?: number; webgpu: boolean }) => {
      const r = await deployWeb({
        model, out: opts.output, labels: opts.labels, task: opts.task, recognizer: opts.recognizer, dictionary: opts.dictionary,
        preprocess: opts.recipe, topK: opts.topK, webgpu: opts.webgpu,
      });
      for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
      const rel = relative(process.cwd(), r.dir);
      const shown = rel === '' ? '.' : rel.startsWith('..') ? r.dir : rel;
      process.stdout.write(`wrote ${shown}/: ${r.files.length} files, ${formatBytes(r.bytes)} (${r.config.name}, ${r.config.task}: ${SOURCES[r.config.task](r.config.input)}, ` +
        `backends ${r.config.backends.join(' → ')}; ${r.precache.length} files precached for offline use)\n` +
        `serve it with: ondevice serve ${shown}\n`);
    }));
}
