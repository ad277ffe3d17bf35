// `ondevice compile MODEL --target tflite|onnx -o OUT [...]`: parse options, call the compiler, print what it did.
import type { Command } from 'commander';
import { compileFile, COREML_QUANTIZATIONS, MIN_IOS_VERSIONS, parseInputShapes, QNN_PRECISIONS, TARGETS, TFLITE_QUANTIZATIONS, type CompileOptions, type CompileReport, type CoremlCompileOptions, type CoremlQuantization, type QnnPrecision, type Target, type TfliteQuantization } from '../compile/compile.ts';
import { findLabels, readLabels } from '../data/labels.ts';
import type { Recipe } from '../data/recipe.ts';
import { modelInputs } from '../data/model-inputs.ts';
import type { Model } from '../ir/graph.ts';
import { openDataSource, DATA_SPEC_HELP } from '../data/open-source.ts';
import { findRecipe } from '../data/recipe.ts';
import { imageRecipeOf, loadDataRecipe } from '../data/data-recipe.ts';
import { applyInputShapes } from '../ir/input-shapes.ts';
import { parseInputValues } from '../ir/input-values.ts';
import { UsageError } from '../errors.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../quantize/calibrate/calibrator.ts';
import { parsePtqSteps, PTQ_STEPS } from '../quantize/schemes.ts';
import { formatBytes } from '../report/format.ts';
import { terminalProgress } from '../report/progress.ts';
import { renderTable } from '../report/table.ts';
import { compileTfliteMixedPrecision, type TfliteMixedOptions, type TfliteMixedReport } from '../pipeline/tflite-mixed-precision.ts';
import { compileQnnMixedPrecision, type QnnMixedReport } from '../pipeline/qnn-mixed-precision.ts';
import { action, EXIT } from './action.ts';
import { collect, INPUT_SHAPE_HELP, INPUT_VALUE_HELP, nameList, OUTPUTS_HELP, oneOf, positiveInt, refuseOverwritingInput } from './options.ts';
import { parseOutputNames } from '../passes/select-outputs.ts';

interface CompileCliOptions {
  target: string;
  output: string;
  quantize: string;
  precision?: string;
  calibration?: string;
  recipe?: string;
  method: string;
  limit: number;
  nhwcIo?: boolean;
  nchwIo?: boolean;
  inputShape: string[];
  inputValue: string[];
  exclude?: string;
  outputs?: string;
  mixedTargetPsnr?: number;
  mixedStrategy?: string;
  validation?: string;
  int8Weights?: string;
  wideValues?: string;
  ptq?: string;
  minIos?: string;
  compute?: string;
  imageInput?: boolean;
  labels?: string;
  json?: boolean;
}

/** The terminal lines of a TFLite mixed-precision compile: search and LiteRT PSNR per round, float ops, size. */
export function formatTfliteMixed(m: TfliteMixedReport, outputBytes: number): string {
  const lines = m.rounds.map((r, i) => `mixed precision${m.rounds.length > 1 ? ` round ${i + 1}` : ''}: ${r.exclude.length} nodes float (${r.floatOps.float} of ${r.floatOps.total} ops), ` +
    `search ${r.searchPsnr.toFixed(1)} dB (ONNX, target ${r.searchTarget.toFixed(1)}), LiteRT.js ${r.litertPsnr.toFixed(1)} dB on ${m.examples} examples of ${m.validation}`);
  lines.push(`size ${((100 * outputBytes) / m.floatBytes).toFixed(1)}% of the float32 .tflite; target ${m.targetPsnr} dB ${m.met ? 'met' : 'MISSED'} in LiteRT.js`);
  return [...lines, ...m.warnings.map((w) => `warning: ${w}`)].join('\n');
}

/** The terminal lines of a QNN mixed-precision compile: activations at 16 bits, PSNR, converts. */
export function formatQnnMixed(m: QnnMixedReport, r: CompileReport): string {
  const units = r.qnn?.mixed;
  const lines = [
    `mixed precision (${m.strategy}): ${m.sixteenBit.values.length} of ${m.sixteenBit.of} activations at 16 bits` +
      `${units ? ` (${units.sixteenBitNodes} ops in 16-bit units, ${units.converts} DQ → Q converts)` : ''}; search trail ${m.searchTrail.map((p) => p.toFixed(1)).join(' → ')} dB`,
    `compiled model: ${m.psnr.toFixed(1)} dB on ${m.examples} examples of ${m.validation}; target ${m.targetPsnr} dB ${m.met ? 'met' : 'MISSED'}`,
    ...(m.sixteenBit.values.length ? ['to compile this mix again without the search: --wide-values with the names --json lists (mixedPrecision.sixteenBit.values)'] : []),
  ];
  return [...lines, ...m.warnings.map((w) => `warning: ${w}`)].join('\n');
}

