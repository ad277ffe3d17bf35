// Dtype + shape inference over a whole model: walks nodes in execution order using the per-op registry.
import { GraphError } from '../errors.ts';
import {
  constantNodeTensor, formatShape, isDefaultDomain, isIntegerDType, opInference,
  type InferContext, type InferResult, type TensorInfo,
} from './ops/index.ts';
import { attrFloat, attrInt, attrInts, attrString, type Dim, type Graph, type Model, type Node, type OpsetImport, type ValueType } from './graph.ts';
import { elementCount, tensorFloats, tensorValues, type Tensor } from './tensor.ts';
import { nodeLabel, toposort } from './toposort.ts';
import { checkTypeConstraints } from './ops/type-constraints.ts';

/** A problem found while inferring types. */
export interface InferIssue {
  severity: 'error' | 'warning';
  /** `inference-error`: an op rejected its inputs; `dtype-mismatch` / `shape-mismatch`: inferred vs declared. */
  code: 'inference-error' | 'dtype-mismatch' | 'shape-mismatch';
  message: string;
  node?: string;
  value?: string;
  /** Name of the (sub)graph the node belongs to. */
  graph: string;
}

/** Options for {@link inferModel}. */
export interface InferOptions {
  /** Record inferred types in each graph's `valueInfo` (intermediates) and on its outputs. Default false. */
  writeBack?: boolean;
  /** Record op failures as issues and continue (outputs fall back to their declared types) instead of throwing. */
  tolerant?: boolean;
}

/** Types of every value (inputs, initializers, node outputs, subgraph values) plus the problems seen. */
export interface InferOutcome {
  types: Map<string, ValueType>;
  issues: InferIssue[];
}

/** Integer constants up to this many elements are tracked as known values (shape arithmetic). */
const MAX_TRACKED_ELEMENTS = 1024;

/**
 * Infers the dtype and shape of every value in the model, in execution order.
 * Throws a GraphError naming the node when an op's inputs are inconsistent (e.g. Conv channel mismatch),
 * unless `tolerant` is set. Ops without an inference rule keep their declared type (or unknown).
 */
export function inferTypes(model: Model, options: InferOptions = {}): Map<string, ValueType> {
  return inferModel(model, options).types;
}

/** Like {@link inferTypes}, also returning the issues (declared-vs-inferred mismatches, tolerated failures). */
export function inferModel(model: Model, options: InferOptions = {}): InferOutcome {
  const state = new InferState(model.opsets, options);
  state.graph(model.graph);
  return { types: state.types, issues: state.issues };
}

/** Infers a lone graph (e.g. a pass working on a subgraph) against the given opset imports. */
export function inferGraph(graph: Graph, opsets: OpsetImport[], options: InferOptions = {}): InferOutcome {
  const state = new InferState(opsets, options);
  state.graph(graph);
  return { types: state.types, issues: state.issues };
}

/**
 * Inference one node at a time, for passes that build a graph and need the shapes of what they emitted so far
 * (the TF.js lift). Tolerant by default: a node an op rule rejects gets its outputs' types unknown.
 */
export class InferSession {
  private readonly state: InferState;
  private readonly noDeclared = new Map<string, ValueType>();

  constructor(opsets: OpsetImport[], options: InferOptions = { tolerant: true }) {
    this.state = new InferState(opsets, options);
  }

  /** Records `graph`'s initializers and inputs. */
  seed(graph: Graph): void {
    this.state.seed(graph);
  }

  /** Records one constant tensor. */
  constant(name: string, t: Tensor): void {
    this.state.constant(name, t);
  }

  /** Declares a value's type (e.g. a graph input added later). */
  declare(name: string, type: ValueType): void {
    this.state.types.set(name, type);
  }

  /** Infers `node`'s outputs from what is known of its inputs. */
  add(graph: Graph, node: Node): void {
    this.state.node(graph, node, node.name || node.op, this.noDeclared);
  }

  /** The inferred type of `name`, if known. */
  type(name: string): ValueType | undefined {
    return this.state.types.get(name);
  }

  /** Integer values known for `name` (Shape arithmetic folded during inference), if tracked. */
  knownValue(name: string): Dim[] | undefined {
    return this.state.knownValue(name);
  }

  /** The problems seen (tolerant mode). */
  get issues(): InferIssue[] {
    return this.state.issues;
  }
}

/** The tensor part of a value type, if it is a tensor. */
export function tensorInfoOf(type: ValueType | undefined): TensorInfo | undefined {
  if (type?.kind !== 'tensor') return undefined;
  return { dtype: type.dtype, shape: type.shape && [...type.shape] };
}

