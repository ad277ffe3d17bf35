// Compiles an IR model (ONNX semantics, NCHW) to a TFLite model (NHWC): prepare, calibrate, rewrite, emit, quantize, finalize.
import { UsageError } from '../../errors.ts';
import type { DataSource } from '../../data/source.ts';
import { inferTypes } from '../../ir/infer.ts';
import { assertValid } from '../../ir/verify.ts';
import type { Model } from '../../ir/graph.ts';
import type { InputValues } from '../../ir/input-values.ts';
import type { PassStats } from '../../passes/index.ts';
import { calibrate } from '../../quantize/calibrate/calibrate.ts';
import type { CalibrationMethod } from '../../quantize/calibrate/calibrator.ts';
import type { Progress } from '../../util/progress.ts';
import { builtinName } from '../../formats/tflite/schema/enums.ts';
import type { TflModel } from '../../formats/tflite/schema/types.ts';
import { encodeTflite } from '../../formats/tflite/write.ts';
import { emitGraph } from './emit.ts';
import { finalizeDraft } from './finalize.ts';
import { toFloat16Weights } from './fp16.ts';
import { excludedNodes, markExcluded } from './exclude.ts';
import { quantizeInt8 } from './int8.ts';
import { prepareForCompile, type InputShapes } from '../prepare.ts';
import { EMITTERS } from './ops/index.ts';
import { fusePatterns, RULE_SETS } from '../../passes/patterns/index.ts';

/** Weight/activation precision of the output. */
export const TFLITE_QUANTIZATIONS = ['none', 'fp16', 'w8a8'] as const;
/** A TFLite output precision. */
export type TfliteQuantization = (typeof TFLITE_QUANTIZATIONS)[number];

/** Options for {@link compileToTflite}. */
export interface TfliteCompileOptions {
  /** Default 'none' (float32). */
  quantize?: TfliteQuantization;
  /** Calibration data, required by 'w8a8'. */
  calibration?: DataSource;
  /** Calibration method (default 'minmax'). */
  method?: CalibrationMethod;
  /** Calibrate on at most this many examples (default 1000). */
  limit?: number;
  /** Declare model inputs/outputs NHWC (no boundary transposes). Default false: I/O keeps the IR layout. */
  nhwcIo?: boolean;
  /** Fixed input shapes; symbolic batch dims default to 1. */
  inputShapes?: InputShapes;
  /** Fixed input values (`--input-value`): such inputs are constants to the compiler (e.g. an If condition folded away). */
  inputValues?: InputValues;
  /**
   * w8a8: node names or op types of the model (as `quantize --exclude` takes them) whose ops stay float32 — float
   * islands behind DEQUANTIZE / QUANTIZE, with float weights. An entry matching no node is a UsageError.
   */
  exclude?: readonly string[];
  /** Ignore `exclude` entries that match no node (a list found on another pass pipeline's graph). Default false. */
  allowUnknownExclusions?: boolean;
  progress?: Progress;
}

/** What the compiler did. */
export interface TfliteCompileReport {
  /** TFLite op → count in the output. */
  ops: Record<string, number>;
  /** TRANSPOSE ops next to model inputs/outputs, and elsewhere (0 for a layout-clean graph). */
  transposes: { boundary: number; inner: number };
  /** Hard-swish patterns fused into HARD_SWISH. */
  hardSwishFused: number;
  /** Matches rewritten per rule set of `passes/patterns` (hard-swish, gelu, layer-norm, …). */
  patternsFused: Record<string, number>;
  quantize: TfliteQuantization;
  /** w8a8: operators computing in float32 (excluded nodes and decompositions kept float) of all operators but QUANTIZE/DEQUANTIZE. */
  floatOps?: { float: number; total: number };
  passes: PassStats[];
  bytes: number;
}

/**
 * The pattern rule sets worth running before emission: those whose ops have an emitter. Hard-sigmoid spellings are
 * left as they are (relu6(x + 3)/6 already emits as ADD with a fused RELU6 and one MUL; HardSigmoid would take three).
 */
const TFLITE_RULE_SETS = RULE_SETS.filter((s) => s.name !== 'hard-sigmoid' && s.produces.every((op) => EMITTERS.has(op)));