/** The mixed-precision search options of the compile flags (none without --mixed-target-psnr). */
function mixedOption(opts: CompileCliOptions, target: Target, quantize: TfliteQuantization, precision: QnnPrecision | undefined): TfliteMixedOptions['mixed'] | undefined {
  if (opts.mixedTargetPsnr === undefined) {
    if (opts.mixedStrategy || opts.validation) throw new UsageError('--mixed-strategy and --validation need --mixed-target-psnr');
    return undefined;
  }
  if (target === 'qnn' && (precision ?? 'w8a8') !== 'w8a8') throw new UsageError(`--mixed-target-psnr lifts 8-bit activations to 16 bits: it needs --precision w8a8, not ${precision}`);
  if (target === 'tflite' && quantize !== 'w8a8') throw new UsageError('--mixed-target-psnr needs --quantize w8a8');
  if (target !== 'tflite' && target !== 'qnn') throw new UsageError('--mixed-target-psnr is for --target tflite or qnn; use `ondevice quantize` for ONNX');
  if (!(opts.mixedTargetPsnr > 0)) throw new UsageError('--mixed-target-psnr must be a positive number of dB');
  if (opts.exclude) throw new UsageError('--mixed-target-psnr finds the --exclude list itself; give one or the other');
  if (opts.mixedStrategy && opts.mixedStrategy !== 'per-layer' && opts.mixedStrategy !== 'prefix') throw new UsageError(`unknown --mixed-strategy '${opts.mixedStrategy}' (known: per-layer, prefix)`);
  return { targetPsnr: opts.mixedTargetPsnr, ...(opts.mixedStrategy ? { strategy: opts.mixedStrategy as 'per-layer' | 'prefix' } : {}) };
}

/** The terminal report of a compile. */
export function formatCompileReport(r: CompileReport): string {
  const ops = Object.entries(r.ops).sort((a, b) => b[1] - a[1]);
  const lines = [...(r.preQuantized ? [`note: ${r.preQuantized.message}`] : []), renderTable(['op', 'count'], ops)];
  const total = ops.reduce((s, [, n]) => s + n, 0);
  lines.push(`${total} ops mapped to ${r.target}${r.hardSwishFused ? ` (${r.hardSwishFused} hard-swish patterns fused)` : ''}`);
  if (r.lift) lines.push(`lifted from ${r.lift.from === 'tfjs' ? 'TF.js' : '.tflite'}: transposes ${r.lift.transposes.boundary} at model inputs/outputs, ${r.lift.transposes.inside} inside the graph`);
  if (r.floatOps?.float) lines.push(`float32 ops in the int8 model: ${r.floatOps.float} of ${r.floatOps.total} (${((100 * r.floatOps.float) / r.floatOps.total).toFixed(0)}%, behind DEQUANTIZE/QUANTIZE)`);
  if (r.qnn) lines.push(`qnn ${r.qnn.precision}: ${r.qnn.computeNodes} ops, each in its own DQ → op → Q unit (${r.qnn.mixed ? 'uint8/uint16' : r.qnn.activationType} activations, ${r.qnn.precision === 'w4a16' ? 'int4' : 'int8'} weights); `
    + `${r.qnn.units.wrapped} wrapped, ${r.qnn.units.pairsAdded} Q/DQ pairs added, ${r.qnn.units.fixedEncodings} fixed encodings`,
  ...(r.qnn.ptq ?? []).map((p) => `${p.step}: ${p.summary}`), ...r.qnn.warnings.map((w) => `warning: ${w}`));
  if (r.coreml) {
    const c = r.coreml;
    lines.push(`coreml: ML Program, specification version ${c.specificationVersion} (iOS ${c.minIos}+, opset ${c.opset}), computes in ${c.compute}`);
    if (c.compression) lines.push(`weights ${c.compression.mode}: ${c.compression.compressed} compressed (${formatBytes(c.compression.bytesBefore)} → ${formatBytes(c.compression.bytesAfter)})` +
      `${c.compression.blocked !== undefined ? `, ${c.compression.blocked} in blocks of 8–32 input channels` : ''}, ${c.compression.skipped} small ones left ${r.quantize === 'w8' || r.quantize === 'w4' ? 'float' : ''}`.trimEnd());
    if (c.imageInput) lines.push(`input '${c.imageInput}' is an image${c.classLabels ? `; classifier over ${c.classLabels} labels` : ''}`);
    for (const n of c.renamed) lines.push(`renamed '${n.from}' → '${n.to}' (Core ML names are identifiers)`);
    lines.push(...c.notes.map((n) => `note: ${n}`), `wrote ${c.swift}`);
  }
  if (r.transposes) lines.push(`transposes: ${r.transposes.boundary} at model inputs/outputs, ${r.transposes.inner} inside the graph`);
  lines.push(`size: ${formatBytes(r.inputBytes)} → ${formatBytes(r.outputBytes)} (${((100 * r.outputBytes) / r.inputBytes).toFixed(1)}%, ${r.quantize === 'none' ? 'float32' : r.quantize} weights)`);
  lines.push(`wrote ${r.output}`);
  return lines.join('\n');
}

