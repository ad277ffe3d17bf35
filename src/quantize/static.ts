// Static QDQ quantization (w8a8, w8a16): mark per op, calibrate the marked activations, insert Q/DQ.
import type { Model, ValueType } from '../ir/graph.ts';
import { subgraphsOf } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import { toposort } from '../ir/toposort.ts';
import { activationFusionsOf, findActivationFusions } from '../passes/fuse-activation.ts';
import { constantOf, nameAllocator, opsetOf } from '../passes/graph-edit.ts';
import { describeRewrites, upgradeOpset, UPGRADE_DEFAULT_TARGET } from '../passes/upgrade-opset.ts';
import { calibrate } from './calibrate/calibrate.ts';
import { computesOnFloat, type ExcludeList } from './exclude.ts';
import { quantizerFor } from './ops/registry.ts';
import { WEIGHT_ONLY_OPS } from './ops/recurrent.ts';
import { graphAsModel, outerConstants, scopedGraphs } from './subgraphs.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { foldConvAffine, foldHardSigmoidIntoConv, foldScaleIntoNextConv } from './prepare.ts';
import { dropClampsBeforeQ, dropDefaultAttributes, runMoversOnQuantized } from './fold-qdq.ts';
import { LOW_BIT_WEIGHT_OPS, QdqPlan, type QdqOutcome, type QdqSettings } from './qdq.ts';
import type { TensorRange } from './calibrate/calibrator.ts';
import type { QuantizeReport } from './report.ts';
import { equalizeCrossLayer, observeCleRanges } from './ptq/cle.ts';
import { biasCorrectionOutcome, cleOutcome, gptqOutcome, rangeSearchOutcome, seqMseOutcome } from './ptq/ptq-report.ts';
import { correctBiases } from './ptq/bias-correction.ts';
import { searchRanges } from './ptq/range-search.ts';
import { OutputFidelity } from './ptq/output-fidelity.ts';
import { gptqRounding, type LayerRounding, type WeightRounding } from './ptq/weight-rounding.ts';
import { SIXTEEN_BIT_HEADROOM, withSixteenBitHeadroom } from './calibrate/headroom.ts';
import { clipRangesToReaders } from './calibrate/reader-ranges.ts';
import { INT4_SCHEMES, PTQ_STEPS, TARGET_TYPES, type PtqStep, type ResolvedOptions } from './schemes.ts';
import { upgradeForInt4 } from './int4-opset.ts';
import { UsageError } from '../errors.ts';

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
  // int4 weights (w4a8, w4a16) need opset 21: DequantizeLinear-21 takes int4 (and block_size).
  const int4 = INT4_SCHEMES.includes(options.scheme);
  const need = Math.max(int4 ? 21 : 10, !sixteenBit && options.perChannel ? 13 : 0, !sixteenBit && model.graph.nodes.some((n) => n.op === 'MaxPool' && n.domain === '') ? 12 : 0);
  let upgraded = false;
  if (opset < need) {
    const r = int4 ? upgradeForInt4(model, options.scheme) : upgradeOpset(model, UPGRADE_DEFAULT_TARGET);
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
  if (options.ptq.includes('cle')) {
    // Before calibration: equalizing moves the ranges calibration measures.
    const channelRanges = await observeCleRanges(model, calibration.source, { limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress });
    const cle = equalizeCrossLayer(graph, { activationRanges: channelRanges, absorbHighBias: true, perChannelWeights: options.perChannel });
    report.ptq = [...(report.ptq ?? []), cleOutcome(cle)];
  }
  // Names as the quantize report lists them (after the graph passes, which may fuse a MatMul and Add into a Gemm).
  const unknown = options.int8Weights.filter((name) => !graph.nodes.some((n) => n.name === name));
  if (unknown.length) throw new UsageError(`--int8-weights names no node of the model (after its graph passes): ${unknown.slice(0, 5).map((n) => `'${n}'`).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`);
  const weightless = options.int8Weights.filter((name) => { const n = graph.nodes.find((x) => x.name === name)!; return !LOW_BIT_WEIGHT_OPS.has(n.op) || !constantOf(graph, n.inputs[1]); });
  if (weightless.length) throw new UsageError(`--int8-weights takes Conv, ConvTranspose, MatMul or Gemm nodes with a constant weight: ${weightless.slice(0, 5).map((n) => `'${n}'`).join(', ')} ${weightless.length > 1 ? 'are' : 'is'} not`);
  const types = inferTypes(model, { tolerant: true });
  const fused = new Set((upgraded || scales || hardSigmoids || folded ? findActivationFusions(model) : activationFusionsOf(model)).map((f) => f.value));
  const settings: QdqSettings = {
    activationType: options.activationType,
    weightType: int4 ? 'int4' : 'int8',
    ...(options.int8Weights.length ? { int8WeightNodes: new Set(options.int8Weights) } : {}),
    weightBlock: options.weightBlock,
    perChannel: options.perChannel,
    symmetricWeights: options.symmetric,
    domain: qdqDomain(model, sixteenBit, options.perChannel),
    floatValues: new Set(options.floatValues),
    wideValues: new Set(options.wideValues),
    wideDomain: qdqDomain(model, true, options.perChannel),
    // The QNN HTP backend takes per-channel weights on Conv-like ops only: MatMul/Gemm weights are per-tensor there.
    ...(options.target === 'qnn' ? { perTensorOps: new Set(['MatMul', 'Gemm']), qnn: true } : {}),
  };
  report.types = {
    target: options.target, activationType: options.activationType,
    reason: options.activationTypeReason === '--activation-type' ? `${options.activationType} as asked (--activation-type)` : `${options.activationType}, the default for ${TARGET_TYPES[options.target].why}`,
  };
  const detail = `${int4 ? 'int4' : 'int8'} ${options.weightBlock ? `per-channel blocks of ${options.weightBlock}` : options.perChannel ? 'per-channel' : 'per-tensor'} weights, ${options.activationType} activations`;
  const mark = (m: Model, into?: QuantizeReport): QdqPlan[] => markPlans(m, types, fused, settings, exclude, detail, into);
  const plans = mark(model, report);
  const tensors = [...new Set(plans.flatMap((p) => p.activationsToCalibrate()))];
  let ranges = await calibrate(model, calibration.source, {
    method: calibration.method, tensors, batchSize: calibration.batchSize, limit: calibration.limit, progress: options.progress,
  });
  // 16-bit min/max ranges get headroom: a held-out value past the calibration extremes is otherwise clipped (headroom.ts).
  if (calibration.method === 'minmax') {
    const grids = plans[0].activationGrids(ranges);
    const widened = withSixteenBitHeadroom(ranges, (v) => grids.get(v)?.type.endsWith('16') ?? false);
    ranges = widened.ranges;
    if (widened.widened) report.headroom = { fraction: SIXTEEN_BIT_HEADROOM, tensors: widened.widened };
  }
  // 8-bit ranges narrowed to what their readers can tell apart (HardSwish below −3, Relu below 0, …): exact, finer grid.
  const clipToReaders = (r: Map<string, TensorRange>): Map<string, TensorRange> => {
    if (!options.readerRanges) return r;
    const grids = plans[0].activationGrids(r);
    const { ranges: clipped, clipped: list } = clipRangesToReaders(model.graph, new Map([...r].filter(([v]) => !grids.get(v)?.type.endsWith('16'))));
    report.readerRanges = list.length;
    return new Map([...r, ...clipped]);
  };
  ranges = clipToReaders(ranges);
  // Copies quantized as the model will be, which range search and bias correction measure.
  const quantizedCopy = (float: Model, r: ReadonlyMap<string, TensorRange>, rounding?: WeightRounding): Model => {
    const m = structuredClone(float);
    applyPlans(mark(m), r, rounding, sixteenBit);
    eliminateDeadCode(m.graph);
    addQdqOpsets(m, settings, sixteenBit, options.wideValues.length > 0);
    return m;
  };
  // The float model's outputs on the calibration data, measured once for the steps that score copies end to end
  // (taken before bias correction changes any float bias).
  const fidelity = new OutputFidelity(model, calibration.source, { limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress });
  if (options.ptq.includes('range-search')) {
    const types = new Map([...plans[0].activationGrids(ranges)].map(([v, g]) => [v, g.type]));
    const searched = await searchRanges(model, calibration.source, tensors, { types, method: calibration.method, limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress });
    // Per-tensor choices against each method for every tensor, scored by the whole model's output on the calibration data.
    const scored: { label: string; ranges: Map<string, TensorRange>; psnr: number }[] = [];
    // The asked method first: a tie keeps it.
    const methods = [...searched.byMethod].sort(([a], [b]) => Number(b === calibration.method) - Number(a === calibration.method));
    for (const [label, r] of [methods[0], ['per-tensor choice', searched.ranges], ...methods.slice(1)] as [string, Map<string, TensorRange>][]) {
      // 16-bit activations keep the asked method's range in every alternative (their rounding noise is negligible).
      const merged = new Map([...ranges, ...[...r].filter(([v]) => !types.get(v)?.endsWith('16'))]);
      scored.push({ label, ranges: merged, psnr: await fidelity.psnr(quantizedCopy(model, merged), `range search: scoring ${label}`) });
    }
    const best = scored.reduce((a, b) => (b.psnr > a.psnr ? b : a));
    ranges = clipToReaders(best.ranges);
    report.ptq = [...(report.ptq ?? []), rangeSearchOutcome(searched.choices, calibration.method, scored.map(({ label, psnr }) => ({ label, psnr })), best.label)];
  }
  const measured = options.ptq.includes('gptq') || options.ptq.includes('seq-mse') ? await layerRoundingFor(model, plans[0], ranges, calibration, options, report) : undefined;
  let rounding: LayerRounding | undefined = measured;
  // Searched scales lower each layer's own output error; the whole model's output can still lose (measured: MobileNetV2
  // w4a16 −4.8 dB on held-out digits). Kept only if the output on the calibration data is at least as close to float.
  let seqMseScores: { searched: number; minMax: number } | undefined;
  if (measured && rounding && options.ptq.includes('seq-mse')) {
    const searched = await fidelity.psnr(quantizedCopy(model, ranges, rounding.rounding), 'seq-mse: scoring the searched scales');
    const without = options.ptq.filter((s) => s !== 'seq-mse');
    // The same layer-input moments serve GPTQ on the min/max grids (measured once).
    const minMaxRounding = without.includes('gptq') ? measured.withoutSearch() : undefined;
    const minMax = await fidelity.psnr(quantizedCopy(model, ranges, minMaxRounding?.rounding), 'seq-mse: scoring min/max scales');
    seqMseScores = { searched, minMax };
    if (!(searched >= minMax)) rounding = minMaxRounding && { ...minMaxRounding, searched: rounding.searched };
  }
  if (options.ptq.includes('bias-correction')) {
    // Measured on copies quantized as the model will be; the corrected float biases are then quantized for real.
    const copy = (float: Model): Model => quantizedCopy(float, ranges, rounding?.rounding);
    const before = await fidelity.psnr(copy(model), 'bias correction: scoring before');
    const corrected = await correctBiases(model, plans[0].weightedNodes().map((n) => n.name), copy, calibration.source, { limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress });
    const after = await fidelity.psnr(copy(model), 'bias correction: scoring after');
    // Kept only if the whole model's output on the calibration data is closer to float for it.
    if (!(after >= before)) corrected.revert();
    report.ptq = [...(report.ptq ?? []), biasCorrectionOutcome(corrected.layers, before, after)];
    plans.splice(0, plans.length, ...mark(model));
  }
  const outcome = applyPlans(plans, ranges, rounding?.rounding, sixteenBit);
  if (seqMseScores && options.ptq.includes('seq-mse')) report.ptq = [...(report.ptq ?? []), seqMseOutcome(rounding?.searched ?? [], seqMseScores)];
  if (rounding && options.ptq.includes('gptq')) report.ptq = [...(report.ptq ?? []), gptqOutcome(rounding.rounded)];
  report.ptq?.sort((x, y) => PTQ_STEPS.indexOf(x.step as PtqStep) - PTQ_STEPS.indexOf(y.step as PtqStep));
  report.activations = { quantized: outcome.activations, sixteenBit: sixteenBit ? outcome.activations : outcome.wideActivations };
  if (outcome.missingRanges.length) report.warnings.push(`no calibrated range for ${outcome.missingRanges.length} value(s), left float: ${outcome.missingRanges.slice(0, 5).join(', ')}${outcome.missingRanges.length > 5 ? ', …' : ''}`);
  if (outcome.saturatedBias) report.warnings.push(`${outcome.saturatedBias} bias value(s) saturated int32`);
  addQdqOpsets(model, settings, sixteenBit, options.wideValues.length > 0);
  if (settings.domain === 'com.microsoft') {
    report.warnings.push(`opset ${opsetOf(model.opsets) ?? '?'} lacks ${sixteenBit ? '16-bit' : 'per-channel'} QuantizeLinear; used onnxruntime's com.microsoft QuantizeLinear/DequantizeLinear`);
  }
  return model;
}