/** Counts TFLite op types and boundary/inner TRANSPOSEs of a model object. */
export function tfliteOpStats(tfl: TflModel): { ops: Record<string, number>; transposes: { boundary: number; inner: number } } {
  const sg = tfl.subgraphs[0];
  const ops: Record<string, number> = {};
  const transposes = { boundary: 0, inner: 0 };
  const io = new Set([...sg.inputs, ...sg.outputs]);
  // A boundary transpose touches a model input/output directly or through QUANTIZE/DEQUANTIZE.
  const viaQuant = new Set<number>();
  for (const op of sg.operators) {
    const name = builtinName(tfl.operator_codes[op.opcode_index].builtin_code);
    if ((name === 'QUANTIZE' && io.has(op.inputs[0])) || (name === 'DEQUANTIZE' && io.has(op.outputs[0]))) viaQuant.add(name === 'QUANTIZE' ? op.outputs[0] : op.inputs[0]);
  }
  for (const op of sg.operators) {
    const name = builtinName(tfl.operator_codes[op.opcode_index].builtin_code);
    ops[name] = (ops[name] ?? 0) + 1;
    if (name !== 'TRANSPOSE') continue;
    const edge = [op.inputs[0], op.outputs[0]].some((i) => io.has(i) || viaQuant.has(i));
    if (edge) transposes.boundary++;
    else transposes.inner++;
  }
  return { ops, transposes };
}

/**
 * Compiles `model` to TFLite. The model is rewritten in place (shapes fixed, passes run).
 * @throws GraphError for a graph the verifier rejects; UnmappableOpsError listing every op that cannot be mapped
 *   (nothing is produced then); UsageError for w8a8 without calibration data or inputs with unknown dims.
 */
export async function compileToTflite(model: Model, options: TfliteCompileOptions = {}): Promise<{ tflite: TflModel; bytes: Uint8Array; report: TfliteCompileReport }> {
  const quantize = options.quantize ?? 'none';
  if (quantize === 'w8a8' && !options.calibration) throw new UsageError('--quantize w8a8 needs calibration data (--calibration)');
  if (options.exclude?.length && quantize !== 'w8a8') throw new UsageError(`--exclude keeps nodes float in a w8a8 model; it has no effect with --quantize ${quantize}`);
  assertValid(model);
  const given = [...model.graph.nodes];
  if (options.exclude?.length) excludedNodes(options.exclude, given, given, options.allowUnknownExclusions); // a typo fails before calibrating
  const { model: prepared, passes } = await prepareForCompile(model, options.inputShapes, options.inputValues);
  const ranges = quantize === 'w8a8'
    ? await calibrate(prepared, options.calibration!, { method: options.method ?? 'minmax', limit: options.limit ?? 1000, ...(options.progress ? { progress: options.progress } : {}) })
    : undefined;
  // After calibration (onnxruntime runs the model as the file spells it), before emission: fused outputs keep their names.
  const patternsFused = fusePatterns(prepared, TFLITE_RULE_SETS, { standardOps: true });
  const hardSwishFused = patternsFused['hard-swish'] ?? 0;
  const types = inferTypes(prepared, { tolerant: true });
  const draft = emitGraph(prepared, types, { nhwcIo: options.nhwcIo ?? false });
  if (quantize === 'fp16') toFloat16Weights(draft);
  let floatOps: TfliteCompileReport['floatOps'];
  if (ranges) {
    if (options.exclude?.length) markExcluded(draft, excludedNodes(options.exclude, prepared.graph.nodes, given, options.allowUnknownExclusions));
    const computing = draft.ops.filter((o) => o.op !== 'QUANTIZE' && o.op !== 'DEQUANTIZE');
    floatOps = { float: computing.filter((o) => o.float).length, total: computing.length };
    quantizeInt8(draft, ranges);
  }
  const meta: [string, string][] = [['ondevice', JSON.stringify({ quantize, nhwcIo: options.nhwcIo ?? false, source: prepared.producerName ?? '' })]];
  const tflite = finalizeDraft(draft, `ondevice compile (${quantize})`, meta);
  const bytes = encodeTflite(tflite);
  return { tflite, bytes, report: { ...tfliteOpStats(tflite), hardSwishFused, patternsFused, quantize, ...(floatOps ? { floatOps } : {}), passes, bytes: bytes.byteLength } };
}
