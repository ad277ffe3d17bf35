// `compile` as a library call: read a model, run the passes, and write it for a target (ONNX Runtime or TFLite).
import { statSync } from 'node:fs';
import { GraphError, OndeviceError, UsageError, withFile } from '../errors.ts';
import { verifyGraph } from '../ir/verify.ts';
import { readVerifiedModel } from '../formats/read-verified.ts';
import { writeModel } from '../formats/registry.ts';
import { modelBytes } from '../formats/model-bytes.ts';
import { writeFileAtomic } from '../util/atomic-file.ts';
import type { Model } from '../ir/graph.ts';
import type { InputValues } from '../ir/input-values.ts';
import { runPasses } from '../passes/index.ts';
import { foreignFormat, liftForeign, type ForeignLiftReport } from '../passes/lift-foreign.ts';
import { checkShapeNames, resolveInputShape, type InputShapes } from '../ir/input-shapes.ts';
import { selectOutputs } from '../passes/select-outputs.ts';
import { transposedSource } from '../data/transposed-source.ts';
import type { DataSource } from '../data/source.ts';
import { UnmappableOpsError } from './unmappable.ts';
import { compileToTflite, type TfliteCompileOptions, type TfliteCompileReport } from './tflite/compile.ts';
import { dequantizeForCompile, type PreQuantizedNote } from './pre-quantized.ts';
import { compilePasses, fixInputShapes } from './prepare.ts';
import { compileToQnn, type QnnCompileReport, type QnnPrecision } from './qnn/compile.ts';
import type { PtqStep } from '../quantize/schemes.ts';
import { basename, dirname, join, resolve } from 'node:path';
import { writeCoreMlPackage } from '../formats/coreml/write.ts';
import { validateCoreMlModel } from '../formats/coreml/validate.ts';
import { compileToCoreMl, type CoremlCompileOptions, type CoremlCompileReport } from './coreml/compile.ts';
import { swiftClassName, swiftSnippet } from './coreml/swift.ts';

/** Compile targets. */
export const TARGETS = ['tflite', 'onnx', 'qnn', 'coreml'] as const;
/** A compile target. */
export type Target = (typeof TARGETS)[number];

/** Options for {@link compileFile}. */
export interface CompileOptions extends Omit<TfliteCompileOptions, 'calibration' | 'inputValues'> {
  target: Target;
  /** A .tflite or TF.js input: declare its rank-4 inputs/outputs NCHW after lifting to ONNX (default NHWC, as stored). */
  nchwIo?: boolean;
  /** Graph outputs to keep (`--outputs`): current outputs or any computed value; the graph is pruned to what they need. */
  outputs?: string[];
  /** Fixed input values (`--input-value`), or a function that parses them once the model's inputs are known. */
  inputValues?: InputValues | ((model: Model) => InputValues);
  /** Calibration data for w8a8, opened against the model's inputs once the model is read. */
  calibration?: TfliteCompileOptions['calibration'] | ((model: Model) => Promise<TfliteCompileOptions['calibration']>);
  /** qnn: weight/activation precision (default w8a8). */
  precision?: QnnPrecision;
  /** qnn: post-training steps beyond min/max (default seq-mse, gptq, bias-correction; [] for plain rounding). */
  ptq?: PtqStep[];
  /** qnn w8a8: activations kept at 16 bits (names after the QNN preparation passes): a mixed 8/16-bit model. */
  wideValues?: string[];
  /** qnn w4a16: nodes whose weights stay int8. */
  int8Weights?: string[];
  /** coreml: weights, compute type, oldest iOS, image input, classifier labels (`quantize` is read from here, not above). */
  coreml?: Omit<CoremlCompileOptions, 'inputShapes' | 'inputValues' | 'source'>;
}

/** What `compile` did: ops in the output, transposes and sizes. */
export interface CompileReport {
  target: Target;
  output: string;
  inputBytes: number;
  outputBytes: number;
  /** Op type → count in the written model. */
  ops: Record<string, number>;
  /** TFLite only: boundary and inner TRANSPOSE ops. */
  transposes?: TfliteCompileReport['transposes'];
  quantize: string;
  hardSwishFused?: number;
  /** TFLite w8a8: operators computing in float32 (e.g. `exclude`d nodes) of all but QUANTIZE/DEQUANTIZE. */
  floatOps?: TfliteCompileReport['floatOps'];
  /** A .tflite or TF.js input: the lift to ONNX ops (from which framework, op histogram, transposes left at the boundary and inside). */
  lift?: Omit<ForeignLiftReport, 'unliftable' | 'shapesApplied' | 'nchwIo'>;
  /** Node count change per pass. */
  passes: { name: string; nodesBefore: number; nodesAfter: number }[];
  /** A pre-quantized input: what was found and dequantized before compiling (see {@link dequantizeForCompile}). */
  preQuantized?: PreQuantizedNote;
  /** Core ML only: spec version, opset, weights, compression, renamed I/O, the Swift file written beside the package. */
  coreml?: Omit<CoremlCompileReport, 'ops' | 'passes' | 'quantize'> & { swift: string };
  /** QNN only: activation type, compute nodes and how their node units were completed. */
  qnn?: Pick<QnnCompileReport, 'precision' | 'activationType' | 'computeNodes' | 'units' | 'mixed' | 'warnings' | 'ptq'>;
}