/** The --target coreml options: weights, compute type, oldest iOS, and an image input (with labels: a classifier) from the recipe. */
function coremlOptions(file: string, opts: CompileCliOptions): NonNullable<CompileOptions['coreml']> {
  if (opts.calibration) throw new UsageError('--target coreml compresses weights without data; --calibration is not used');
  const quantize = oneOf<CoremlQuantization>('quantize', opts.quantize ?? 'fp16', COREML_QUANTIZATIONS);
  const compute = opts.compute === undefined ? undefined : oneOf<'fp16' | 'fp32'>('compute', opts.compute, ['fp16', 'fp32'] as const);
  const minIos = opts.minIos === undefined ? undefined : oneOf<string>('min-ios', opts.minIos, MIN_IOS_VERSIONS.map(String));
  if (opts.labels !== undefined && !opts.imageInput) throw new UsageError('--labels makes an image classifier; give --image-input too');
  let imageInput: Recipe | undefined;
  let labels: string[] | undefined;
  if (opts.imageInput) {
    const recipePath = findRecipe(file, opts.recipe);
    if (!recipePath) throw new UsageError('--image-input needs a preprocessing recipe (--recipe, or MODEL.preprocess.json beside the model): it gives the image size, channels, scale, mean and std', { file });
    imageInput = imageRecipeOf(loadDataRecipe(recipePath));
    if (!imageInput) throw new UsageError('--image-input: the recipe holds no single image input', { file: recipePath });
    const labelsPath = findLabels({ ...(opts.labels ? { explicit: opts.labels } : {}), recipe: imageInput, recipePath });
    if (labelsPath) labels = readLabels(labelsPath);
  }
  return {
    quantize, ...(compute ? { compute } : {}), ...(minIos ? { minIos: Number(minIos) as CoremlCompileOptions['minIos'] } : {}),
    ...(imageInput ? { imageInput } : {}), ...(labels ? { labels } : {}),
  };
}

