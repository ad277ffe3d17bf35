// Pass: raises a model's default-domain (ai.onnx) opset, rewriting the ops whose signature changed on the way.
import { GraphError, UsageError } from '../errors.ts';
import { defaultIrVersion } from '../ir/builder.ts';
import type { DType } from '../ir/dtype.ts';
import { attrFloat, attrInt, attrInts, attrString, subgraphsOf, type Graph, type Model, type Node, type ValueType } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { nameAllocator, opsetOf, usesOf, graphOutputNames } from './graph-edit.ts';
import type { Pass } from './pass.ts';

/** Oldest source opset the pass understands (Upsample-7, BatchNormalization-7 `spatial`, Dropout-7 …). */
export const UPGRADE_MIN_SOURCE = 7;
/**
 * Newest target. From 17 to 21 only the Reduce* ops (axes attribute → input) and Split (num_outputs) change signature
 * (opset 18), and both are rewritten; the rest of 18–21 adds types, attributes with old-behaviour defaults, and new ops.
 */
export const UPGRADE_MAX_TARGET = 21;
/** Default target opset. */
export const UPGRADE_DEFAULT_TARGET = 13;

/**
 * Ops whose ONNX signature and semantics did not change between opset 7 and 21, or changed only by additions
 * (new optional attributes or inputs whose defaults keep the old behaviour, more types, negative axes), so a node
 * is kept as it is. Every other default-domain op must have a rewrite below, else the pass refuses.
 */
const UNCHANGED = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan', 'Atanh', 'AveragePool', 'BitShift',
  'Cast', 'Ceil', 'Celu', 'Compress', 'Concat', 'Constant', 'ConstantOfShape', 'Conv', 'ConvInteger', 'ConvTranspose', 'Cos', 'Cosh',
  'CumSum', 'DepthToSpace', 'DequantizeLinear', 'Det', 'Div', 'DynamicQuantizeLinear', 'Einsum', 'Elu', 'Equal', 'Erf', 'Exp', 'Expand',
  'EyeLike', 'Flatten', 'Floor', 'GRU', 'Gather', 'GatherElements', 'GatherND', 'Gemm', 'GlobalAveragePool', 'GlobalLpPool',
  'GlobalMaxPool', 'Greater', 'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'Identity', 'If', 'InstanceNormalization', 'IsInf',
  'IsNaN', 'LRN', 'LSTM', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'Loop', 'LpNormalization', 'LpPool', 'MatMul', 'MatMulInteger',
  'Max', 'MaxPool', 'MaxRoiPool', 'MaxUnpool', 'Mean', 'MeanVarianceNormalization', 'Min', 'Mod', 'Mul', 'Multinomial', 'Neg',
  'NonMaxSuppression', 'NonZero', 'Not', 'OneHot', 'Or', 'PRelu', 'Pow', 'QLinearConv', 'QLinearMatMul', 'QuantizeLinear', 'RNN',
  'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Range', 'Reciprocal', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare', 'Relu', 'Reshape',
  'ReverseSequence', 'RoiAlign', 'Round', 'ScatterElements', 'ScatterND', 'Selu', 'Shape', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh',
  'Size', 'Softplus', 'Softsign', 'SpaceToDepth', 'Sqrt', 'Sub', 'Sum', 'Tan', 'Tanh', 'ThresholdedRelu', 'Tile', 'Transpose',
  'Trilu', 'Unique', 'Where', 'Xor',
  // One version only up to opset 21 (introduced at 17 and 20): a node of them means the model is already past that.
  'LayerNormalization', 'Gelu',
]);

/** What {@link upgradeOpset} did. */
export interface UpgradeOutcome {
  from: number;
  to: number;
  /** Nodes rewritten, by their original op type. */
  rewritten: Record<string, number>;
}

const FLOAT_MAX = 3.4028234663852886e38;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Int64 from a JS number, saturating (old Slice `ends` of INT64_MAX come back as 2^63 after the number round trip). */
function toInt64(v: number): bigint {
  if (!Number.isFinite(v)) return v > 0 ? INT64_MAX : INT64_MIN;
  const b = BigInt(Math.trunc(v));
  return b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b;
}

/** Rewrites the nodes of one graph (and, recursively, its subgraphs). */
class Upgrader {
  readonly rewritten: Record<string, number> = {};
  private readonly fresh: (base: string) => string;
  private readonly types: Map<string, ValueType>;

  constructor(model: Model, private readonly from: number, private readonly to: number) {
    this.fresh = nameAllocator(model.graph);
    this.types = inferTypes(model, { tolerant: true });
  }