/** The com.microsoft opset import when the Q/DQ nodes (or the 16-bit ones of mixed precision) use that domain. */
function addQdqOpsets(model: Model, settings: QdqSettings, sixteenBit: boolean, wide: boolean): void {
  if ((!sixteenBit && wide && settings.wideDomain === 'com.microsoft') || settings.domain === 'com.microsoft') ensureOpset(model, 'com.microsoft', 1);
}

/** Inserts every plan's Q/DQ (the main graph's weights rounded by `rounding` when given) and tidies each graph. */
function applyPlans(plans: QdqPlan[], ranges: ReadonlyMap<string, TensorRange>, rounding: WeightRounding | undefined, sixteenBit: boolean): Omit<QdqOutcome, 'weights' | 'biases'> {
  const outcome = { activations: 0, wideActivations: 0, missingRanges: [] as string[], saturatedBias: 0 };
  for (const plan of plans) {
    const o = plan.apply(ranges, plan === plans[0] ? rounding : undefined);
    outcome.activations += o.activations;
    outcome.wideActivations += o.wideActivations;
    outcome.missingRanges.push(...o.missingRanges);
    outcome.saturatedBias += o.saturatedBias;
    dropClampsBeforeQ(plan.graph);
    runMoversOnQuantized(plan.graph, !sixteenBit);
    dropDefaultAttributes(plan.graph);
  }
  return outcome;
}

