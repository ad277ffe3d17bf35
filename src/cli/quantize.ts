// `ondevice quantize MODEL -o OUT --scheme SCHEME [...]`: parse options, call the library, print the report.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { openDataSource, DATA_SPEC_HELP } from '../data/open-source.ts';
import { recipePathFor } from '../data/recipe.ts';
import { saveDataRecipe } from '../data/data-recipe.ts';
import { UsageError } from '../errors.ts';
import { readVerifiedModel } from '../formats/read-verified.ts';
import { writeModel } from '../formats/registry.ts';
import { modelBytes } from '../formats/model-bytes.ts';
import { CALIBRATION_METHODS } from '../quantize/calibrate/calibrator.ts';
import { quantizeModel } from '../quantize/quantize.ts';
import { quantizeMixedPrecision, type MixedPrecisionOptions } from '../pipeline/mixed-precision.ts';
import { formatQuantizeReport } from '../quantize/report.ts';
import { ACTIVATION_TYPES, parseMethod, parsePtqSteps, parseScheme, parseTarget, PTQ_STEPS, QUANTIZE_TARGETS, SCHEMES, type ActivationType, type QuantizeOptions } from '../quantize/schemes.ts';
import { formatBytes } from '../report/format.ts';
import { terminalProgress } from '../report/progress.ts';
import { modelData } from './model-data.ts';
import { action, EXIT } from './action.ts';
import { collect, INPUT_SHAPE_HELP, INPUT_VALUE_HELP, OUTPUTS_HELP, positiveInt, refuseOverwritingInput } from './options.ts';
import { liftForeignOrThrow } from '../passes/lift-foreign.ts';
import { parseOutputNames, selectOutputs } from '../passes/select-outputs.ts';

interface QuantizeCliOptions {
  output: string;
  scheme: string;
  calibration?: string;
  recipe?: string;
  method: string;
  limit: number;
  exclude?: string;
  perTensor?: boolean;
  asymmetricWeights?: boolean;
  target: string;
  inputShape: string[];
  inputValue: string[];
  outputs?: string;
  validation?: string;
  activationType?: string;
  blockSize?: number;
  mixedTargetPsnr?: number;
  mixedStrategy?: string;
  mixedLift?: string;
  passes: boolean;
  ptq?: string;
  json?: boolean;
}

/** The mixed-precision options from the --mixed-* flags (none without --mixed-target-psnr). */
function mixedOption(opts: QuantizeCliOptions): MixedPrecisionOptions | undefined {
  if (opts.mixedTargetPsnr === undefined) {
    if (opts.mixedStrategy || opts.mixedLift) throw new UsageError('--mixed-strategy and --mixed-lift need --mixed-target-psnr');
    return undefined;
  }
  if (!(opts.mixedTargetPsnr > 0)) throw new UsageError(`--mixed-target-psnr must be a positive number of dB`);
  if (opts.mixedStrategy && opts.mixedStrategy !== 'per-layer' && opts.mixedStrategy !== 'prefix') throw new UsageError(`unknown --mixed-strategy '${opts.mixedStrategy}' (known: per-layer, prefix)`);
  if (opts.mixedLift && opts.mixedLift !== '16bit' && opts.mixedLift !== 'float') throw new UsageError(`unknown --mixed-lift '${opts.mixedLift}' (known: 16bit, float)`);
  return {
    targetPsnr: opts.mixedTargetPsnr,
    ...(opts.mixedStrategy ? { strategy: opts.mixedStrategy as 'per-layer' | 'prefix' } : {}),
    ...(opts.mixedLift ? { lift: opts.mixedLift as '16bit' | 'float' } : {}),
  };
}

