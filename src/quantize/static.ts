// Static QDQ quantization (w8a8, w8a16): mark per op, calibrate the marked activations, insert Q/DQ.
import type { Model } from '../ir/graph.ts';
import { subgraphsOf } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import { toposort } from '../ir/toposort.ts';
import { activationFusionsOf, findActivationFusions } from '../passes/fuse-activation.ts';
import { nameAllocator, opsetOf } from '../passes/graph-edit.ts';
import { describeRewrites, upgradeOpset, UPGRADE_DEFAULT_TARGET } from '../passes/upgrade-opset.ts';
import { calibrate } from './calibrate/calibrate.ts';
import { computesOnFloat, type ExcludeList } from './exclude.ts';
import { quantizerFor } from './ops/registry.ts';
import { WEIGHT_ONLY_OPS } from './ops/recurrent.ts';
import { graphAsModel, outerConstants, scopedGraphs } from './subgraphs.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { foldConvAffine, foldHardSigmoidIntoConv, foldScaleIntoNextConv } from './prepare.ts';
import { dropClampsBeforeQ, dropDefaultAttributes, runMoversOnQuantized } from './fold-qdq.ts';
import { QdqPlan, type QdqSettings } from './qdq.ts';
import type { TensorRange } from './calibrate/calibrator.ts';
import type { PtqOutcome, QuantizeReport } from './report.ts';
import { gptqRounding, type RoundedWeight } from './ptq/weight-rounding.ts';
import { TARGET_TYPES, type ResolvedOptions } from './schemes.ts';

/** Q/DQ domain: ONNX when its opset has what we need (axis: 13; 16-bit types: 21), else onnxruntime's com.microsoft Q/DQ. */
export function qdqDomain(model: Model, sixteenBit: boolean, perChannel: boolean): '' | 'com.microsoft' {
  const opset = opsetOf(model.opsets) ?? 1;
  const need = sixteenBit ? 21 : perChannel ? 13 : 10;
  return opset >= need ? '' : 'com.microsoft';
}

/** Adds an opset import for `domain` if the model lacks one. */
export function ensureOpset(model: Model, domain: string, version: number): void {
  if (!model.opsets.some((o) => o.domain === domain)) model.opsets.push({ domain, version });
}

