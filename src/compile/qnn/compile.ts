// compileToQnn: a QDQ ONNX model the QNN execution provider's HTP backend takes whole (static shapes, every op in a DQ → op → Q unit).
import type { Model } from '../../ir/graph.ts';
import { inferTypes } from '../../ir/infer.ts';
import type { InputShapes } from '../../ir/input-shapes.ts';
import type { InputValues } from '../../ir/input-values.ts';
import type { DataSource } from '../../data/source.ts';
import type { PassStats } from '../../passes/index.ts';
import { eliminateDeadCode } from '../../passes/dead-code.ts';
import { constantOf } from '../../passes/graph-edit.ts';
import { calibrate } from '../../quantize/calibrate/calibrate.ts';
import type { CalibrationMethod } from '../../quantize/calibrate/calibrator.ts';
import { quantizeModel } from '../../quantize/quantize.ts';
import { TARGET_TYPES, type PtqStep, type QuantizeOptions } from '../../quantize/schemes.ts';
import type { PtqOutcome } from '../../quantize/report.ts';
import { qdqDomain } from '../../quantize/static.ts';
import type { Progress } from '../../util/progress.ts';
import { UsageError } from '../../errors.ts';
import { unifyUnitTypes, type MixedUnits } from './mixed-units.ts';
import { applyFixedEncodings, bareValues, fixNegligibleWeightChannels, foldConstantScales, isCompute, quantizeBareValues, rescaleStaleBiases, withKnownRanges, withOutputHeadroom, wrapIntegerOps } from './node-units.ts';
import { prepareForQnn } from './prepare.ts';

/** Precisions of `compile --target qnn`: int8 weights with uint8 or uint16 activations, or int4 weights with uint16 activations. */
/**
 * The PTQ steps `compile --target qnn` runs unless told otherwise: on PP-OCRv4 det w8a16 they reach 40.4 dB on held-out
 * pages where GPTQ alone gives 36.1 (bias correction is left off by itself where it does not help).
 */
export const QNN_DEFAULT_PTQ = ['seq-mse', 'gptq', 'bias-correction'] as const;

export const QNN_PRECISIONS = ['w8a8', 'w8a16', 'w4a16'] as const;
/** A QNN precision. */
export type QnnPrecision = (typeof QNN_PRECISIONS)[number];

/** Smallest real range an activation encoding covers (as onnxruntime's QNN quant_config floors it). */
export const QNN_MIN_REAL_RANGE = 1e-4;

/** Options of {@link compileToQnn}. */
export interface QnnCompileOptions {
  /** Default 'w8a8'. */
  precision?: QnnPrecision;
  calibration: DataSource;
  /** Default 'minmax'. */
  method?: CalibrationMethod;
  /** Calibrate on at most this many examples (default 1000). */
  limit?: number;
  inputShapes?: InputShapes;
  inputValues?: InputValues;
  /** Post-training steps beyond min/max (default seq-mse, gptq, bias-correction: weight grids and integers by layer-output error, biases by the mean shift). */
  ptq?: PtqStep[];
  /**
   * w8a8: activations (value names after {@link prepareForQnn}) quantized to uint16 instead: a mixed 8/16-bit model.
   * Each node reading or writing one runs at 16 bits, and DQ → Q converts join the two types (see mixed-units.ts).
   */
  wideValues?: string[];
  /** w4a16: nodes whose weights stay int8 (mixed weight precision), by name after the graph passes. */
  int8Weights?: string[];
  progress?: Progress;
}

/** What the QNN compiler did. */
export interface QnnCompileReport {
  precision: QnnPrecision;
  activationType: 'uint8' | 'uint16';
  passes: PassStats[];
  /** Op type → count in the output. */
  ops: Record<string, number>;
  /** Compute (non-Q/DQ) nodes, each in its own unit. */
  computeNodes: number;
  /** How the units were completed after quantizing: ops on raw integers wrapped, Q/DQ pairs added, fixed encodings set, bias scale Muls folded, ~zero weight channels fixed. */
  units: { wrapped: number; pairsAdded: number; fixedEncodings: number; foldedScales: number; negligibleChannels: number };
  /** A mixed 8/16-bit model (w8a8 with `wideValues`): nodes running at 16 bits, outputs re-encoded, converts inserted. */
  mixed?: MixedUnits & { wideValues: number; saturatedBiases: number };
  /** What each post-training step did. */
  ptq: PtqOutcome[];
  warnings: string[];
}

/**
 * The options {@link compileToQnn} quantizes the prepared model with (static QDQ, per-channel symmetric weights, the QNN
 * activation type, no graph passes: preparation ran them). For drivers that search over it, e.g. mixed precision.
 */
export function qnnQuantizeOptions(options: Omit<QnnCompileOptions, 'inputShapes' | 'inputValues' | 'wideValues' | 'int8Weights'>): QuantizeOptions {
  return {
    scheme: options.precision ?? 'w8a8', target: 'qnn', calibration: { source: options.calibration, method: options.method ?? 'minmax', limit: options.limit ?? 1000 },
    perChannel: true, symmetric: true, runPasses: false, ptq: options.ptq ?? [...QNN_DEFAULT_PTQ], ...(options.progress ? { progress: options.progress } : {}),
  };
}

