// `ondevice inspect MODEL [--json]`.
import type { Command } from 'commander';
import { inspectModel } from '../inspect.ts';
import { formatSummary } from '../report/summary-text.ts';
import { action } from './action.ts';
import { UsageError } from '../errors.ts';
import { collect, INPUT_SHAPE_HELP } from './options.ts';
import { parseInputShapes } from '../ir/input-shapes.ts';

/** Adds the inspect command. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a model\'s inputs, outputs, opsets, producer, op histogram, parameters, bytes by dtype and warnings')
    .argument('<model>', 'model file (.onnx, .tflite, TF.js model.json, Core ML .mlpackage folder or .mlmodel)')
    .option('--json', 'print JSON instead of tables')
    .option('--target <runtime>', 'qnn: per-node placement on ONNX Runtime\'s QNN EP (HTP NPU or CPU fallback, why, fix); tflite: per-op placement on LiteRT\'s XNNPACK and GPU delegates')
    .option('--input-shape <name=dims>', `with --target: ${INPUT_SHAPE_HELP}`, collect, [] as string[])
    .action(action(async (file: string, opts: { json?: boolean; target?: string; inputShape: string[] }) => {
      if (opts.inputShape.length > 0 && !opts.target) throw new UsageError('inspect --input-shape is for --target qnn (the placement assumes the fixed shapes)');
      const summary = await inspectModel(file, { target: opts.target, inputShapes: parseInputShapes(opts.inputShape) });
      process.stdout.write(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
    }));
}