  graph(graph: Graph): void {
    const out: Node[] = [];
    const uses = usesOf(graph);
    const outputs = graphOutputNames(graph);
    for (const node of graph.nodes) {
      for (const g of subgraphsOf(node)) this.graph(g);
      if (node.domain !== '' && node.domain !== 'ai.onnx') {
        out.push(node);
        continue;
      }
      const op = node.op;
      const replaced = this.node(graph, node, uses, outputs);
      if (replaced === undefined) out.push(node);
      else {
        this.rewritten[op] = (this.rewritten[op] ?? 0) + 1;
        out.push(...replaced);
      }
    }
    graph.nodes = out;
  }

  private fail(node: Node, why: string): never {
    throw new GraphError(`cannot upgrade ${node.op} from opset ${this.from} to ${this.to}: ${why}`, { node: node.name || node.op });
  }

  /** Adds an int64 initializer (1-D, or a scalar with `scalar`) to `graph`; returns its name. */
  private ints(graph: Graph, base: string, values: number[], scalar = false): string {
    const name = this.fresh(base);
    graph.initializers.set(name, makeTensor(name, 'int64', scalar ? [] : [values.length], BigInt64Array.from(values, toInt64)));
    return name;
  }

  /** Adds a scalar initializer of a float dtype; returns its name. */
  private scalar(graph: Graph, base: string, dtype: DType, value: number, node: Node): string {
    const name = this.fresh(base);
    const data = dtype === 'float32' ? Float32Array.of(value) : dtype === 'float64' ? Float64Array.of(value) : undefined;
    if (!data) this.fail(node, `a ${dtype} constant cannot be made for it (only float32/float64)`);
    graph.initializers.set(name, makeTensor(name, dtype, [], data));
    return name;
  }

  private dtypeOf(name: string): DType | undefined {
    const t = this.types.get(name);
    return t?.kind === 'tensor' ? t.dtype : undefined;
  }

  private rankOf(name: string): number | undefined {
    const t = this.types.get(name);
    return t?.kind === 'tensor' && t.shape ? t.shape.length : undefined;
  }

  private base(node: Node, what: string): string {
    return `${node.name || node.op}_${what}`;
  }

