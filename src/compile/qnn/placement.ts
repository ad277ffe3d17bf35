// Per-node placement for ONNX Runtime's QNN EP (HTP backend): NPU or CPU fallback, why, and a fix, from rules/htp-ops.ts.
import { attrFloat, attrInt, type Dim, type Model, type Node, type ValueType } from '../../ir/graph.ts';
import { inferModel } from '../../ir/infer.ts';
import { tensorValues } from '../../ir/tensor.ts';
import { integerValues, QUANTIZED_DTYPES } from '../../passes/dequantize/values.ts';
import { nodeLabel, producers, toposort } from '../../ir/toposort.ts';
import { describeEpContexts, isEpContext, type EpContextFacts } from './ep-context.ts';
import { groupNodeUnits, type NodeUnit } from './placement-units.ts';
import {
  CONTROL_FLOW_OPS, HTP_ACTIVATION_DTYPES, HTP_BIAS_DTYPE, HTP_DOMAINS, HTP_FIXED_OUTPUT_ENCODINGS, HTP_MAX_RANK, HTP_OPS, HTP_RULES_SOURCE,
  HTP_WEIGHT_DTYPES, QDQ_WIDE_TYPES, QDQ_WIDE_TYPES_OPSET, type HtpOpRule,
} from './rules/htp-ops.ts';

/** Why a node falls back to the CPU. */
export type FallbackCode =
  | 'dynamic-shape' | 'int64' | 'unsupported-op' | 'control-flow' | 'float' | 'ungrouped-qdq' | 'float-output'
  | 'activation-dtype' | 'weight-dtype' | 'per-channel' | 'asymmetric-weights' | 'bias-dtype' | 'rank' | 'attribute'
  | 'static-input' | 'unit-fallback' | 'qdq-opset' | 'output-encoding' | 'mixed-unit-dtype';

/** One reason, with the fix to suggest. */
export interface FallbackReason {
  code: FallbackCode;
  message: string;
  fix: string;
}

/** Where one node runs: 'npu' (HTP), 'cpu' (fallback), 'folded' (constant, ORT folds it before partitioning), 'context' (EPContext). */
export type Placement = 'npu' | 'cpu' | 'folded' | 'context';

/** The placement of one node. */
export interface NodePlacement {
  node: string;
  op: string;
  placement: Placement;
  /** The compute node whose QDQ unit this Q/DQ node belongs to. */
  unit?: string;
  reasons: FallbackReason[];
}

/** The whole report: per node, counts, reasons by code, and the rules' source. */
export interface QnnPlacementReport {
  target: 'qnn';
  backend: 'htp';
  rules: typeof HTP_RULES_SOURCE;
  nodes: NodePlacement[];
  counts: Record<Placement, number>;
  /** Fallback code → number of nodes giving it. */
  reasons: Partial<Record<FallbackCode, number>>;
  /** EPContext nodes (a precompiled QNN context binary), described. */
  epContexts: EpContextFacts[];
}

const FIX = {
  dynamic: 'fix with --input-shape',
  int64: 'cast/fold, int64 is not supported on HTP',
  unsupported: 'keep in float (CPU) or replace',
  control: 'fold the If / unroll the Loop (compile --target qnn does), or keep in float (CPU)',
  float: 'quantize with compile --target qnn',
  qdq: 'wrap the op in its own DQ → op → Q (compile --target qnn does)',
  floatOut: 'quantize the output (Q → DQ after it; compile --target qnn does)',
  dtype: 'use uint8/uint16 activations and int8 (or int4) weights (compile --target qnn)',
  perChannelMatMul: 'per-tensor weights for MatMul (compile --target qnn)',
  asym: 'symmetric weights (zero point 0): drop --asymmetric-weights',
  bias: 'int32 bias at input scale × weight scale (compile --target qnn)',
  rank: 'reshape to rank ≤ 5, or keep in float (CPU)',
  attr: 'rewrite the node with supported attributes, or keep in float (CPU)',
  staticInput: 'fold the input to a constant (fix shapes with --input-shape)',
  opset: 'opset 21, or com.microsoft QuantizeLinear/DequantizeLinear (compile --target qnn)',
  encoding: 'use the fixed 16-bit output encoding (compile --target qnn)',
  mixedUnit: 'one activation type per unit: convert the odd inputs/outputs with DQ → Q (compile --target qnn --mixed-target-psnr does)',
} as const;

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear']);