/** Converts inference output into an IR value type. */
function toValueType(info: TensorInfo): ValueType {
  return info.shape ? { kind: 'tensor', dtype: info.dtype, shape: [...info.shape] } : { kind: 'tensor', dtype: info.dtype };
}

/** Fails when an op computed a dim that is not a size (negative, fractional, infinite: odd attributes or inputs). */
function checkInferredDims(ctx: InferContext, result: InferResult): void {
  result.forEach((info, k) => {
    if (info?.shape?.some((d) => typeof d === 'number' && (!Number.isSafeInteger(d) || d < 0))) {
      ctx.fail(`output ${k} ('${ctx.node.outputs[k] ?? ''}') would have shape ${formatShape(info.shape)}, which is not a valid shape`);
    }
  });
}

class InferState {
  readonly types = new Map<string, ValueType>();
  readonly issues: InferIssue[] = [];
  private readonly values = new Map<string, Dim[]>();
  private readonly constants = new Map<string, Tensor>();
  private readonly opsetOf = new Map<string, number>();

  constructor(opsets: OpsetImport[], private readonly options: InferOptions) {
    for (const o of opsets) this.opsetOf.set(isDefaultDomain(o.domain) ? '' : o.domain, o.version);
  }

  /** Records a constant tensor (an initializer) as a known value. */
  constant(name: string, t: Tensor): void {
    this.types.set(name, { kind: 'tensor', dtype: t.dtype, shape: [...t.dims] });
    this.constants.set(name, t);
  }

  /** Records the graph's initializers and inputs. */
  seed(graph: Graph): void {
    for (const [name, t] of graph.initializers) this.constant(name, t);
    for (const v of graph.inputs) {
      // An input with an initializer of the same name may be overridden at run time: not a constant.
      this.constants.delete(v.name);
      if (v.type.kind !== 'unknown' || !this.types.has(v.name)) this.types.set(v.name, v.type);
    }
  }

  /** Integer values known for `name` (shape arithmetic), if tracked. */
  knownValue(name: string): Dim[] | undefined {
    return this.values.get(name);
  }

  graph(graph: Graph): void {
    this.seed(graph);
    const declared = new Map<string, ValueType>();
    for (const [name, v] of graph.valueInfo) declared.set(name, v.type);
    for (const v of graph.outputs) declared.set(v.name, v.type);

    const index = new Map(graph.nodes.map((n, i) => [n, i]));
    for (const node of toposort(graph)) this.node(graph, node, nodeLabel(node, index.get(node)), declared);

    if (this.options.writeBack) {
      const outputs = new Set(graph.outputs.map((o) => o.name));
      const inputs = new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
      for (const node of graph.nodes) {
        for (const o of node.outputs) {
          const t = this.types.get(o);
          if (!o || !t || outputs.has(o) || inputs.has(o) || t.kind === 'unknown') continue;
          const prev = graph.valueInfo.get(o);
          graph.valueInfo.set(o, { ...prev, name: o, type: t });
        }
      }
      for (const out of graph.outputs) {
        const t = this.types.get(out.name);
        if (t && t.kind !== 'unknown') out.type = t;
      }
    }
  }

  node(graph: Graph, node: Node, label: string, declared: Map<string, ValueType>): void {
    if (node.op === 'Constant' && isDefaultDomain(node.domain)) {
      const t = constantNodeTensor(node);
      if (t && node.outputs[0]) this.constants.set(node.outputs[0], t);
    }
    const subgraphOutputs = new Map<string, (TensorInfo | undefined)[]>();
    for (const [attrName, a] of node.attributes) {
      if (a.type === 'graph') {
        this.graph(a.value);
        subgraphOutputs.set(attrName, a.value.outputs.map((o) => tensorInfoOf(this.types.get(o.name))));
      } else if (a.type === 'graphs') {
        for (const g of a.value) this.graph(g);
      }
    }
    let result: InferResult = [];
    const infer = opInference(node.domain, node.op);
    if (infer) {
      try {
        const ctx = this.context(node, label, subgraphOutputs);
        if (isDefaultDomain(node.domain)) checkTypeConstraints(ctx);
        result = infer(ctx);
        checkInferredDims(ctx, result);
      } catch (err) {
        const error = err instanceof GraphError ? err : new GraphError(`${node.op}: ${(err as Error).message}`, { node: label, cause: err });
        if (!this.options.tolerant) throw error;
        this.issues.push({ severity: 'error', code: 'inference-error', message: error.message, node: label, graph: graph.name });
        result = [];
      }
    }
    node.outputs.forEach((name, k) => {
      if (!name) return;
      const info = result[k];
      if (info?.value && info.value.length <= MAX_TRACKED_ELEMENTS) this.values.set(name, info.value);
      const type = this.merge(graph, label, name, info, declared.get(name));
      this.types.set(name, type);
    });
  }

