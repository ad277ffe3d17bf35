// Per-operator placement of a .tflite model on LiteRT's XNNPACK and GPU delegates (or the CPU kernels), why, and a fix.
import type { Model, Node } from '../../ir/graph.ts';
import { ACTIVATIONS } from '../../formats/tflite/schema/enums.ts';
import type { TflModel, TflQuantization } from '../../formats/tflite/schema/types.ts';
import {
  DELEGATE_RULES_SOURCE, EXTRA_BUILTIN_NAMES, GPU_MAX_DELEGATED_PARTITIONS, GPU_MAX_RANK, GPU_OPS, SHAPE_INPUTS, XNNPACK_MAX_RANK, XNNPACK_OPS,
  type DelegateOpRule,
} from './rules/delegates.ts';

/** A delegate the report covers. */
export type DelegateName = 'xnnpack' | 'gpu';

/** Why an op stays on the CPU kernels. */
export type DelegateFallbackCode =
  | 'unsupported-op' | 'dtype' | 'rank' | 'activation' | 'option' | 'const-input' | 'runtime-input' | 'missing-input'
  | 'op-version' | 'per-channel' | 'weights-zero-point' | 'pool-params' | 'quant-scale' | 'dynamic-shape' | 'partition' | 'consumer-fallback';

/** One reason, with the fix to suggest. */
export interface DelegateFallbackReason {
  code: DelegateFallbackCode;
  message: string;
  fix: string;
}

/** One delegate's verdict on one op. */
export interface DelegateVerdict {
  delegated: boolean;
  reasons: DelegateFallbackReason[];
}

/** The placement of one operator. */
export interface TfliteOpPlacement {
  index: number;
  node: string;
  op: string;
  version: number;
  xnnpack: DelegateVerdict;
  gpu: DelegateVerdict;
}

/** The report: per op, counts and reasons per delegate, model-level notes, and the rules' source. */
export interface TflitePlacementReport {
  target: 'tflite';
  rules: typeof DELEGATE_RULES_SOURCE;
  ops: TfliteOpPlacement[];
  counts: Record<DelegateName, { delegated: number; cpu: number }>;
  /** GPU: partitions of supported ops found; only the largest GPU_MAX_DELEGATED_PARTITIONS are delegated. */
  gpuPartitions: number;
  reasons: Record<DelegateName, Partial<Record<DelegateFallbackCode, number>>>;
  notes: string[];
}

const FIX = {
  unsupported: 'keep on CPU, or replace the op with one the delegate takes',
  quantFloatOnly: 'keep this op in float (compile --quantize w8a8 --exclude it), or use --quantize fp16',
  wideInt: 'no int16/int32/int64 tensors at run time: keep them float32 (or int8/uint8), fold shape arithmetic',
  rank: (max: number) => `reshape to rank ≤ ${max}`,
  activation: 'unfuse the activation into its own op (e.g. TANH after the op)',
  option: 'rewrite the op with supported parameters, or keep on CPU',
  constInput: 'make the input a constant (fix shapes with --input-shape so it folds)',
  runtimeInput: 'feed the op a run-time tensor (the delegate does not take a constant here)',
  missingInput: 'give the op its optional input (e.g. a zero bias)',
  version: (max: number) => `write op version ≤ ${max} (an older op feature set), or keep on CPU`,
  perChannel: (axis: number) => `per-channel weights on quantized_dimension ${axis}`,
  zeroPoint: 'symmetric int8 weights (zero point 0)',
  pool: 'pooling with stride ≤ filter size',
  split: (max: number) => `split the op into pieces of at most ${max}`,
  scale: 'recalibrate so the scales are closer, or keep the op in float',
  dynamic: 'fix input shapes (--input-shape) so shape tensors are constants',
  partition: 'the GPU delegate takes only the largest partition: replace the CPU ops that split the graph',
  consumer: 'see the ops consuming this output',
} as const;

/** The builtin name of an IR op, naming the codes ondevice's reader leaves as BUILTIN_<n>. */
function opName(op: string): string {
  const m = /^BUILTIN_(\d+)$/.exec(op);
  return (m && EXTRA_BUILTIN_NAMES[Number(m[1])]) || op;
}