  /** The node's replacement (possibly several nodes), or undefined when it stays as it is (possibly edited in place). */
  private node(graph: Graph, node: Node, uses: Map<string, { node: Node; slot: number }[]>, outputs: Set<string>): Node[] | undefined {
    const { from, to } = this;
    const a = node.attributes;
    const moveInts = (attrName: string, slot: number, required: boolean) => {
      const v = attrInts(node, attrName);
      if (v === undefined) {
        if (required) this.fail(node, `attribute '${attrName}' missing`);
        return false;
      }
      while (node.inputs.length < slot) node.inputs.push('');
      node.inputs[slot] = this.ints(graph, this.base(node, attrName), v);
      a.delete(attrName);
      return true;
    };
    switch (node.op) {
      case 'Slice': {
        if (from >= 10 || to < 10) return undefined;
        const starts = attrInts(node, 'starts'), ends = attrInts(node, 'ends'), axes = attrInts(node, 'axes');
        if (!starts || !ends || starts.length !== ends.length) this.fail(node, `'starts' and 'ends' must be given with equal lengths`);
        node.inputs = [node.inputs[0], this.ints(graph, this.base(node, 'starts'), starts), this.ints(graph, this.base(node, 'ends'), ends)];
        if (axes) node.inputs.push(this.ints(graph, this.base(node, 'axes'), axes));
        a.delete('starts'); a.delete('ends'); a.delete('axes');
        return [node];
      }
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
        if (from >= 13 || to < 13) return undefined;
        moveInts('axes', 1, node.op === 'Unsqueeze');
        return [node];
      case 'Split': {
        if (from >= 18 || to < 13) return undefined;
        if (from < 13) {
          if (node.inputs.length > 1 && node.inputs[1]) this.fail(node, 'Split-1 split input');
          moveInts('split', 1, false);
        }
        // Split-18 wants the number of equal parts spelled out when no sizes are given.
        if (to < 18 || node.inputs[1]) return from < 13 ? [node] : undefined;
        a.set('num_outputs', { type: 'int', value: node.outputs.length });
        return [node];
      }
      case 'ReduceL1': case 'ReduceL2': case 'ReduceLogSum': case 'ReduceLogSumExp': case 'ReduceMax': case 'ReduceMean':
      case 'ReduceMin': case 'ReduceProd': case 'ReduceSumSquare':
        if (from >= 18 || to < 18) return undefined;
        return moveInts('axes', 1, false) ? [node] : undefined;
      case 'Clip': {
        if (from >= 11 || to < 11) return undefined;
        const min = attrFloat(node, 'min'), max = attrFloat(node, 'max');
        const dtype = this.dtypeOf(node.inputs[0]);
        if (!dtype) this.fail(node, `the element type of its input '${node.inputs[0]}' is unknown`);
        // Clip-6's absent bounds are ∓FLT_MAX; made explicit for float32 so ±inf inputs clamp as before.
        const lo = min ?? (dtype === 'float32' ? -FLOAT_MAX : undefined);
        const hi = max ?? (dtype === 'float32' ? FLOAT_MAX : undefined);
        node.inputs = [node.inputs[0], lo === undefined ? '' : this.scalar(graph, this.base(node, 'min'), dtype, lo, node), hi === undefined ? '' : this.scalar(graph, this.base(node, 'max'), dtype, hi, node)];
        while (node.inputs.length > 1 && node.inputs[node.inputs.length - 1] === '') node.inputs.pop();
        a.delete('min'); a.delete('max');
        return [node];
      }
      case 'Pad': {
        if (from >= 11 || to < 11) return undefined;
        const pads = attrInts(node, 'pads');
        if (!pads) this.fail(node, `attribute 'pads' missing`);
        const value = attrFloat(node, 'value');
        node.inputs = [node.inputs[0], this.ints(graph, this.base(node, 'pads'), pads)];
        if (value !== undefined && value !== 0) {
          const dtype = this.dtypeOf(node.inputs[0]);
          if (!dtype) this.fail(node, `the element type of its input '${node.inputs[0]}' is unknown`);
          node.inputs.push(this.scalar(graph, this.base(node, 'value'), dtype, value, node));
        }
        a.delete('pads'); a.delete('value');
        return [node];
      }
      case 'Dropout': {
        if (from >= 12 || to < 10) return undefined;
        const mask = node.outputs[1];
        if (mask && from < 10 && ((uses.get(mask)?.length ?? 0) > 0 || outputs.has(mask))) this.fail(node, 'its mask output is read, and the mask type changed from T to bool at opset 10');
        if (mask && from < 10) {
          node.outputs = [node.outputs[0]];
          graph.valueInfo.delete(mask);
        }
        if (to >= 12) {
          const ratio = attrFloat(node, 'ratio', 0.5);
          node.inputs = [node.inputs[0], this.scalar(graph, this.base(node, 'ratio'), 'float32', ratio, node)];
          a.delete('ratio');
        }
        return [node];
      }
      case 'BatchNormalization': {
        const outs = node.outputs.filter(Boolean).length;
        if (outs > 1 && from < 14 && to >= 14) this.fail(node, 'training-mode outputs (running mean/var) changed meaning at opset 14');
        if (from >= 9) return undefined;
        if (attrInt(node, 'spatial', 1) !== 1) this.fail(node, 'spatial=0 (per-activation statistics) has no equivalent after opset 8');
        if (!a.has('spatial')) return undefined;
        a.delete('spatial');
        return [node];
      }
      case 'TopK':
        if (from >= 10 || to < 10) return undefined;
        {
          const k = attrInt(node, 'k');
          if (k === undefined) this.fail(node, `attribute 'k' missing`);
          node.inputs = [node.inputs[0], this.ints(graph, this.base(node, 'k'), [k])];
          a.delete('k');
        }
        return [node];
      case 'Scatter':
        if (to < 11) return undefined;
        node.op = 'ScatterElements';
        return [node];
      case 'Softmax':
      case 'LogSoftmax':
      case 'Hardmax':
        return from >= 13 || to < 13 ? undefined : this.softmax(graph, node);
      case 'Upsample':
        return to < 10 ? this.upsample9(graph, node) : this.resize(graph, node, true);
      case 'Resize':
        return from >= 11 || to < 11 ? undefined : this.resize(graph, node, false);
      case 'Scan':
        if (from < 9) this.fail(node, 'Scan-8 (batched) semantics differ from Scan-9');
        return undefined;
      default:
        if (UNCHANGED.has(node.op)) return undefined;
        this.fail(node, 'no rewrite is known for this op (it is not known to be unchanged either)');
    }
  }

