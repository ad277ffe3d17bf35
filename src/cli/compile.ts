// `ondevice compile MODEL --target tflite|onnx -o OUT [...]`: parse options, call the compiler, print what it did.
import type { Command } from 'commander';
import { compileFile, parseInputShapes, TARGETS, TFLITE_QUANTIZATIONS, type CompileReport, type Target, type TfliteQuantization } from '../compile/compile.ts';
import { modelInputs } from '../data/model-inputs.ts';
import type { Model } from '../ir/graph.ts';
import { openDataSource, DATA_SPEC_HELP } from '../data/open-source.ts';
import { findRecipe } from '../data/recipe.ts';
import { loadDataRecipe } from '../data/data-recipe.ts';
import { applyInputShapes } from '../ir/input-shapes.ts';
import { parseInputValues } from '../ir/input-values.ts';
import { UsageError } from '../errors.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../quantize/calibrate/calibrator.ts';
import { formatBytes } from '../report/format.ts';
import { terminalProgress } from '../report/progress.ts';
import { renderTable } from '../report/table.ts';
import { action } from './action.ts';
import { collect, INPUT_SHAPE_HELP, INPUT_VALUE_HELP, oneOf, positiveInt, refuseOverwritingInput } from './options.ts';

interface CompileCliOptions {
  target: string;
  output: string;
  quantize: string;
  calibration?: string;
  recipe?: string;
  method: string;
  limit: number;
  nhwcIo?: boolean;
  nchwIo?: boolean;
  inputShape: string[];
  inputValue: string[];
  json?: boolean;
}


/** The terminal report of a compile. */
export function formatCompileReport(r: CompileReport): string {
  const ops = Object.entries(r.ops).sort((a, b) => b[1] - a[1]);
  const lines = [...(r.preQuantized ? [`note: ${r.preQuantized.message}`] : []), renderTable(['op', 'count'], ops)];
  const total = ops.reduce((s, [, n]) => s + n, 0);
  lines.push(`${total} ops mapped to ${r.target}${r.hardSwishFused ? ` (${r.hardSwishFused} hard-swish patterns fused)` : ''}`);
  if (r.lift) lines.push(`lifted from .tflite: transposes ${r.lift.transposes.boundary} at model inputs/outputs, ${r.lift.transposes.inside} inside the graph`);
  if (r.transposes) lines.push(`transposes: ${r.transposes.boundary} at model inputs/outputs, ${r.transposes.inner} inside the graph`);
  lines.push(`size: ${formatBytes(r.inputBytes)} → ${formatBytes(r.outputBytes)} (${((100 * r.outputBytes) / r.inputBytes).toFixed(1)}%, ${r.quantize === 'none' ? 'float32' : r.quantize})`);
  lines.push(`wrote ${r.output}`);
  return lines.join('\n');
}

/** Adds the compile command. */
export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a model for a runtime: TensorFlow Lite / LiteRT (.tflite, NHWC) or ONNX Runtime (optimised .onnx)')
    .argument('<model>', 'model file (.onnx, or .tflite lifted to ONNX ops)')
    .requiredOption('-o, --output <file>', 'where to write the compiled model')
    .option('--target <target>', `one of ${TARGETS.join(', ')}`, 'tflite')
    .option('--quantize <mode>', `tflite precision: ${TFLITE_QUANTIZATIONS.join(', ')}`, 'none')
    .option('--calibration <data>', `calibration data for w8a8: ${DATA_SPEC_HELP}`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: MODEL.preprocess.json, or preprocess.json beside the model)')
    .option('--method <method>', `calibration method: ${CALIBRATION_METHODS.join(', ')}`, 'minmax')
    .option('--limit <n>', 'calibrate on at most n examples', positiveInt('limit'), 1000)
    .option('--nhwc-io', 'declare the tflite inputs/outputs NHWC (no transposes at the boundary)')
    .option('--nchw-io', 'a .tflite model: declare the lifted inputs/outputs NCHW (default NHWC, as the .tflite has them)')
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP, collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP, collect, [] as string[])
    .option('--json', 'print the report as JSON')
    .action(action(async (file: string, opts: CompileCliOptions) => {
      refuseOverwritingInput(opts.output, file);
      const target = oneOf<Target>('target', opts.target, TARGETS);
      const quantize = oneOf<TfliteQuantization>('quantize', opts.quantize, TFLITE_QUANTIZATIONS);
      const method = oneOf<CalibrationMethod>('method', opts.method, CALIBRATION_METHODS);
      const limit = opts.limit;
      if (quantize === 'w8a8' && !opts.calibration) throw new UsageError('--quantize w8a8 needs --calibration DATA');
      const recipePath = findRecipe(file, opts.recipe);
      const recipe = recipePath ? loadDataRecipe(recipePath) : undefined;
      const shapes = parseInputShapes(opts.inputShape);
      const inputValues = (model: Model) => parseInputValues(opts.inputValue, applyInputShapes(modelInputs(model), shapes));
      const report = await compileFile(file, opts.output, {
        target, quantize, method, limit, nhwcIo: Boolean(opts.nhwcIo), nchwIo: Boolean(opts.nchwIo), progress: terminalProgress(),
        ...(opts.inputShape.length ? { inputShapes: shapes } : {}),
        ...(opts.inputValue.length ? { inputValues } : {}),
        ...(opts.calibration ? { calibration: async (model: Model) => {
          const source = await openDataSource(opts.calibration!, modelInputs(model), { ...(recipe ? { recipe } : {}), inputValues: inputValues(model), purpose: 'calibration' });
          if (source.warning) process.stderr.write(`warning: ${source.warning}\n`);
          return source;
        } } : {}),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCompileReport(report)}\n`);
    }));
}