/** Quantizes `model` in place to static QDQ form; fills the report. */
export async function quantizeStatic(model: Model, options: ResolvedOptions, exclude: ExcludeList, report: QuantizeReport): Promise<Model> {
  const calibration = options.calibration!;
  const sixteenBit = options.activationType.endsWith('16');
  // ONNX-domain 8-bit Q/DQ needs opset 10 (13 for per-channel axis; 12 for int8 MaxPool, which Q/DQ movers produce).
  const opset = opsetOf(model.opsets) ?? 1;
  const need = Math.max(10, !sixteenBit && options.perChannel ? 13 : 0, !sixteenBit && model.graph.nodes.some((n) => n.op === 'MaxPool' && n.domain === '') ? 12 : 0);
  let upgraded = false;
  if (opset < need) {
    const r = upgradeOpset(model, UPGRADE_DEFAULT_TARGET);
    upgraded = true;
    report.passLog.push(`upgrade-opset: opset ${r.from} → ${r.to} for QuantizeLinear/DequantizeLinear, rewrote ${describeRewrites(r.rewritten)}`);
  }
  const graph = model.graph;
  const scales = foldScaleIntoNextConv(graph);
  if (scales) report.passLog.push(`fold-scale-into-conv: ${scales} constant Div/Mul node(s) turned into Mul by the reciprocal or folded into the next Conv's weights`);
  const hardSigmoids = foldHardSigmoidIntoConv(graph, opsetOf(model.opsets) ?? 1);
  if (hardSigmoids) report.passLog.push(`fold-hardsigmoid: ${hardSigmoids} HardSigmoid(s) after Conv folded into its weights and bias, leaving Clip(0, 1)`);
  const folded = foldConvAffine(graph);
  if (folded) {
    eliminateDeadCode(graph);
    report.passLog.push(`fold-conv-affine: ${folded} constant Mul/Add node(s) after Conv folded into its weights and bias`);
  }
  if (scales || hardSigmoids) eliminateDeadCode(graph);
  const types = inferTypes(model, { tolerant: true });
  const fused = new Set((upgraded || scales || hardSigmoids || folded ? findActivationFusions(model) : activationFusionsOf(model)).map((f) => f.value));
  const settings: QdqSettings = {
    activationType: options.activationType,
    weightType: 'int8',
    perChannel: options.perChannel,
    symmetricWeights: options.symmetric,
    domain: qdqDomain(model, sixteenBit, options.perChannel),
    floatValues: new Set(options.floatValues),
    wideValues: new Set(options.wideValues),
    wideDomain: qdqDomain(model, true, options.perChannel),
    // The QNN HTP backend takes per-channel weights on Conv-like ops only: MatMul/Gemm weights are per-tensor there.
    ...(options.target === 'qnn' ? { perTensorOps: new Set(['MatMul', 'Gemm']) } : {}),
  };
  report.types = {
    target: options.target, activationType: options.activationType,
    reason: options.activationTypeReason === '--activation-type' ? `${options.activationType} as asked (--activation-type)` : `${options.activationType}, the default for ${TARGET_TYPES[options.target].why}`,
  };
  const detail = `int8 ${options.perChannel ? 'per-channel' : 'per-tensor'} weights, ${options.activationType} activations`;
  // One plan per graph: the main graph, then every If/Loop/Scan body (values inside bodies are calibrated too).
  const fresh = nameAllocator(graph);
  const plans = scopedGraphs(model).map((scoped) => {
    const fusedHere = scoped.owner ? new Set(findActivationFusions(graphAsModel(model, scoped.graph)).map((f) => f.value)) : fused;
    const plan = new QdqPlan(scoped.graph, types, fusedHere, settings, fresh, outerConstants(scoped));
    const where = scoped.owner ? { scope: scoped.scope } : {};
    for (const node of toposort(scoped.graph)) {
      const floatNode = computesOnFloat(node, types);
      if (exclude.matches(node)) {
        if (floatNode) report.float.push({ node: node.name, op: node.op, detail: 'excluded by the user', ...where });
        continue;
      }
      if (subgraphsOf(node).length) {
        if (floatNode) report.float.push({ node: node.name, op: node.op, detail: 'control flow: the node itself stays float; its bodies are quantized on their own', ...where });
        continue;
      }
      const verdict = quantizerFor(node)(node, plan);
      if (verdict === true) {
        plan.markNode(node);
        report.quantized.push({ node: node.name, op: node.op, detail: WEIGHT_ONLY_OPS[node.op] ?? detail, ...where });
      } else if (floatNode) {
        report.float.push({ node: node.name, op: node.op, detail: verdict, ...where });
      }
    }
    return plan;
  });
  const tensors = [...new Set(plans.flatMap((p) => p.activationsToCalibrate()))];
  const ranges = await calibrate(model, calibration.source, {
    method: calibration.method, tensors, batchSize: calibration.batchSize, limit: calibration.limit, progress: options.progress,
  });
  const rounding = options.ptq.includes('gptq') ? await gptqFor(model, plans[0], ranges, calibration, options, report) : undefined;
  const outcome = { activations: 0, wideActivations: 0, missingRanges: [] as string[], saturatedBias: 0 };
  for (const plan of plans) {
    const o = plan.apply(ranges, plan === plans[0] ? rounding?.rounding : undefined);
    outcome.activations += o.activations;
    outcome.wideActivations += o.wideActivations;
    outcome.missingRanges.push(...o.missingRanges);
    outcome.saturatedBias += o.saturatedBias;
    dropClampsBeforeQ(plan.graph);
    runMoversOnQuantized(plan.graph, !sixteenBit);
    dropDefaultAttributes(plan.graph);
  }
  if (rounding) report.ptq = [...(report.ptq ?? []), gptqOutcome(rounding.rounded)];
  report.activations = { quantized: outcome.activations, sixteenBit: sixteenBit ? outcome.activations : outcome.wideActivations };
  if (outcome.missingRanges.length) report.warnings.push(`no calibrated range for ${outcome.missingRanges.length} value(s), left float: ${outcome.missingRanges.slice(0, 5).join(', ')}${outcome.missingRanges.length > 5 ? ', …' : ''}`);
  if (outcome.saturatedBias) report.warnings.push(`${outcome.saturatedBias} bias value(s) saturated int32`);
  if (!sixteenBit && options.wideValues.length && settings.wideDomain === 'com.microsoft') ensureOpset(model, 'com.microsoft', 1);
  if (settings.domain === 'com.microsoft') {
    ensureOpset(model, 'com.microsoft', 1);
    report.warnings.push(`opset ${opsetOf(model.opsets) ?? '?'} lacks ${sixteenBit ? '16-bit' : 'per-channel'} QuantizeLinear; used onnxruntime's com.microsoft QuantizeLinear/DequantizeLinear`);
  }
  return model;
}

/** GPTQ's rounding for the main graph's weights (bodies keep round-to-nearest), from the layer inputs on the calibration data. */
async function gptqFor(model: Model, plan: QdqPlan, ranges: ReadonlyMap<string, TensorRange>, calibration: NonNullable<ResolvedOptions['calibration']>, options: ResolvedOptions, report: QuantizeReport): Promise<Awaited<ReturnType<typeof gptqRounding>>> {
  const result = await gptqRounding(model, plan.weightedNodes(), (name) => plan.graph.initializers.get(name), calibration.source, {
    limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress, inputGrids: plan.activationGrids(ranges),
  });
  if (!plan.weightedNodes().length) report.warnings.push('gptq: no Conv/MatMul/Gemm weight to round');
  return result;
}

/** The report entry of GPTQ: how much layer-output error it removed against round-to-nearest, in dB. */
function gptqOutcome(rounded: RoundedWeight[]): PtqOutcome {
  const gains = rounded.filter((r) => r.nearestError > 0).map((r) => 10 * Math.log10(r.nearestError / Math.max(r.error, Number.MIN_VALUE))).sort((a, b) => a - b);
  const median = gains.length ? gains[Math.floor(gains.length / 2)] : 0;
  const summary = gains.length
    ? `rounded ${rounded.length} weight tensor(s) by layer-output error; output error on the calibration inputs ${median.toFixed(1)} dB lower than round-to-nearest (median; range ${gains[0].toFixed(1)}–${gains[gains.length - 1].toFixed(1)} dB)`
    : `rounded ${rounded.length} weight tensor(s); nothing to compare (no input energy)`;
  return { step: 'gptq', weights: rounded.length, summary, layers: rounded.map((r) => ({ node: r.node, weight: r.weight, before: r.nearestError, after: r.error })) };
}