/** Adds the quantize command. */
export function registerQuantize(program: Command): void {
  program
    .command('quantize')
    .description('make a model smaller: float16, int8 (dynamic or static QDQ with calibration), or 4-bit weights')
    .argument('<model>', 'model file (.onnx, or .tflite / TF.js model.json lifted to ONNX ops)')
    .requiredOption('-o, --output <file>', 'where to write the quantized model')
    .requiredOption('--scheme <scheme>', `one of ${SCHEMES.join(', ')}`)
    .option('--calibration <data>', `calibration data: ${DATA_SPEC_HELP} (required by w8a8 and w8a16)`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: MODEL.preprocess.json, or preprocess.json beside the model)')
    .option('--method <method>', `calibration method: ${CALIBRATION_METHODS.join(', ')}`, 'minmax')
    .option('--limit <n>', 'calibrate on at most n examples', positiveInt('limit'), 1000)
    .option('--exclude <list>', 'comma-separated node names or op types to keep in float')
    .option('--per-tensor', 'one scale per weight tensor instead of per channel')
    .option('--asymmetric-weights', 'weights with a zero point instead of symmetric')
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP + '; shapes the random calibration data', collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP, collect, [] as string[])
    .option('--outputs <names>', OUTPUTS_HELP)
    .option('--validation <data>', `held-out data on which --mixed-target-psnr measures PSNR: ${DATA_SPEC_HELP} (default: the calibration data)`)
    .option('--target <runtime>', `runtime the model is for, which picks the activation type: ${QUANTIZE_TARGETS.join(', ')} (onnx: int8, qnn: uint8; see docs/quantization.md)`, 'onnx')
    .option('--activation-type <type>', `activation integer type, overriding the target's: ${ACTIVATION_TYPES.join(', ')}`)
    .option('--block-size <n>', 'weights per scale block for w4', positiveInt('block-size'))
    .option('--mixed-target-psnr <dB>', 'w8a8/w8a16: automatic mixed precision, lifting layers until the output PSNR on the calibration data reaches this', Number)
    .option('--mixed-strategy <s>', 'which layers mixed precision lifts: per-layer (noisiest by per-layer SQNR) or prefix (the first ones, by bisection)')
    .option('--mixed-lift <to>', 'what lifted layers become: 16bit (activations in uint16/int16) or float (weights and activations)')
    .option('--ptq <steps>', `w8a8/w8a16: post-training steps beyond min/max, comma-separated: ${PTQ_STEPS.join(', ')} (weights rounded by layer-output error on the calibration data), all, none (default none)`)
    .option('--no-passes', 'skip the graph passes (fold-batchnorm, …) before quantizing')
    .option('--json', 'print the report as JSON')
    .action(action(async (file: string, opts: QuantizeCliOptions) => {
      const scheme = parseScheme(opts.scheme);
      const method = parseMethod(opts.method);
      refuseOverwritingInput(opts.output, file);
      const { model: read } = await readVerifiedModel(file);
      if (opts.outputs !== undefined) selectOutputs(read, parseOutputNames(opts.outputs));
      const { recipe, inputs, shapes, values: inputValues } = modelData(file, read, opts);
      // A .tflite or TF.js model is lifted to ONNX ops with its input shapes (TF.js models often leave them open); I/O stays as the file has it.
      const { model } = liftForeignOrThrow(read, { inputShapes: shapes });
      const source = opts.calibration ? await openDataSource(opts.calibration, inputs, { recipe, inputValues, purpose: 'calibration' }) : undefined;
      if (source?.warning) process.stderr.write(`warning: ${source.warning}\n`);
      const mixed = mixedOption(opts);
      if (opts.validation && !mixed) throw new UsageError('--validation goes with --mixed-target-psnr');
      if (mixed && opts.validation) {
        const validation = await openDataSource(opts.validation, inputs, { recipe, inputValues, purpose: 'evaluation' });
        if (validation.warning) process.stderr.write(`warning: ${validation.warning}\n`);
        mixed.validation = validation;
      }
      const options: QuantizeOptions = {
        scheme,
        ...(source ? { calibration: { source, method, limit: opts.limit } } : {}),
        exclude: opts.exclude ? opts.exclude.split(',') : [],
        perChannel: !opts.perTensor,
        symmetric: !opts.asymmetricWeights,
        target: parseTarget(opts.target),
        ...(opts.activationType ? { activationType: opts.activationType as ActivationType } : {}),
        ...(opts.blockSize ? { blockSize: opts.blockSize } : {}),
        runPasses: opts.passes,
        ...(opts.ptq !== undefined ? { ptq: parsePtqSteps(opts.ptq) } : {}),
        progress: terminalProgress(),
      };
      const { model: quantized, report } = mixed ? await quantizeMixedPrecision(model, options, mixed) : await quantizeModel(model, options);
      await writeModel(quantized, opts.output);
      if (recipe) saveDataRecipe(recipe, recipePathFor(opts.output));
      const sizes = { before: modelBytes(file), after: statSync(opts.output).size };
      process.stdout.write(opts.json
        ? `${JSON.stringify({ output: opts.output, sizes, ...report }, null, 2)}\n`
        : `${formatQuantizeReport(report, sizes, formatBytes)}\nwrote ${opts.output}${recipe ? ` (+ ${recipePathFor(opts.output)})` : ''}\n`);
      // The model is written either way; a missed mixed-precision target is a failed check (exit 3), as a failed verdict.
      if (report.mixedPrecision && !report.mixedPrecision.met) process.exitCode = EXIT.checkFailed;
    }));
}