/**
 * Reads `input`, compiles it for `options.target` and writes `output` atomically. For 'onnx' the
 * default passes run and the result is written as ONNX (quantization is `ondevice quantize`'s job).
 * Nothing is written when an op cannot be mapped (UnmappableOpsError). Errors name `input` unless they name another file.
 */
export async function compileFile(input: string, output: string, options: CompileOptions): Promise<CompileReport> {
  try {
    return await compile(input, output, options);
  } catch (e) {
    throw e instanceof OndeviceError ? withFile(e, input) : e;
  }
}

/**
 * A model read from .tflite (`ai.tflite` nodes) or TF.js (`ai.tensorflow`/`ai.keras` nodes) lifted onto ONNX ops, so
 * both targets see ONNX semantics; a node that cannot be lifted fails the compile (UnmappableOpsError listing every such
 * node, nothing written). For the tflite target, when every input and output is rank 4, the lift declares NCHW I/O and
 * the compiler NHWC I/O (unless `nchwIo`), so no Transpose is added at the boundary (the compiler's NHWC I/O would also
 * permute rank-3 outputs, so not then). `inputShapes` are returned unless the lift applied them (TF.js: before lifting,
 * in the file's layout), so the compiler applies them only when still due.
 */
function liftIfForeign(model: Model, options: CompileOptions): Omit<CompileInput, 'stored' | 'preQuantized'> {
  // TFLite needs every shape static: for a TF.js model they are resolved before the lift, so a missing dim is asked for in the model.json's layout.
  const shapes = options.target === 'tflite' && foreignFormat(model) === 'tfjs' ? staticInputShapes(model, options.inputShapes) : options.inputShapes;
  const { model: lifted, report } = liftForeign(model, { inputShapes: shapes, nchwIo: options.nchwIo || (options.target === 'tflite' && 'if-all-rank4') });
  if (!report) return { model, liftedToNchw: false, inputShapes: options.inputShapes };
  if (report.unliftable.length) throw new UnmappableOpsError('onnx', report.unliftable);
  return {
    model: lifted, lift: { from: report.from, ops: report.ops, transposes: report.transposes },
    liftedToNchw: report.nchwIo, inputShapes: report.shapesApplied ? undefined : options.inputShapes,
  };
}

/** Every graph input's shape: as given, else as declared with a symbolic batch of 1 (UsageError naming a dim still open). */
function staticInputShapes(model: Model, given: InputShapes = {}): InputShapes {
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name) && v.type.kind === 'tensor')
    .map((v) => ({ name: v.name, shape: v.type.kind === 'tensor' ? v.type.shape ?? [] : [] }));
  checkShapeNames(given, inputs);
  return Object.fromEntries(inputs.map((i) => [i.name, resolveInputShape(i, given[i.name])]));
}

/** The model `compile` works on, and how it was lifted. */
export interface CompileInput {
  model: Model;
  /** A .tflite or TF.js input: the lift. */
  lift?: CompileReport['lift'];
  /** The lift declared the model's rank-4 inputs and outputs NCHW (asked with `nchwIo`, or for an all-rank-4 tflite compile). */
  liftedToNchw: boolean;
  /** The input shapes still to apply (none when the lift applied them: TF.js, in the file's layout). */
  inputShapes?: CompileOptions['inputShapes'];
  /** The model as read (pruned to `outputs`), before the lift: its inputs are what the user's data matches. */
  stored: Model;
  /** A pre-quantized input: what was dequantized. */
  preQuantized?: PreQuantizedNote;
}

/**
 * The calibration data for the model the compiler sees. A .tflite lifted with NCHW inputs for an NHWC-I/O compile keeps
 * the user's data in the .tflite's own layout: the data is opened against the original (NHWC) inputs and transposed.
 */
async function calibrationFor(stored: Model, model: Model, options: CompileOptions, liftedToNchw: boolean): Promise<TfliteCompileOptions['calibration']> {
  return typeof options.calibration === 'function' ? openInStoredLayout(options.calibration, stored, model, liftedToNchw) : options.calibration;
}

/**
 * Opens data for a compiled model: against `model` as it is, or — for a .tflite lifted to NCHW for an NHWC-I/O compile
 * (`liftedToNchw`) — against the inputs `stored` in the file (NHWC, as the user's data is), transposed to NCHW.
 */