/** Adds the compile command. */
export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a model for a runtime: TensorFlow Lite / LiteRT (.tflite, NHWC), ONNX Runtime (optimised .onnx) or Qualcomm QNN (QDQ .onnx for the QNN EP\'s HTP backend)')
    .argument('<model>', 'model file (.onnx, or .tflite / TF.js model.json lifted to ONNX ops)')
    .requiredOption('-o, --output <file>', 'where to write the compiled model')
    .option('--target <target>', `one of ${TARGETS.join(', ')}`, 'tflite')
    .option('--quantize <mode>', `tflite precision: ${TFLITE_QUANTIZATIONS.join(', ')} (default none); coreml weights: ${COREML_QUANTIZATIONS.join(', ')} (default fp16)`)
    .option('--precision <p>', `qnn precision: ${QNN_PRECISIONS.join(', ')} (default w8a8; w4a16: int4 weights, opset 21)`)
    .option('--calibration <data>', `calibration data for w8a8 and --target qnn: ${DATA_SPEC_HELP}`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: MODEL.preprocess.json, or preprocess.json beside the model)')
    .option('--method <method>', `calibration method: ${CALIBRATION_METHODS.join(', ')}`, 'minmax')
    .option('--limit <n>', 'calibrate on at most n examples', positiveInt('limit'), 1000)
    .option('--nhwc-io', 'declare the tflite inputs/outputs NHWC (no transposes at the boundary)')
    .option('--nchw-io', 'a .tflite or TF.js model: declare the lifted inputs/outputs NCHW (default NHWC, as the file has them)')
    .option('--outputs <names>', OUTPUTS_HELP)
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP, collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP, collect, [] as string[])
    .option('--exclude <list>', 'w8a8: comma-separated node names or op types of the model to keep float32 (DEQUANTIZE in, float op, QUANTIZE out)')
    .option('--mixed-target-psnr <dB>', 'automatic mixed precision to an output PSNR. tflite w8a8: find the nodes to keep float with the ONNX search, compile, and measure in LiteRT.js; qnn w8a8: find the activations to keep at 16 bits, compile with converts between the types, and measure', Number)
    .option('--mixed-strategy <s>', 'which layers mixed precision lifts: per-layer (noisiest by per-layer SQNR; tflite default) or prefix (the first ones, by bisection; qnn default)')
    .option('--int8-weights <nodes>', 'qnn w4a16: comma-separated node names whose weights stay int8 (mixed weight precision)')
    .option('--wide-values <values>', 'qnn w8a8: comma-separated activation names (as after the QNN preparation) kept at uint16, a mixed 8/16-bit model with converts between the types; --mixed-target-psnr finds them (its --json lists them as mixedPrecision.sixteenBit.values)')
    .option('--validation <data>', `held-out data on which --mixed-target-psnr measures PSNR: ${DATA_SPEC_HELP} (default: the calibration data)`)
    .option('--ptq <steps>', `qnn: post-training steps beyond min/max: ${PTQ_STEPS.join(', ')}, all, none (default seq-mse,gptq,bias-correction; see docs/quantization.md)`)
    .option('--min-ios <version>', `coreml: the oldest iOS the model must load on: ${MIN_IOS_VERSIONS.join(', ')} (default: the oldest the weights allow; w8 needs 16, w4 18)`)
    .option('--compute <type>', 'coreml: the float type the ML Program computes in: fp16 or fp32 (default fp16; fp32 with --quantize none)')
    .option('--image-input', "coreml: declare the recipe's input an image (camera frames through Vision; the recipe's scale, mean and std become ops); with labels the model is a classifier")
    .option('--labels <file>', 'coreml with --image-input: class names, one per line (default: the recipe\'s labels, or labels.txt beside the model)')
    .option('--json', 'print the report as JSON')
    .action(action(async (file: string, opts: CompileCliOptions) => {
      refuseOverwritingInput(opts.output, file);
      const target = oneOf<Target>('target', opts.target, TARGETS);
      if (target !== 'coreml' && (opts.minIos !== undefined || opts.compute !== undefined || opts.imageInput || opts.labels !== undefined)) throw new UsageError('--min-ios, --compute, --image-input and --labels are for --target coreml');
      const coreml = target === 'coreml' ? coremlOptions(file, opts) : undefined;
      const quantize = target === 'coreml' ? 'none' : oneOf<TfliteQuantization>('quantize', opts.quantize ?? 'none', TFLITE_QUANTIZATIONS);
      const method = oneOf<CalibrationMethod>('method', opts.method, CALIBRATION_METHODS);
      const limit = opts.limit;
      if (quantize === 'w8a8' && !opts.calibration) throw new UsageError('--quantize w8a8 needs --calibration DATA');
      if (opts.precision !== undefined && target !== 'qnn') throw new UsageError('--precision is for --target qnn (tflite takes --quantize)');
      const precision = opts.precision === undefined ? undefined : oneOf<QnnPrecision>('precision', opts.precision, QNN_PRECISIONS);
      if (opts.ptq !== undefined && target !== 'qnn') throw new UsageError('--ptq is for --target qnn (and for `ondevice quantize`)');
      const ptq = opts.ptq === undefined ? undefined : parsePtqSteps(opts.ptq);
      if (target === 'qnn' && !opts.calibration) throw new UsageError('--target qnn needs --calibration DATA (activation ranges for the quantized model)');
      if (opts.exclude && quantize !== 'w8a8') throw new UsageError('--exclude needs --quantize w8a8');
      const mixed = mixedOption(opts, target, quantize, precision);
      if (opts.int8Weights !== undefined && (target !== 'qnn' || precision !== 'w4a16')) throw new UsageError('--int8-weights is for --target qnn --precision w4a16');
      const int8Weights = nameList(opts.int8Weights, '--int8-weights', 'node');
      if (opts.wideValues !== undefined && (target !== 'qnn' || (precision ?? 'w8a8') !== 'w8a8')) throw new UsageError('--wide-values is for --target qnn --precision w8a8 (w8a16 and w4a16 have 16-bit activations throughout)');
      if (opts.wideValues !== undefined && mixed) throw new UsageError('--mixed-target-psnr finds the --wide-values list itself; give one or the other');
      const wideValues = nameList(opts.wideValues, '--wide-values', 'activation');
      if (target === 'qnn' && quantize !== 'none') throw new UsageError('--quantize is for --target tflite; --target qnn takes --precision w8a8|w8a16|w4a16');
      const exclude = opts.exclude ? opts.exclude.split(',').map((e) => e.trim()).filter(Boolean) : [];
      const recipePath = findRecipe(file, opts.recipe);
      const recipe = recipePath ? loadDataRecipe(recipePath) : undefined;
      const shapes = parseInputShapes(opts.inputShape);
      const inputValues = (model: Model) => parseInputValues(opts.inputValue, applyInputShapes(modelInputs(model), shapes));
      const open = async (spec: string, model: Model, purpose: 'calibration' | 'evaluation') => {
        const source = await openDataSource(spec, modelInputs(model), { ...(recipe ? { recipe } : {}), inputValues: inputValues(model), purpose });
        if (source.warning) process.stderr.write(`warning: ${source.warning}\n`);
        return source;
      };
      const common = {
        method, limit, nhwcIo: Boolean(opts.nhwcIo), nchwIo: Boolean(opts.nchwIo), progress: terminalProgress(),
        ...(opts.inputShape.length ? { inputShapes: shapes } : {}),
        ...(opts.inputValue.length ? { inputValues } : {}),
        ...(opts.outputs !== undefined ? { outputs: parseOutputNames(opts.outputs) } : {}),
      };
      if (mixed && target === 'qnn') {
        const { compile: report, mixed: found } = await compileQnnMixedPrecision(file, opts.output, {
          ...common, mixed, ...(ptq ? { ptq } : {}),
          calibration: (model: Model) => open(opts.calibration!, model, 'calibration'),
          ...(opts.validation ? { validation: (model: Model) => open(opts.validation!, model, 'evaluation') } : {}),
        });
        process.stdout.write(opts.json ? `${JSON.stringify({ ...report, mixedPrecision: found }, null, 2)}\n` : `${formatCompileReport(report)}\n${formatQnnMixed(found, report)}\n`);
        if (!found.met) process.exitCode = EXIT.checkFailed;
        return;
      }
      if (mixed) {
        const { compile: report, mixed: found } = await compileTfliteMixedPrecision(file, opts.output, {
          ...common, mixed,
          calibration: (model: Model) => open(opts.calibration!, model, 'calibration'),
          ...(opts.validation ? { validation: (model: Model) => open(opts.validation!, model, 'evaluation') } : {}),
        });
        process.stdout.write(opts.json ? `${JSON.stringify({ ...report, mixedPrecision: found }, null, 2)}\n` : `${formatCompileReport(report)}\n${formatTfliteMixed(found, report.outputBytes)}\n`);
        // The model is written either way; a missed target is a failed check (exit 3), as in quantize.
        if (!found.met) process.exitCode = EXIT.checkFailed;
        return;
      }
      const report = await compileFile(file, opts.output, {
        target, quantize, ...common, ...(exclude.length ? { exclude } : {}), ...(coreml ? { coreml } : {}), ...(precision ? { precision } : {}), ...(ptq ? { ptq } : {}), ...(int8Weights ? { int8Weights } : {}), ...(wideValues ? { wideValues } : {}),
        ...(opts.calibration ? { calibration: (model: Model) => open(opts.calibration!, model, 'calibration') } : {}),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCompileReport(report)}\n`);
    }));
}