/**
 * One plan per graph — the main graph, then every If/Loop/Scan body (values inside bodies are calibrated too) — with
 * each node's quantizer asked what it needs. `report` (when given) records what was quantized and what stays float;
 * a PTQ step that quantizes a copy of the model to measure it marks that copy without one.
 */
function markPlans(model: Model, types: Map<string, ValueType>, fused: ReadonlySet<string>, settings: QdqSettings, exclude: ExcludeList, detail: string, report?: QuantizeReport): QdqPlan[] {
  const fresh = nameAllocator(model.graph);
  return scopedGraphs(model).map((scoped) => {
    const fusedHere = scoped.owner ? new Set(findActivationFusions(graphAsModel(model, scoped.graph)).map((f) => f.value)) : fused;
    const plan = new QdqPlan(scoped.graph, types, fusedHere, settings, fresh, outerConstants(scoped));
    const where = scoped.owner ? { scope: scoped.scope } : {};
    for (const node of toposort(scoped.graph)) {
      const floatNode = computesOnFloat(node, types);
      if (exclude.matches(node)) {
        if (floatNode) report?.float.push({ node: node.name, op: node.op, detail: 'excluded by the user', ...where });
        continue;
      }
      if (subgraphsOf(node).length) {
        if (floatNode) report?.float.push({ node: node.name, op: node.op, detail: 'control flow: the node itself stays float; its bodies are quantized on their own', ...where });
        continue;
      }
      const verdict = quantizerFor(node, settings.qnn)(node, plan);
      if (verdict === true) {
        plan.markNode(node);
        const layout = !settings.perChannel || settings.perTensorOps?.has(node.op) ? 'per-tensor' : 'per-channel';
        const own = settings.int8WeightNodes?.has(node.name) ? `int8 ${layout} weights (kept at 8 bits)${detail.slice(detail.indexOf(','))}` : detail;
        report?.quantized.push({ node: node.name, op: node.op, detail: WEIGHT_ONLY_OPS[node.op] ?? own, ...where });
      } else if (floatNode) {
        report?.float.push({ node: node.name, op: node.op, detail: verdict, ...where });
      }
    }
    return plan;
  });
}

/** The weight grids (seq-mse) and integers (gptq) of the main graph's weights (bodies keep round-to-nearest), from the layer inputs on the calibration data. */
async function layerRoundingFor(model: Model, plan: QdqPlan, ranges: ReadonlyMap<string, TensorRange>, calibration: NonNullable<ResolvedOptions['calibration']>, options: ResolvedOptions, report: QuantizeReport): Promise<Awaited<ReturnType<typeof gptqRounding>>> {
  const result = await gptqRounding(model, plan.weightedNodes(), (name) => plan.graph.initializers.get(name), calibration.source, {
    limit: calibration.limit, batchSize: calibration.batchSize, progress: options.progress, inputGrids: plan.activationGrids(ranges),
    gptq: options.ptq.includes('gptq'), seqMse: options.ptq.includes('seq-mse'),
  });
  if (!plan.weightedNodes().length) report.warnings.push(`${options.ptq.includes('gptq') ? 'gptq' : 'seq-mse'}: no Conv/MatMul/Gemm weight to work on`);
  return result;
}