  /** Combines an inferred type with the declared one, recording disagreements. */
  private merge(graph: Graph, label: string, name: string, inferred: TensorInfo | undefined, declared: ValueType | undefined): ValueType {
    if (!inferred) return declared ?? { kind: 'unknown' };
    if (!declared || declared.kind === 'unknown') return toValueType(inferred);
    const where = { node: label, value: name, graph: graph.name };
    if (declared.kind !== 'tensor') {
      this.issues.push({ severity: 'error', code: 'dtype-mismatch', message: `value '${name}': inferred a ${inferred.dtype} tensor but declared a ${declared.kind}`, ...where });
      return toValueType(inferred);
    }
    if (declared.dtype !== inferred.dtype) {
      this.issues.push({ severity: 'error', code: 'dtype-mismatch', message: `value '${name}': inferred ${inferred.dtype} but declared ${declared.dtype}`, ...where });
      return toValueType(inferred);
    }
    const a = inferred.shape;
    const b = declared.shape;
    if (!a || !b) return toValueType({ dtype: inferred.dtype, shape: a ?? b });
    if (a.length !== b.length) {
      this.issues.push({ severity: 'warning', code: 'shape-mismatch', message: `value '${name}': inferred shape ${formatShape(a)} but declared ${formatShape(b)}`, ...where });
      return toValueType(inferred);
    }
    if (a.some((d, i) => typeof d === 'number' && typeof b[i] === 'number' && d !== b[i])) {
      this.issues.push({ severity: 'warning', code: 'shape-mismatch', message: `value '${name}': inferred shape ${formatShape(a)} but declared ${formatShape(b)}`, ...where });
    }
    const shape = a.map((d, i): Dim => (typeof d === 'number' ? d : typeof b[i] === 'number' ? b[i] : d ?? b[i]));
    return { ...declared, shape };
  }

  private context(node: Node, label: string, subgraphOutputs: Map<string, (TensorInfo | undefined)[]>): InferContext {
    const nameAt = (i: number) => node.inputs[i] ?? '';
    const constant = (i: number) => {
      const name = nameAt(i);
      return name ? this.constants.get(name) : undefined;
    };
    const ints = (i: number): Dim[] | undefined => {
      const name = nameAt(i);
      if (!name) return undefined;
      const known = this.values.get(name);
      if (known) return known;
      const t = this.constants.get(name);
      if (!t || !isIntegerDType(t.dtype) || elementCount(t.dims) > MAX_TRACKED_ELEMENTS) return undefined;
      const v = tensorValues(t);
      const out = Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));
      this.values.set(name, out);
      return out;
    };
    const domain = isDefaultDomain(node.domain) ? '' : node.domain;
    const ctx: InferContext = {
      node,
      opset: this.opsetOf.get(domain) ?? 0,
      outputCount: node.outputs.length,
      has: (i) => nameAt(i) !== '',
      input: (i) => {
        const name = nameAt(i);
        const info = name ? tensorInfoOf(this.types.get(name)) : undefined;
        if (info) {
          const v = this.values.get(name);
          if (v) info.value = v;
        }
        return info;
      },
      ints,
      floats: (i) => {
        const t = constant(i);
        if (t && t.dtype !== 'string' && elementCount(t.dims) <= MAX_TRACKED_ELEMENTS) return Array.from(tensorFloats(t));
        const v = ints(i);
        return v && v.every((d) => typeof d === 'number') ? (v as number[]) : undefined;
      },
      constant,
      attrInt: ((name: string, fallback?: number) => attrInt(node, name, fallback as number)) as InferContext['attrInt'],
      attrInts: ((name: string, fallback?: number[]) => attrInts(node, name, fallback as number[])) as InferContext['attrInts'],
      attrFloat: ((name: string, fallback?: number) => attrFloat(node, name, fallback as number)) as InferContext['attrFloat'],
      attrFloats: (name) => {
        const a = node.attributes.get(name);
        return a?.type === 'floats' ? a.value : undefined;
      },
      attrString: ((name: string, fallback?: string) => attrString(node, name, fallback as string)) as InferContext['attrString'],
      subgraphOutputs: (name) => subgraphOutputs.get(name),
      fail: (message) => {
        throw new GraphError(`${node.op}: ${message}`, { node: label });
      },
    };
    return ctx;
  }
}