/** Shape of a value type (undefined when unknown). */
function shapeOf(t: ValueType | undefined): Dim[] | undefined {
  return t?.kind === 'tensor' ? t.shape : undefined;
}

function dtypeOf(t: ValueType | undefined): string | undefined {
  return t?.kind === 'tensor' ? t.dtype : undefined;
}

/**
 * Places every node of an ONNX model (float or QDQ) on the QNN EP's HTP backend or the CPU, with the reasons and a fix
 * for each fallback. Groups DQ → op → Q node units like the EP; nodes ORT constant-folds are 'folded'; EPContext
 * nodes are 'context' and described in `epContexts`. Shapes and dtypes come from our own inference (tolerant).
 */
export function qnnPlacement(model: Model): QnnPlacementReport {
  const graph = model.graph;
  const ordered = safeToposort(model);
  const { types } = inferModel(model, { tolerant: true });
  const typeOf = (name: string): ValueType | undefined => types.get(name) ?? graph.valueInfo.get(name)?.type;
  const grouping = groupNodeUnits(graph, ordered, (v) => dtypeOf(typeOf(v)) === undefined || isFloatDtype(dtypeOf(typeOf(v))));
  const made = producers(graph);
  const labels = new Map(graph.nodes.map((n, i) => [n, nodeLabel(n, i)]));
  const defaultOpset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;

  /** A 16/4-bit Q or DQ in the default domain below opset 21 is not valid ONNX (ORT refuses the model). */
  function qdqOpsetReasons(q: Node): FallbackReason[] {
    const dt = dtypeOf(typeOf(q.op === 'QuantizeLinear' ? q.outputs[0] : q.inputs[0]));
    if (!dt || !QDQ_WIDE_TYPES.includes(dt) || q.domain === 'com.microsoft' || defaultOpset >= QDQ_WIDE_TYPES_OPSET) return [];
    return [{ code: 'qdq-opset', message: `${dt} ${q.op} in the ONNX domain needs opset ${QDQ_WIDE_TYPES_OPSET} (model: ${defaultOpset})`, fix: FIX.opset }];
  }

  const unitReasons = new Map<NodeUnit, FallbackReason[]>();
  const computeReasons = (unit: NodeUnit): FallbackReason[] => {
    let r = unitReasons.get(unit);
    if (!r) unitReasons.set(unit, (r = checkCompute(unit)));
    return r;
  };

  function checkCompute(unit: NodeUnit): FallbackReason[] {
    const n = unit.node;
    const reasons: FallbackReason[] = [];
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    if (CONTROL_FLOW_OPS.includes(n.op)) {
      reasons.push({ code: 'control-flow', message: `${n.op} (control flow) is not taken by the QNN EP`, fix: FIX.control });
      return reasons;
    }
    const rule: HtpOpRule | undefined = HTP_DOMAINS.includes(domain) && Object.hasOwn(HTP_OPS, n.op) ? HTP_OPS[n.op] : undefined;
    if (!rule) reasons.push({ code: 'unsupported-op', message: `${domain ? `${domain}.` : ''}${n.op} is not registered for the QNN EP`, fix: FIX.unsupported });
    reasons.push(...shapeReasons(n));
    if (rule) reasons.push(...ruleReasons(n, rule));
    reasons.push(...quantReasons(unit, rule));
    return reasons;
  }

  function shapeReasons(n: Node): FallbackReason[] {
    const out: FallbackReason[] = [];
    const values = [...n.inputs, ...n.outputs].filter((v) => v && !grouping.constants.has(v));
    const dynamic = values.find((v) => shapeOf(typeOf(v))?.some((d) => typeof d !== 'number'));
    if (dynamic) out.push({ code: 'dynamic-shape', message: `dynamic shape [${shapeOf(typeOf(dynamic))!.map((d) => d ?? '?').join(', ')}] on '${dynamic}'`, fix: FIX.dynamic });
    else {
      const unknown = values.find((v) => !shapeOf(typeOf(v)));
      if (unknown) out.push({ code: 'dynamic-shape', message: `shape of '${unknown}' is not known statically`, fix: FIX.dynamic });
    }
    const int64 = values.find((v) => dtypeOf(typeOf(v)) === 'int64');
    if (int64) out.push({ code: 'int64', message: `int64 tensor '${int64}' computed at run time`, fix: FIX.int64 });
    const deep = values.find((v) => (shapeOf(typeOf(v))?.length ?? 0) > HTP_MAX_RANK);
    if (deep) out.push({ code: 'rank', message: `'${deep}' has rank ${shapeOf(typeOf(deep))!.length} > ${HTP_MAX_RANK}`, fix: FIX.rank });
    return out;
  }

  function ruleReasons(n: Node, rule: HtpOpRule): FallbackReason[] {
    const out: FallbackReason[] = [];
    for (const limit of rule.attrs ?? []) {
      const v = attrFloat(n, limit.name, limit.default);
      if (!limit.allowed.includes(v)) out.push({ code: 'attribute', message: `${limit.name}=${v} (${limit.why})`, fix: FIX.attr });
    }
    for (const i of rule.staticInputs ?? []) {
      const v = n.inputs[i];
      if (v && !grouping.constants.has(v)) out.push({ code: 'static-input', message: `input ${i} '${v}' of ${n.op} must be a constant for QNN`, fix: FIX.staticInput });
    }
    return out;
  }

  function quantReasons(unit: NodeUnit, rule: HtpOpRule | undefined): FallbackReason[] {
    const n = unit.node;
    const out: FallbackReason[] = [];
    if (!unit.grouped) {
      const ints = n.inputs.filter((v) => v && !grouping.constants.has(v) && (made.get(v)?.op === 'QuantizeLinear' || isQuantChain(v)));
      if (ints.length > 0) out.push({ code: 'ungrouped-qdq', message: `runs on raw integer tensor '${ints[0]}' between Q and DQ: not a DQ → op → Q node unit`, fix: FIX.qdq });
      else if (unit.floatOutput) out.push({ code: 'float-output', message: `output '${n.outputs[0]}' is float (no Q): the node unit does not group`, fix: FIX.floatOut });
      else if (n.outputs.some((o) => isFloatDtype(dtypeOf(typeOf(o)))) || n.inputs.some((i) => i && !grouping.constants.has(i) && isFloatDtype(dtypeOf(typeOf(i))))) {
        out.push({ code: 'float', message: 'float node (not quantized): HTP runs quantized node units', fix: FIX.float });
      }
      return out;
    }
    for (const dq of unit.dqs) {
      const isWeight = grouping.constants.has(dq.inputs[0]);
      const slot = n.inputs.indexOf(dq.outputs[0]);
      const dt = dtypeOf(typeOf(dq.inputs[0]));
      if (rule?.bias === slot && isWeight) {
        if (dt !== HTP_BIAS_DTYPE) out.push({ code: 'bias-dtype', message: `bias '${dq.inputs[0]}' is ${dt}, HTP wants ${HTP_BIAS_DTYPE}`, fix: FIX.bias });
        continue;
      }
      const weightRule = rule?.weights?.find((w) => w.input === slot);
      if (weightRule && isWeight) out.push(...weightReasons(n, dq, dt, weightRule.perChannelAxis));
      else if (dt && !HTP_ACTIVATION_DTYPES.includes(dt) && !isWeight) out.push({ code: 'activation-dtype', message: `activation '${dq.inputs[0]}' is ${dt}`, fix: FIX.dtype });
    }
    for (const q of unit.qs) {
      const dt = dtypeOf(typeOf(q.outputs[0]));
      if (dt && !HTP_ACTIVATION_DTYPES.includes(dt)) out.push({ code: 'activation-dtype', message: `output '${q.outputs[0]}' is ${dt}`, fix: FIX.dtype });
      const fixed = dt ? HTP_FIXED_OUTPUT_ENCODINGS[n.op]?.[dt] : undefined;
      if (fixed) out.push(...encodingReasons(q, fixed));
    }
    const activationTypes = new Set([
      ...unit.dqs.filter((dq) => !grouping.constants.has(dq.inputs[0])).map((dq) => dtypeOf(typeOf(dq.inputs[0]))),
      ...unit.qs.map((q) => dtypeOf(typeOf(q.outputs[0]))),
    ].filter((dt): dt is string => dt !== undefined && HTP_ACTIVATION_DTYPES.includes(dt)));
    if (activationTypes.size > 1) out.push({ code: 'mixed-unit-dtype', message: `the unit mixes ${[...activationTypes].sort().join(' and ')} activations (a unit runs in one type)`, fix: FIX.mixedUnit });
    for (const qdq of [...unit.dqs, ...unit.qs]) out.push(...qdqOpsetReasons(qdq));
    return out;
  }

  function weightReasons(n: Node, dq: Node, dt: string | undefined, allowedAxis: number | null | 'gemm-output'): FallbackReason[] {
    const out: FallbackReason[] = [];
    if (dt && !HTP_WEIGHT_DTYPES.includes(dt)) out.push({ code: 'weight-dtype', message: `weight '${dq.inputs[0]}' is ${dt}`, fix: FIX.dtype });
    const scale = constantTensor(dq.inputs[1]);
    const perChannel = scale !== undefined && scale.dims.length > 0 && scale.dims.reduce((a, b) => a * b, 1) > 1;
    const axis = attrInt(dq, 'axis', 1);
    const allowed = allowedAxis === 'gemm-output' ? (attrInt(n, 'transB', 0) === 1 ? 0 : 1) : allowedAxis;
    if (perChannel && allowed === null) out.push({ code: 'per-channel', message: `per-channel weight '${dq.inputs[0]}' (axis ${axis}): ${n.op} takes per-tensor weights only`, fix: FIX.perChannelMatMul });
    else if (perChannel && axis !== allowed) out.push({ code: 'per-channel', message: `per-channel weight '${dq.inputs[0]}' on axis ${axis}: ${n.op} wants axis ${allowed}`, fix: `per-channel on axis ${allowed} (compile --target qnn)` });
    const zp = dq.inputs[2] ? constantTensor(dq.inputs[2]) : undefined;
    const signed = dt === 'int8' || dt === 'int4' || dt === 'int16';
    if (zp && (perChannel || signed) && Array.from(QUANTIZED_DTYPES.has(zp.dtype) ? integerValues(zp) : tensorValues(zp) as ArrayLike<number | bigint>).some((v) => Number(v) !== 0)) {
      out.push({ code: 'asymmetric-weights', message: `asymmetric weight '${dq.inputs[0]}': non-zero zero point on ${perChannel ? 'per-channel' : 'signed'} weights`, fix: FIX.asym });
    }
    return out;
  }

  function encodingReasons(q: Node, fixed: { scale: number; zeroPoint: number }): FallbackReason[] {
    const scale = constantTensor(q.inputs[1]);
    const zp = q.inputs[2] ? constantTensor(q.inputs[2]) : undefined;
    const s = scale ? Number(tensorValues(scale)[0]) : NaN;
    const z = zp ? Number(tensorValues(zp)[0]) : 0;
    if (Math.abs(s - fixed.scale) <= fixed.scale * 1e-6 && z === fixed.zeroPoint) return [];
    return [{ code: 'output-encoding', message: `output Q '${q.outputs[0]}' has scale ${s}, zero point ${z}; HTP wants ${fixed.scale}, ${fixed.zeroPoint}`, fix: FIX.encoding }];
  }

  function constantTensor(name: string) {
    const init = graph.initializers.get(name);
    if (init) return init;
    const p = made.get(name);
    const a = p?.op === 'Constant' ? p.attributes.get('value') : undefined;
    return a?.type === 'tensor' ? a.value : undefined;
  }

  function isQuantChain(v: string): boolean {
    // An integer tensor coming from another ungrouped op that itself reads a Q output (MaxPool → Flatten on uint8).
    const p = made.get(v);
    if (!p || QDQ_OPS.has(p.op) || grouping.folded.has(p) || !isQuantInt(dtypeOf(typeOf(v)))) return false;
    return p.inputs.some((i) => i && (made.get(i)?.op === 'QuantizeLinear' || isQuantChain(i)));
  }

  const nodes: NodePlacement[] = ordered.map((n) => {
    const label = labels.get(n) ?? n.name ?? n.op;
    if (isEpContext(n)) return { node: label, op: `${n.domain}.${n.op}`, placement: 'context', reasons: [] };
    if (grouping.folded.has(n)) return { node: label, op: n.op, placement: 'folded', reasons: [] };
    const unit = grouping.units.get(n);
    if (unit) {
      const reasons = computeReasons(unit);
      return { node: label, op: n.op, placement: reasons.length ? 'cpu' : 'npu', reasons };
    }
    const owner = grouping.ownerOf.get(n);
    if (owner) {
      const failed = computeReasons(owner).length > 0;
      const ownerLabel = labels.get(owner.node)!;
      return {
        node: label, op: n.op, unit: ownerLabel, placement: failed ? 'cpu' : 'npu',
        reasons: failed ? [{ code: 'unit-fallback', message: `part of the node unit of '${ownerLabel}', which falls back`, fix: 'see that node' }] : [],
      };
    }
    // A standalone Q or DQ (graph input quantization, output dequantization, or a weight DQ outside any unit).
    const reasons = [...shapeReasons(n), ...qdqOpsetReasons(n)];
    const qType = dtypeOf(typeOf(n.op === 'QuantizeLinear' ? n.outputs[0] : n.inputs[0]));
    if (qType && !HTP_ACTIVATION_DTYPES.includes(qType) && !grouping.constants.has(n.inputs[0])) reasons.push({ code: 'activation-dtype', message: `${qType} Q/DQ`, fix: FIX.dtype });
    return { node: label, op: n.op, placement: reasons.length ? 'cpu' : 'npu', reasons };
  });

  const counts: Record<Placement, number> = { npu: 0, cpu: 0, folded: 0, context: 0 };
  const reasons: Partial<Record<FallbackCode, number>> = {};
  for (const p of nodes) {
    counts[p.placement]++;
    for (const code of new Set(p.reasons.map((r) => r.code))) reasons[code] = (reasons[code] ?? 0) + 1;
  }
  return { target: 'qnn', backend: 'htp', rules: HTP_RULES_SOURCE, nodes, counts, reasons, epContexts: describeEpContexts(model) };
}

function isQuantInt(dt: string | undefined): boolean {
  return dt === 'uint8' || dt === 'int8' || dt === 'uint16' || dt === 'int16' || dt === 'int4' || dt === 'uint4';
}

function isFloatDtype(dt: string | undefined): boolean {
  return dt === 'float32' || dt === 'float16' || dt === 'bfloat16' || dt === 'float64';
}

/** Execution order, or file order when the graph cannot be sorted (the verifier reports that separately). */
function safeToposort(model: Model): Node[] {
  try {
    return toposort(model.graph);
  } catch {
    return [...model.graph.nodes];
  }
}