function fallback(code: DelegateFallbackCode, message: string, fix: string): DelegateFallbackReason {
  return { code, message, fix };
}

/**
 * Places every operator of subgraph 0 of a .tflite model (as src/formats/tflite reads it into the IR, the decoded
 * object kept in `model.extra.tflite`) on LiteRT's XNNPACK delegate and GPU delegate, from rules/delegates.ts:
 * per op whether each delegate takes it, and if not why and a fix. Simulates the GPU delegate's partitioning
 * (only the largest partition is delegated) and both delegates' handling of constant fp16/int8 DEQUANTIZE.
 */
export function tflitePlacement(model: Model): TflitePlacementReport {
  const tfl = model.extra?.tflite as TflModel | undefined;
  if (!tfl) throw new Error('tflitePlacement needs a model read from a .tflite file (model.extra.tflite)');
  const sg = tfl.subgraphs[0];
  const graph = model.graph;
  const nodes = graph.nodes;
  const types = new Map<string, { dtype: string; shape: (number | null)[] }>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()]) {
    if (v.type.kind === 'tensor') types.set(v.name, { dtype: v.type.dtype, shape: (v.type.shape ?? []).map((d) => (typeof d === 'number' ? d : null)) });
  }
  for (const [name, t] of graph.initializers) types.set(name, { dtype: t.dtype, shape: [...t.dims] });
  const quantOf = new Map<string, TflQuantization | undefined>();
  nodes.forEach((n, k) => {
    const op = sg.operators[k];
    n.inputs.forEach((name, j) => { if (name) quantOf.set(name, sg.tensors[op.inputs[j]]?.quantization); });
    n.outputs.forEach((name, j) => quantOf.set(name, sg.tensors[op.outputs[j]]?.quantization));
  });
  const version = (k: number) => tfl.operator_codes[sg.operators[k].opcode_index]?.version ?? 1;

  const isInit = (v: string) => graph.initializers.has(v);
  // Constant DEQUANTIZE nodes (static unpacking): XNNPACK takes fp16 and int8 ones, the GPU partition helper fp16 ones.
  const staticDequant = (n: Node, gpu: boolean) => n.op === 'DEQUANTIZE' && isInit(n.inputs[0])
    && (types.get(n.inputs[0])?.dtype === 'float16' || (!gpu && types.get(n.inputs[0])?.dtype === 'int8'))
    && types.get(n.outputs[0])?.dtype === 'float32';
  const quasiStatic = { xnnpack: new Set<string>(), gpu: new Set<string>() };
  for (const n of nodes) {
    if (staticDequant(n, false)) quasiStatic.xnnpack.add(n.outputs[0]);
    if (staticDequant(n, true)) quasiStatic.gpu.add(n.outputs[0]);
  }
  const isConst = (v: string, d: DelegateName) => isInit(v) || quasiStatic[d].has(v);

  function check(n: Node, k: number, d: DelegateName): DelegateFallbackReason[] {
    const table = d === 'xnnpack' ? XNNPACK_OPS : GPU_OPS;
    const op = opName(n.op);
    const rule: DelegateOpRule | undefined = Object.hasOwn(table, op) ? table[op] : undefined;
    const name = d === 'xnnpack' ? 'XNNPACK' : 'the GPU delegate';
    if (!rule) {
      const unknown = /^BUILTIN_\d+$/.test(op) ? ' (op code unknown to ondevice\'s reader)' : '';
      return [fallback('unsupported-op', `${op}${unknown} is not an op ${name} takes`, FIX.unsupported)];
    }
    const out: DelegateFallbackReason[] = [];
    const runtime = [...n.inputs.filter((v) => v && !isConst(v, d)), ...n.outputs];
    const badType = runtime.find((v) => { const t = types.get(v)?.dtype; return t !== undefined && !rule.dtypes.includes(t); });
    if (badType) {
      const t = types.get(badType)!.dtype;
      const quant = t === 'int8' || t === 'uint8';
      out.push(fallback('dtype', `${t} tensor '${badType}': ${name} takes ${rule.dtypes.join('/')} here`, quant ? FIX.quantFloatOnly : FIX.wideInt));
    }
    if (d === 'xnnpack') {
      const perAxis = runtime.find((v) => { const t = types.get(v)?.dtype; return (t === 'int8' || t === 'uint8') && (quantOf.get(v)?.scale?.length ?? 1) > 1; });
      if (perAxis) out.push(fallback('per-channel', `run-time tensor '${perAxis}' is quantized per channel: XNNPACK takes per-tensor activations`, 'per-tensor activation quantization'));
    }
    const maxRank = d === 'xnnpack' ? XNNPACK_MAX_RANK : GPU_MAX_RANK;
    const rankOf = (v: string) => types.get(v)?.shape.length ?? 0;
    const tooDeep = (d === 'gpu' ? [...n.inputs.filter(Boolean), ...n.outputs] : runtime).find((v) => rankOf(v) > maxRank);
    if (tooDeep) out.push(fallback('rank', `'${tooDeep}' has rank ${rankOf(tooDeep)} > ${maxRank}`, FIX.rank(maxRank)));
    const data = n.inputs.find((v) => v && !isConst(v, d));
    if (rule.rank && data && !tooDeep && (rankOf(data) < rule.rank[0] || rankOf(data) > rule.rank[1])) {
      const want = rule.rank[0] === rule.rank[1] ? `${rule.rank[0]}` : `${rule.rank[0]}–${rule.rank[1]}`;
      out.push(fallback('rank', `input '${data}' has rank ${rankOf(data)}; ${name} takes rank ${want} for ${op}`, FIX.rank(rule.rank[1])));
    }
    for (const i of rule.constInputs ?? []) {
      const v = n.inputs[i];
      if (v && !isConst(v, d)) out.push(fallback('const-input', `input ${i} '${v}' must be a constant (${rule.source})`, FIX.constInput));
    }
    for (const i of rule.runtimeInputs ?? []) {
      const v = n.inputs[i];
      if (v && isConst(v, d)) out.push(fallback('runtime-input', `input ${i} '${v}' is a constant (${rule.source})`, FIX.runtimeInput));
    }
    for (const i of rule.requiredInputs ?? []) {
      if (!n.inputs[i]) out.push(fallback('missing-input', `optional input ${i} is absent (${rule.source})`, FIX.missingInput));
    }
    const act = n.attributes.get('fused_activation_function');
    if (rule.activations && act?.type === 'int') {
      const actName = ACTIVATIONS[act.value] ?? `activation ${act.value}`;
      if (!rule.activations.includes(actName)) out.push(fallback('activation', `fused activation ${actName} (${name} takes ${rule.activations.join('/')})`, FIX.activation));
    }
    for (const limit of rule.options ?? []) {
      const a = n.attributes.get(limit.name);
      const v = a?.type === 'int' || a?.type === 'float' ? a.value : undefined;
      if (v === undefined) continue;
      if ((limit.allowed && !limit.allowed.includes(v)) || limit.forbidden?.includes(v)) out.push(fallback('option', `${limit.name}=${v}: ${limit.why}`, FIX.option));
    }
    const counts = [['inputs', n.inputs.filter(Boolean).length, rule.inputCount], ['outputs', n.outputs.length, rule.outputCount]] as const;
    for (const [what, count, range] of counts) {
      if (range && (count < range[0] || count > range[1])) out.push(fallback('option', `${count} ${what}: ${name} takes ${range[0]} to ${range[1]} for ${op}`, FIX.split(range[1])));
    }
    if (rule.refusedVersions?.includes(version(k))) out.push(fallback('op-version', `${op} version ${version(k)} is refused (${rule.source})`, FIX.unsupported));
    if (rule.maxVersion !== undefined && version(k) > rule.maxVersion) {
      out.push(fallback('op-version', `${op} version ${version(k)} > ${rule.maxVersion}, the highest ${name} parses`, FIX.version(rule.maxVersion)));
    }
    if (rule.weights) out.push(...weightReasons(n, rule.weights, d));
    if (rule.poolStrideLeFilter) out.push(...poolReasons(n));
    if (rule.scaleRange) out.push(...scaleReasons(n, rule.scaleRange));
    if (d === 'gpu') {
      const dyn = (SHAPE_INPUTS[op] ?? []).map((i) => n.inputs[i]).find((v) => v && !isConst(v, d));
      if (dyn) out.push(fallback('dynamic-shape', `shape input '${dyn}' is computed at run time: a dynamic-sized tensor`, FIX.dynamic));
    }
    return out;
  }

  function weightReasons(n: Node, w: { input: number; axis: number }, d: DelegateName): DelegateFallbackReason[] {
    const v = n.inputs[w.input];
    if (!v || d !== 'xnnpack' || types.get(v)?.dtype !== 'int8') return [];
    const q = quantOf.get(v);
    const out: DelegateFallbackReason[] = [];
    if ((q?.scale?.length ?? 0) > 1 && (q?.quantized_dimension ?? 0) !== w.axis) {
      out.push(fallback('per-channel', `weights '${v}' are per-channel on dimension ${q?.quantized_dimension}; XNNPACK wants ${w.axis} for ${n.op}`, FIX.perChannel(w.axis)));
    }
    if (n.op === 'FULLY_CONNECTED' && types.get(n.inputs[0])?.dtype !== 'float32' && (q?.zero_point ?? []).some((z) => Number(z) !== 0)) {
      out.push(fallback('weights-zero-point', `int8 weights '${v}' have a non-zero zero point (VisitFullyConnectedNode)`, FIX.zeroPoint));
    }
    return out;
  }

  function scaleReasons(n: Node, range: { product: boolean; min: number; max: number }): DelegateFallbackReason[] {
    const [a, b] = n.inputs;
    const o = n.outputs[0];
    const dt = [a, b, o].map((v) => types.get(v)?.dtype);
    if (!(dt[0] === 'int8' || dt[0] === 'uint8') || dt[1] !== dt[0] || dt[2] !== dt[0]) return [];
    const scale = (v: string) => quantOf.get(v)?.scale?.[0] ?? NaN;
    const ratios = range.product ? [(scale(a) * scale(b)) / scale(o)] : [scale(a) / scale(o), scale(b) / scale(o)];
    const bad = ratios.find((r) => r < range.min || r >= range.max);
    if (bad === undefined) return [];
    return [fallback('quant-scale', `${range.product ? 'input-product' : 'input'}-to-output scale ${bad.toPrecision(3)} outside [${range.min}, ${range.max}) (XNNPACK VisitBinaryNode)`, FIX.scale)];
  }

  function poolReasons(n: Node): DelegateFallbackReason[] {
    const get = (key: string) => { const a = n.attributes.get(key); return a?.type === 'int' ? a.value : undefined; };
    const [sw, sh, fw, fh] = ['stride_w', 'stride_h', 'filter_width', 'filter_height'].map(get);
    if (sw === undefined || sh === undefined || fw === undefined || fh === undefined) return [];
    if (sw > fw || sh > fh || (fw === 1 && fh === 1 && Math.max(sw, sh) > 1)) {
      return [fallback('pool-params', `stride ${sh}×${sw} with filter ${fh}×${fw} (XNNPACK CheckPoolingParams)`, FIX.pool)];
    }
    return [];
  }

  // Per-op checks, then each delegate's graph-level decisions.
  const xnn = nodes.map((n, k) => (staticDequant(n, false) ? [] : check(n, k, 'xnnpack')));
  const gpu = nodes.map((n, k) => (staticDequant(n, true) ? [] : check(n, k, 'gpu')));
  const notes: string[] = [];
  const consumers = new Map<string, number[]>();
  nodes.forEach((n, k) => n.inputs.forEach((v) => v && consumers.set(v, [...(consumers.get(v) ?? []), k])));

  // XNNPACK (PrepareOpsToDelegate): a static DEQUANTIZE is delegated unless a non-delegated op consumes its output.
  nodes.forEach((n, k) => {
    if (!staticDequant(n, false)) return;
    const blocked = (consumers.get(n.outputs[0]) ?? []).find((c) => xnn[c].length > 0);
    if (blocked !== undefined) xnn[k].push(fallback('consumer-fallback', `constant unpacking kept on CPU: its consumer ${nodes[blocked].name} is not delegated`, FIX.consumer));
  });

  // GPU: a dynamic-sized tensor anywhere makes ModifyGraphWithDelegate refuse the delegate for the whole graph.
  const dynamicAt = gpu.findIndex((r) => r.some((x) => x.code === 'dynamic-shape'));
  let gpuPartitions = 0;
  if (dynamicAt >= 0) {
    notes.push(`GPU: '${nodes[dynamicAt].name}' makes a dynamic-sized tensor, so the GPU delegate is not applied to the graph at all (subgraph.cc)`);
    for (const r of gpu) {
      if (!r.some((x) => x.code === 'dynamic-shape')) r.push(fallback('dynamic-shape', `the graph has a dynamic-sized tensor (at ${nodes[dynamicAt].name}): the GPU delegate is not applied`, FIX.dynamic));
    }
  } else {
    const constDequant = nodes.map((n) => staticDequant(n, true));
    const supported = nodes.map((n, k) => !constDequant[k] && gpu[k].length === 0);
    const full = supported.filter(Boolean).length + constDequant.filter(Boolean).length === nodes.length;
    const partitions = partitionSupported(nodes, supported, new Set([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]));
    gpuPartitions = partitions.length;
    if (!full) {
      const ranked = [...partitions].sort((a, b) => b.length - a.length);
      const kept = new Set(ranked.slice(0, GPU_MAX_DELEGATED_PARTITIONS).flat());
      nodes.forEach((n, k) => {
        if (constDequant[k]) gpu[k].push(fallback('partition', 'constant fp16 DEQUANTIZE stays on CPU when the graph is only partly delegated (FP16GraphPartitionHelper)', FIX.partition));
        else if (supported[k] && !kept.has(k)) gpu[k].push(fallback('partition', `supported, but outside the largest of ${partitions.length} GPU partitions (max_delegated_partitions=${GPU_MAX_DELEGATED_PARTITIONS})`, FIX.partition));
      });
    }
  }
  const dynInputs = graph.inputs.filter((i) => i.type.kind === 'tensor' && (i.type.shape ?? []).some((d) => typeof d !== 'number'));
  if (dynInputs.length) notes.push(`inputs with dynamic dims (${dynInputs.map((i) => i.name).join(', ')}): delegates are prepared for the shape at delegation time; resizing re-applies them — fix with --input-shape`);

  const ops: TfliteOpPlacement[] = nodes.map((n, k) => ({
    index: k, node: n.name ?? `${n.op}_${k}`, op: opName(n.op), version: version(k),
    xnnpack: { delegated: xnn[k].length === 0, reasons: xnn[k] },
    gpu: { delegated: gpu[k].length === 0, reasons: gpu[k] },
  }));
  const counts = { xnnpack: { delegated: 0, cpu: 0 }, gpu: { delegated: 0, cpu: 0 } };
  const reasons: TflitePlacementReport['reasons'] = { xnnpack: {}, gpu: {} };
  for (const p of ops) {
    for (const d of ['xnnpack', 'gpu'] as const) {
      counts[d][p[d].delegated ? 'delegated' : 'cpu']++;
      for (const code of new Set(p[d].reasons.map((r) => r.code))) reasons[d][code] = (reasons[d][code] ?? 0) + 1;
    }
  }
  return { target: 'tflite', rules: DELEGATE_RULES_SOURCE, ops, counts, gpuPartitions, reasons, notes };
}

/**
 * Groups the supported nodes into partitions the way TFLite's PartitionGraphIntoIndependentNodeSubsets does (greedy):
 * subsets are built in turn, each sweeping the nodes in order and taking every ready node of its kind (supported or
 * not) until none is left. Returns the supported subsets as node indices.
 */
export function partitionSupported(nodes: Node[], supported: boolean[], ready0: Set<string>): number[][] {
  const ready = new Set(ready0);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const isReady = (v: string) => !v || ready.has(v) || !produced.has(v);
  const done = new Array<boolean>(nodes.length).fill(false);
  const out: number[][] = [];
  for (;;) {
    let kind: boolean | undefined;
    const subset: number[] = [];
    for (let progress = true; progress;) {
      progress = false;
      nodes.forEach((n, k) => {
        if (done[k] || !n.inputs.every(isReady)) return;
        kind ??= supported[k];
        if (supported[k] !== kind) return;
        done[k] = true;
        subset.push(k);
        n.outputs.forEach((o) => ready.add(o));
        progress = true;
      });
    }
    if (subset.length === 0) break;
    if (kind) out.push(subset);
  }
  return out;
}