export async function openInStoredLayout<S extends DataSource>(open: (m: Model) => Promise<S | undefined>, stored: Model, model: Model, liftedToNchw: boolean): Promise<S | undefined> {
  if (!liftedToNchw) return open(model);
  const source = await open(stored);
  return source && transposedSource(source, Object.fromEntries(stored.graph.inputs.map((v) => [v.name, [0, 3, 1, 2]])));
}

/**
 * The optimised model must verify before it is written: the input verified, so an error here is one that constant
 * folding brought to light (e.g. a Concat of mismatched ranks behind a shape computation) — refused, nothing written.
 */
function refuseUnverified(model: Model): void {
  const error = verifyGraph(model).find((i) => i.severity === 'error');
  if (error) throw new GraphError(`${error.message} (found after the compile passes folded the graph; nothing written)`);
}

/** The options that decide how `compile` reads its input. */
type InputOptions = Pick<CompileOptions, 'target' | 'nchwIo' | 'inputShapes' | 'outputs'>;

/** Reads, prunes, lifts and dequantizes `input` (see {@link readCompileInput}); errors are not yet tied to the file. */
async function openCompileInput(input: string, options: InputOptions): Promise<CompileInput> {
  const { model: read } = await readVerifiedModel(input);
  if (options.outputs) selectOutputs(read, options.outputs);
  // The model as stored (its I/O as the user's data has it); the lift rewrites the graph in place.
  const stored: Model = { ...read, graph: { ...read.graph, inputs: structuredClone(read.graph.inputs), outputs: structuredClone(read.graph.outputs) } };
  const lifted = liftIfForeign(read, { ...options } as CompileOptions);
  const preQuantized = dequantizeForCompile(lifted.model, options.target === 'tflite' ? 'tflite' : 'onnx');
  return { ...lifted, stored, ...(preQuantized ? { preQuantized } : {}) };
}

/**
 * The model `compile` works on: `input` read and verified, pruned to `outputs`, a .tflite or TF.js model lifted onto
 * ONNX ops (as for the tflite target; a TF.js model with `inputShapes` fixed), a pre-quantized model dequantized.
 * For drivers above the compiler (e.g. pipeline/tflite-mixed-precision.ts).
 */
export async function readCompileInput(input: string, options: InputOptions): Promise<CompileInput> {
  try {
    return await openCompileInput(input, options);
  } catch (e) {
    throw e instanceof OndeviceError ? withFile(e, input) : e;
  }
}

async function compile(input: string, output: string, options: CompileOptions): Promise<CompileReport> {
  const { model, lift, liftedToNchw, inputShapes, stored, preQuantized } = await openCompileInput(input, options);
  const inputBytes = modelBytes(input);
  if (options.target === 'qnn') return compileQnn(model, output, options, { inputBytes, inputShapes, stored, lift, preQuantized });
  if (options.target === 'coreml') return compileCoreml(model, input, output, options, { inputBytes, inputShapes, lift, preQuantized });
  if (options.target === 'onnx') {
    if (options.quantize && options.quantize !== 'none') throw new UsageError('--quantize is for --target tflite; use `ondevice quantize` for ONNX');
    if (inputShapes) fixInputShapes(model, inputShapes);
    const inputValues = typeof options.inputValues === 'function' ? options.inputValues(model) : options.inputValues;
    const { model: out, stats } = await runPasses(model, compilePasses(model, inputValues));
    refuseUnverified(out);
    await writeModel(out, output, { format: 'onnx' });
    const ops: Record<string, number> = {};
    for (const n of out.graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
    return { target: 'onnx', output, inputBytes, outputBytes: statSync(output).size, ops, quantize: 'none', ...(lift ? { lift } : {}), ...(preQuantized ? { preQuantized } : {}), passes: stats.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })) };
  }
  // A lifted model declared NCHW for the tflite target (not asked with nchwIo) is compiled with NHWC I/O, as the file has it.
  const nhwcIo = lift ? liftedToNchw && !options.nchwIo : options.nhwcIo;
  const calibration = await calibrationFor(stored, model, options, lift !== undefined && nhwcIo === true);
  const inputValues = typeof options.inputValues === 'function' ? options.inputValues(model) : options.inputValues;
  const { bytes, report } = await compileToTflite(model, { ...options, inputShapes, nhwcIo, calibration, inputValues });
  writeFileAtomic(output, bytes);
  return {
    target: 'tflite', output, inputBytes, outputBytes: bytes.byteLength, ops: report.ops, transposes: report.transposes, ...(lift ? { lift } : {}), ...(preQuantized ? { preQuantized } : {}),
    quantize: report.quantize, hardSwishFused: report.hardSwishFused, ...(report.floatOps ? { floatOps: report.floatOps } : {}),
    passes: report.passes.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })),
  };
}

