// `ondevice quantize MODEL -o OUT --scheme SCHEME [...]`: parse options, call the library, print the report.
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
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
import { autoReportData, formatAutoOutcome, parseBudget, quantizeAuto } from '../pipeline/auto-quantize.ts';
import { writeHtmlReport } from '../report/html/index.ts';
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
  scheme?: string;
  calibration?: string;
  recipe?: string;
  method: string;
  limit: number;
  exclude?: string;
  int8Weights?: string;
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
  readerRanges?: boolean;
  auto?: boolean;
  budget?: string;
  report?: string;
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
    .option('--scheme <scheme>', `one of ${SCHEMES.join(', ')} (required unless --auto; with --auto, a comma-separated list limits the search)`)
    .option('--calibration <data>', `calibration data: ${DATA_SPEC_HELP} (required by w8a8, w8a16, w4a8 and w4a16)`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: MODEL.preprocess.json, or preprocess.json beside the model)')
    .option('--method <method>', `calibration method: ${CALIBRATION_METHODS.join(', ')}`, 'minmax')
    .option('--limit <n>', 'calibrate on at most n examples', positiveInt('limit'), 1000)
    .option('--exclude <list>', 'comma-separated node names or op types to keep in float')
    .option('--int8-weights <nodes>', 'w4a8/w4a16: comma-separated node names whose weights stay int8 (mixed weight precision; --auto picks them itself)')
    .option('--per-tensor', 'one scale per weight tensor instead of per channel')
    .option('--asymmetric-weights', 'weights with a zero point instead of symmetric')
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP + '; shapes the random calibration data', collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP, collect, [] as string[])
    .option('--outputs <names>', OUTPUTS_HELP)
    .option('--validation <data>', `held-out data on which --mixed-target-psnr or --auto measures PSNR: ${DATA_SPEC_HELP} (--mixed-target-psnr default: the calibration data)`)
    .option('--target <runtime>', `runtime the model is for, which picks the activation type: ${QUANTIZE_TARGETS.join(', ')} (onnx: int8, qnn: uint8; see docs/quantization.md)`, 'onnx')
    .option('--activation-type <type>', `activation integer type, overriding the target's: ${ACTIVATION_TYPES.join(', ')}`)
    .option('--block-size <n>', 'weights per scale block for w4; for w4a8/w4a16, int4 weights in blocks of n input channels (default: per output channel)', positiveInt('block-size'))
    .option('--mixed-target-psnr <dB>', 'w8a8/w8a16: automatic mixed precision, lifting layers until the output PSNR on the calibration data reaches this', Number)
    .option('--mixed-strategy <s>', 'which layers mixed precision lifts: per-layer (noisiest by per-layer SQNR) or prefix (the first ones, by bisection)')
    .option('--mixed-lift <to>', 'what lifted layers become: 16bit (activations in uint16/int16) or float (weights and activations)')
    .option('--ptq <steps>', `static schemes: post-training steps beyond min/max, comma-separated, run in this order: ${PTQ_STEPS.join(', ')}; all; none (default none). See docs/quantization.md`)
    .option('--reader-ranges', 'static schemes: narrow each 8-bit activation range to what its readers tell apart (HardSwish below −3, Relu below 0, HardSigmoid/Clip bounds); exact. See docs/quantization.md')
    .option('--auto', 'search schemes, --ptq steps and per-layer precision for the smallest model that meets --budget on --validation data')
    .option('--budget <b>', 'with --auto: psnr=DB (output PSNR against float) or drop=POINTS (top-1 accuracy lost; labelled validation data)')
    .option('--report <file.html>', 'with --auto: an HTML report of every candidate (PSNR against size, Pareto front)')
    .option('--no-passes', 'skip the graph passes (fold-batchnorm, …) before quantizing')
    .option('--json', 'print the report as JSON')
    .action(action(async (file: string, opts: QuantizeCliOptions) => {
      if (!opts.auto && (opts.budget || opts.report)) throw new UsageError('--budget and --report go with --auto');
      if (opts.auto && !opts.budget) throw new UsageError('--auto needs --budget psnr=DB or drop=POINTS');
      if (opts.auto && !opts.validation) throw new UsageError('--auto needs held-out --validation data (not the calibration data)');
      if (opts.auto && opts.validation && opts.calibration && resolve(opts.validation) === resolve(opts.calibration)) throw new UsageError(`--auto needs held-out --validation data: '${opts.validation}' is the calibration data`);
      if (opts.auto && (opts.mixedTargetPsnr !== undefined || opts.ptq !== undefined || opts.int8Weights !== undefined)) throw new UsageError('--auto chooses --ptq, --int8-weights and mixed precision itself: leave them out');
      if (!opts.auto && !opts.scheme) throw new UsageError("required option '--scheme <scheme>' not specified (or use --auto)");
      const budget = opts.auto ? parseBudget(opts.budget!) : undefined;
      const schemes = opts.scheme ? opts.scheme.split(',').map((x) => parseScheme(x.trim())) : [];
      if (!opts.auto && schemes.length > 1) throw new UsageError('one --scheme at a time (a list is for --auto)');
      const scheme = schemes[0] ?? 'w8a8';
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
      if (opts.validation && !mixed && !opts.auto) throw new UsageError('--validation goes with --mixed-target-psnr or --auto');
      const validation = opts.validation ? await openDataSource(opts.validation, inputs, { recipe, inputValues, purpose: 'evaluation' }) : undefined;
      if (validation?.warning) process.stderr.write(`warning: ${validation.warning}\n`);
      if (mixed && validation) mixed.validation = validation;
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
        ...(opts.readerRanges ? { readerRanges: true } : {}),
        ...(opts.int8Weights ? { int8Weights: opts.int8Weights.split(',').map((x) => x.trim()).filter(Boolean) } : {}),
        progress: terminalProgress(),
      };
      const auto = budget && validation
        ? await quantizeAuto(model, options, {
          budget, validation, ...(opts.scheme ? { schemes } : {}),
          onCandidate: opts.json ? undefined : (c) => process.stderr.write(`auto: ${c.scheme} ${c.ptq.join('+') || 'no ptq'}${c.lifted ? ` +${c.lifted} lifted` : ''}${c.int8Layers ? ` +${c.int8Layers} int8 layers` : ''}: ${c.psnr.toFixed(1)} dB, ${(100 * c.sizeRatio).toFixed(1)}% of float${c.met ? ' ✓' : ''}\n`),
        })
        : undefined;
      const { model: quantized, report } = auto ?? (mixed ? await quantizeMixedPrecision(model, options, mixed) : await quantizeModel(model, options));
      await writeModel(quantized, opts.output);
      if (recipe) saveDataRecipe(recipe, recipePathFor(opts.output));
      const sizes = { before: modelBytes(file), after: statSync(opts.output).size };
      if (auto && opts.report) writeHtmlReport(opts.report, autoReportData(auto.auto, basename(file)));
      process.stdout.write(opts.json
        ? `${JSON.stringify({ output: opts.output, sizes, ...report, ...(auto ? { auto: auto.auto } : {}) }, null, 2)}\n`
        : `${auto ? `${formatAutoOutcome(auto.auto).join('\n')}\n` : ''}${formatQuantizeReport(report, sizes, formatBytes)}\nwrote ${opts.output}${recipe ? ` (+ ${recipePathFor(opts.output)})` : ''}${auto && opts.report ? ` and ${opts.report}` : ''}\n`);
      // A budget --auto could not meet is a failed check too: the closest model is written.
      if (auto && !auto.auto.met) process.exitCode = EXIT.checkFailed;
      // The model is written either way; a missed mixed-precision target is a failed check (exit 3), as a failed verdict.
      if (report.mixedPrecision && !report.mixedPrecision.met) process.exitCode = EXIT.checkFailed;
    }));
}
