// `ondevice inspect MODEL [--json]`.
import type { Command } from 'commander';
import { inspectModel } from '../inspect.ts';
import { formatSummary } from '../report/summary-text.ts';
import { action } from './action.ts';

/** Adds the inspect command. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, opsets, producer, op histogram, parameters, bytes by dtype and warnings')
    .argument('<model>', 'model file (.onnx, .tflite or TF.js model.json)')
    .option('--json', 'print JSON instead of tables')
    .action(action(async (file: string, opts: { json?: boolean }) => {
      const summary = await inspectModel(file);
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
    }));
}