/** The qnn target: quantize for the HTP backend (see compileToQnn) and write the QDQ ONNX model. */
async function compileQnn(model: Model, output: string, options: CompileOptions, from: { inputBytes: number; inputShapes?: InputShapes; stored: Model; lift?: CompileReport['lift']; preQuantized?: PreQuantizedNote }): Promise<CompileReport> {
  if (options.quantize && options.quantize !== 'none') throw new UsageError('--quantize is for --target tflite; --target qnn takes --precision w8a8|w8a16');
  const calibration = await calibrationFor(from.stored, model, options, false);
  if (!calibration) throw new UsageError('--target qnn needs --calibration DATA (activation ranges for the quantized model)');
  const inputValues = typeof options.inputValues === 'function' ? options.inputValues(model) : options.inputValues;
  const { model: out, report } = await compileToQnn(model, {
    calibration, ...(options.precision ? { precision: options.precision } : {}), ...(options.ptq ? { ptq: options.ptq } : {}),
    ...(options.wideValues?.length ? { wideValues: options.wideValues } : {}), ...(options.int8Weights?.length ? { int8Weights: options.int8Weights } : {}), ...(options.method ? { method: options.method } : {}), ...(options.limit ? { limit: options.limit } : {}),
    ...(from.inputShapes ? { inputShapes: from.inputShapes } : {}), ...(inputValues ? { inputValues } : {}), ...(options.progress ? { progress: options.progress } : {}),
  });
  await writeModel(out, output, { format: 'onnx' });
  const { precision, activationType, computeNodes, units, mixed, warnings, ptq } = report;
  return {
    target: 'qnn', output, inputBytes: from.inputBytes, outputBytes: statSync(output).size, ops: report.ops, quantize: precision,
    ...(from.lift ? { lift: from.lift } : {}), ...(from.preQuantized ? { preQuantized: from.preQuantized } : {}),
    passes: report.passes.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })),
    qnn: { precision, activationType, computeNodes, units, ...(mixed ? { mixed } : {}), warnings, ptq },
  };
}

/** The coreml target: an ML Program written as a .mlpackage folder, and a Swift file beside it. */
async function compileCoreml(model: Model, input: string, output: string, options: CompileOptions, from: { inputBytes: number; inputShapes?: InputShapes; lift?: CompileReport['lift']; preQuantized?: PreQuantizedNote }): Promise<CompileReport> {
  if (options.quantize && options.quantize !== 'none') throw new UsageError('--target coreml takes its --quantize through the coreml options (fp16, w8, w4, none)');
  if (!/\.mlpackage$/i.test(output)) throw new UsageError(`--target coreml writes a .mlpackage folder; name the output like Model.mlpackage (got ${basename(output)})`);
  const inputValues = typeof options.inputValues === 'function' ? options.inputValues(model) : options.inputValues;
  const { coreml, report } = await compileToCoreMl(model, {
    ...options.coreml, ...(from.inputShapes ? { inputShapes: from.inputShapes } : {}), ...(inputValues ? { inputValues } : {}), source: basename(input),
  });
  // The validator (written apart from the compiler) must find nothing: a program Core ML would reject is never written.
  const problems = validateCoreMlModel(coreml);
  if (problems.length) throw new GraphError(`the compiled Core ML program fails validation (nothing written): ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
  const written = await writeCoreMlPackage(coreml, output);
  const swift = join(dirname(resolve(output)), `${swiftClassName(basename(output))}.swift`);
  writeFileAtomic(swift, new TextEncoder().encode(swiftSnippet(coreml, basename(output))));
  const { ops, passes, quantize, ...rest } = report;
  return {
    target: 'coreml', output, inputBytes: from.inputBytes, outputBytes: written.modelBytes + written.weightBytes, ops, quantize,
    ...(from.lift ? { lift: from.lift } : {}), ...(from.preQuantized ? { preQuantized: from.preQuantized } : {}),
    passes: passes.map(({ name, nodesBefore, nodesAfter }) => ({ name, nodesBefore, nodesAfter })),
    coreml: { ...rest, swift },
  };
}

export { compileToCoreMl, COREML_QUANTIZATIONS, MIN_IOS_VERSIONS, type CoremlCompileOptions, type CoremlCompileReport, type CoremlQuantization } from './coreml/compile.ts';
export { compileToQnn, QNN_PRECISIONS, type QnnCompileOptions, type QnnCompileReport, type QnnPrecision } from './qnn/compile.ts';
export { compileToTflite, tfliteOpStats, TFLITE_QUANTIZATIONS, type TfliteCompileOptions, type TfliteCompileReport, type TfliteQuantization } from './tflite/compile.ts';
export { UnmappableOpsError, type UnmappedOp } from './unmappable.ts';
export { parseInputShapes, type InputShapes } from './prepare.ts';