  /**
   * Softmax/LogSoftmax/Hardmax before 13 coerce the input to 2-D at `axis` (default 1); from 13 they work along one
   * axis (default -1). Same thing when `axis` is the last axis; otherwise Flatten → op(axis -1) → Reshape(Shape(x)).
   */
  private softmax(graph: Graph, node: Node): Node[] {
    const axis = attrInt(node, 'axis', 1);
    const rank = this.rankOf(node.inputs[0]);
    if (axis === -1 || (rank !== undefined && (axis + rank) % rank === rank - 1)) {
      node.attributes.set('axis', { type: 'int', value: -1 });
      return [node];
    }
    const x = node.inputs[0];
    const y = node.outputs[0];
    const flat = this.fresh(this.base(node, 'flat'));
    const soft = this.fresh(this.base(node, '2d'));
    const shape = this.fresh(this.base(node, 'shape'));
    const mk = (op: string, name: string, inputs: string[], outs: string[], attrs: [string, number][] = []): Node => ({
      op, domain: '', name: this.fresh(name), inputs, outputs: outs, attributes: new Map(attrs.map(([k, v]) => [k, { type: 'int', value: v }])),
    });
    node.attributes.set('axis', { type: 'int', value: -1 });
    node.inputs = [flat];
    node.outputs = [soft];
    return [
      mk('Flatten', this.base(node, 'flatten'), [x], [flat], [['axis', axis]]),
      node,
      mk('Shape', this.base(node, 'shape'), [x], [shape]),
      mk('Reshape', this.base(node, 'reshape'), [soft, shape], [y]),
    ];
  }

  /** The scale factors of an Upsample/Resize-10 when constant (attribute, initializer or Constant node). */
  private constantScales(graph: Graph, node: Node, name: string | undefined): number[] | undefined {
    const attrScales = node.op === 'Upsample' ? node.attributes.get('scales') : undefined;
    if (attrScales?.type === 'floats') return attrScales.value;
    if (!name) return undefined;
    const init = graph.initializers.get(name);
    if (init) return Array.from(tensorFloats(init));
    const value = graph.nodes.find((n) => n.op === 'Constant' && n.outputs[0] === name)?.attributes.get('value');
    return value?.type === 'tensor' ? Array.from(tensorFloats(value.value)) : undefined;
  }

  /** Upsample-7/8 (scales attribute) → Upsample-9 (scales input), for a target of 9. */
  private upsample9(graph: Graph, node: Node): Node[] | undefined {
    const scales = node.attributes.get('scales');
    if (scales?.type !== 'floats') return undefined;
    const name = this.fresh(this.base(node, 'scales'));
    graph.initializers.set(name, makeTensor(name, 'float32', [scales.value.length], Float32Array.from(scales.value)));
    node.inputs = [node.inputs[0], name];
    node.attributes.delete('scales');
    return [node];
  }

  /**
   * Upsample (any) or Resize-10 → Resize at the target. Both use asymmetric coordinates (x_in = x_out / scale); nearest
   * rounds down when upsampling (onnxruntime's opset < 11 'simple' mode: floor up, ceil down), which Resize-11
   * spells nearest_mode 'floor' / 'ceil'.
   */
  private resize(graph: Graph, node: Node, upsample: boolean): Node[] {
    const mode = attrString(node, 'mode', 'nearest');
    if (!['nearest', 'linear', 'bilinear'].includes(mode)) this.fail(node, `mode '${mode}'`);
    const scalesName = upsample && node.attributes.has('scales') ? undefined : node.inputs[1];
    const scales = this.constantScales(graph, node, scalesName);
    let scalesInput = scalesName;
    if (!scalesInput) {
      if (!scales) this.fail(node, 'no scales');
      scalesInput = this.fresh(this.base(node, 'scales'));
      graph.initializers.set(scalesInput, makeTensor(scalesInput, 'float32', [scales.length], Float32Array.from(scales)));
    }
    let nearestMode = 'floor';
    if (mode === 'nearest' && !upsample) {
      if (!scales) this.fail(node, 'nearest Resize-10 with computed scales: its rounding (floor up / ceil down) cannot be told');
      if (scales.every((s) => s <= 1) && scales.some((s) => s < 1)) nearestMode = 'ceil';
      else if (!scales.every((s) => s >= 1)) this.fail(node, 'nearest Resize-10 mixing up- and down-scaling');
    }
    const attrs: Node['attributes'] = new Map();
    const str = (s: string) => ({ type: 'string' as const, value: new TextEncoder().encode(s) });
    attrs.set('mode', str(mode === 'bilinear' ? 'linear' : mode));
    if (this.to >= 11) {
      attrs.set('coordinate_transformation_mode', str('asymmetric'));
      if (mode === 'nearest') attrs.set('nearest_mode', str(nearestMode));
    }
    let roi = '';
    if (this.to >= 11 && this.to < 13) {
      roi = this.fresh(this.base(node, 'roi'));
      graph.initializers.set(roi, makeTensor(roi, 'float32', [0], new Float32Array(0)));
    }
    node.op = 'Resize';
    node.inputs = this.to >= 11 ? [node.inputs[0], roi, scalesInput] : [node.inputs[0], scalesInput];
    node.attributes = attrs;
    return [node];
  }
}