/**
 * Compiles `model` (modified) for the QNN HTP backend: static shapes and no control flow (see {@link prepareForQnn}),
 * static QDQ with symmetric int8 weights (int4 for w4a16, at opset 21; per-channel for Conv, per-tensor for MatMul/Gemm)
 * and uint8/uint16 activations, then completes every op's node unit (see node-units.ts).
 * @throws GraphError for a shape or control flow the backend cannot take; UsageError for w4a16 on a model that cannot
 *   be raised to opset 21.
 */
export async function compileToQnn(model: Model, options: QnnCompileOptions): Promise<{ model: Model; report: QnnCompileReport }> {
  const precision = options.precision ?? 'w8a8';
  const wideValues = options.wideValues ?? [];
  if (wideValues.length && precision !== 'w8a8') throw new UsageError(`16-bit activations for chosen values mix precision in w8a8; ${precision} has 16-bit activations throughout`);
  const { model: prepared, passes } = await prepareForQnn(model, options.inputShapes, options.inputValues);
  const known = new Set([...prepared.graph.inputs.map((v) => v.name), ...prepared.graph.nodes.flatMap((n) => n.outputs)]);
  const unknown = wideValues.filter((v) => !known.has(v));
  if (unknown.length) throw new UsageError(`16-bit values not in the prepared model: ${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''} (name values as they are after the QNN preparation passes)`);
  const { model: out, report: q } = await quantizeModel(prepared, {
    ...qnnQuantizeOptions(options), ...(wideValues.length ? { wideValues } : {}), ...(options.int8Weights?.length ? { int8Weights: options.int8Weights } : {}),
  });
  const { units, mixed, missing } = await completeQnnUnits(out, options);
  const warnings = [...q.warnings];
  if (mixed?.saturatedBiases) warnings.push(`${mixed.saturatedBiases} bias value(s) clamp to int32 at their 16-bit input scale (a node converted up from 8 bits)`);
  if (missing.length) warnings.push(`no calibrated range for ${missing.length} value(s), left outside a node unit: ${missing.slice(0, 5).join(', ')}`);
  const graph = out.graph;
  const activationType = TARGET_TYPES.qnn[precision !== 'w8a8' ? 'w8a16' : 'w8a8'] as 'uint8' | 'uint16';
  const ops: Record<string, number> = {};
  for (const n of graph.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  return {
    model: out,
    report: {
      precision, activationType, passes, ops, computeNodes: graph.nodes.filter(isCompute).length,
      units, ...(mixed ? { mixed } : {}), ptq: q.ptq ?? [], warnings,
    },
  };
}

/**
 * Completes the node units of a model quantized with {@link qnnQuantizeOptions} (in place): scale Muls folded, ops on
 * raw integers wrapped, bare float edges quantized (calibrated on `options.calibration`), one activation type per unit
 * with converts between (given `wideValues`), fixed Sigmoid/Tanh encodings, ~zero weight channels fixed.
 * Returns what it did and the values it found no range for.
 */
export async function completeQnnUnits(out: Model, options: Pick<QnnCompileOptions, 'precision' | 'calibration' | 'method' | 'limit' | 'wideValues'>): Promise<{ units: QnnCompileReport['units']; mixed?: QnnCompileReport['mixed']; missing: string[] }> {
  const wideValues = options.wideValues ?? [];
  const sixteenBit = (options.precision ?? 'w8a8') !== 'w8a8';
  const activationType = TARGET_TYPES.qnn[sixteenBit ? 'w8a16' : 'w8a8'] as 'uint8' | 'uint16';
  const graph = out.graph;
  const foldedScales = foldConstantScales(graph);
  const wrapped = wrapIntegerOps(graph);
  const bare = bareValues(graph, inferTypes(out, { tolerant: true }));
  // A mixed model also calibrates what its 16-bit Qs quantize: an 8-bit reader converts down to that range (mixed-units.ts).
  const wideInputs = wideValues.length ? graph.nodes.filter((n) => n.op === 'QuantizeLinear' && constantOf(graph, n.inputs[2] ?? '')?.dtype === 'uint16').map((n) => n.inputs[0]) : [];
  const tensors = [...new Set([...bare, ...wideInputs])];
  const ranges = tensors.length ? await calibrate(out, options.calibration, { method: options.method ?? 'minmax', limit: options.limit ?? 1000, tensors }) : new Map();
  const wideDomain = qdqDomain(out, true, true);
  const wide = new Set(wideValues);
  const missing = quantizeBareValues(graph, bare, withOutputHeadroom(graph, withKnownRanges(graph, bare, ranges), (v) => sixteenBit || wide.has(v)), {
    activationType, domain: qdqDomain(out, sixteenBit, true), minRange: QNN_MIN_REAL_RANGE, ...(wide.size ? { wide: { values: wide, domain: wideDomain } } : {}),
  });
  // Fixed Sigmoid/Tanh encodings first, so converts start from the grid those outputs end up with; again after, for
  // outputs unifyUnitTypes widened to 16 bits.
  const fixedEncodings = applyFixedEncodings(graph);
  const unified = wideValues.length ? unifyUnitTypes(graph, wideDomain, ranges) : undefined;
  if (unified) applyFixedEncodings(graph);
  const mixed = unified ? { ...unified, wideValues: wideValues.length, saturatedBiases: rescaleStaleBiases(graph).saturated } : undefined;
  const negligibleChannels = fixNegligibleWeightChannels(graph);
  eliminateDeadCode(graph);
  return { units: { wrapped, pairsAdded: bare.length - missing.length, fixedEncodings, foldedScales, negligibleChannels }, ...(mixed ? { mixed } : {}), missing };
}
