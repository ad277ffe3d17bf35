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
    .option('--target <runtime>', 'qnn: add the per-node placement on ONNX Runtime\'s QNN EP (HTP NPU or CPU fallback, why, fix)')
    .action(action(async (file: string, opts: { json?: boolean; target?: string }) => {
      const summary = await inspectModel(file, { target: opts.target });
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
    }));
}