/**
 * Raises the model's default-domain opset to `target` (in place), rewriting the ops whose signature changed on the way
 * (Slice, Squeeze/Unsqueeze/ReduceSum/Split, the Reduce* family at 18, Clip, Pad, Dropout, BatchNormalization, TopK, Scatter, Softmax family,
 * Upsample/Resize) and raising the IR version to what the target needs. An op it cannot convert faithfully is a
 * GraphError naming the node, and the model is then left unchanged. Models already at or above `target` are untouched.
 */
export function upgradeOpset(model: Model, target = UPGRADE_DEFAULT_TARGET): UpgradeOutcome {
  if (!Number.isInteger(target) || target < 10 || target > UPGRADE_MAX_TARGET) {
    throw new UsageError(`upgrade-opset target ${target}: supported targets are 10–${UPGRADE_MAX_TARGET}`);
  }
  const from = opsetOf(model.opsets) ?? UPGRADE_MIN_SOURCE;
  if (from >= target) return { from, to: from, rewritten: {} };
  if (from < UPGRADE_MIN_SOURCE) throw new UsageError(`upgrade-opset: models below opset ${UPGRADE_MIN_SOURCE} are not supported (this one is opset ${from})`);
  for (const f of model.functions) {
    const v = opsetOf(f.opsets);
    if (v !== undefined && v < target && f.nodes.some((n) => n.domain === '' || n.domain === 'ai.onnx')) {
      throw new GraphError(`upgrade-opset: model-local function '${f.name}' imports opset ${v}; upgrading function bodies is not supported`);
    }
  }
  // Work on the nodes of a snapshot so a refusal half-way leaves the model as it was.
  const snapshot = snapshotGraphs(model.graph);
  const upgrader = new Upgrader(model, from, target);
  try {
    upgrader.graph(model.graph);
  } catch (e) {
    snapshot();
    throw e;
  }
  const entry = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (entry) entry.version = target; else model.opsets.unshift({ domain: '', version: target });
  model.irVersion = Math.max(model.irVersion, defaultIrVersion(target));
  return { from, to: target, rewritten: upgrader.rewritten };
}

/** Records nodes (shallowly: op, inputs, outputs, attributes), initializers and value info of a graph tree; the returned function restores them. */
function snapshotGraphs(graph: Graph): () => void {
  const restores: (() => void)[] = [];
  const visit = (g: Graph) => {
    const nodes = g.nodes.map((n) => ({ n, op: n.op, inputs: [...n.inputs], outputs: [...n.outputs], attributes: new Map(n.attributes) }));
    const inits = new Map(g.initializers);
    const info = new Map(g.valueInfo);
    restores.push(() => {
      g.nodes = nodes.map(({ n, op, inputs, outputs, attributes }) => Object.assign(n, { op, inputs, outputs, attributes }));
      g.initializers = inits;
      g.valueInfo = info;
    });
    for (const n of g.nodes) subgraphsOf(n).forEach(visit);
  };
  visit(graph);
  return () => restores.forEach((r) => r());
}

/** The upgrade-opset pass for a given target opset. */
export function upgradeOpsetPassTo(target: number): Pass {
  return {
    name: 'upgrade-opset',
    description: `Raise the default-domain opset to ${target}, rewriting ops whose signature changed (Slice, Squeeze/Unsqueeze, Clip, Pad, Upsample→Resize, …).`,
    run(model: Model, ctx) {
      const r = upgradeOpset(model, target);
      if (r.from !== r.to) ctx.log(`upgrade-opset: opset ${r.from} → ${r.to}, rewrote ${describeRewrites(r.rewritten)}`);
      return model;
    },
  };
}

/** "3 Slice, 2 Clip" or "no node". */
export function describeRewrites(rewritten: Record<string, number>): string {
  const parts = Object.entries(rewritten).map(([op, n]) => `${n} ${op}`);
  return parts.length ? parts.join(', ') : 'no node';
}

/** The upgrade-opset pass (target {@link UPGRADE_DEFAULT_TARGET}). */
export const upgradeOpsetPass: Pass = upgradeOpsetPassTo(UPGRADE_DEFAULT_TARGET);
