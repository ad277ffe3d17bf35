// A fluent helper to construct graphs and models in code (tests, passes, quantizers).
import type { DType, TypedArray } from './dtype.ts';
import { emptyGraph, type Attribute, type Dim, type Graph, type Model, type Node, type NodeAttributes, type OpsetImport, type ValueType } from './graph.ts';
import { inferModel } from './infer.ts';
import { makeTensor, type Tensor } from './tensor.ts';

/**
 * A plain JS attribute value: integers → int, other numbers → float, string → string,
 * number[] → ints (floats if any is fractional), string[] → strings, Tensor, Graph, Tensor[], Graph[];
 * or an explicit typed {@link Attribute} (use {@link attr} for floats that happen to be whole numbers).
 */
export type AttrValue = number | boolean | string | number[] | string[] | Tensor | Graph | Tensor[] | Graph[] | Attribute;

/** Explicitly typed attribute values, for when the plain-value guess is wrong (e.g. alpha = 1.0). */
export const attr = {
  float: (value: number): Attribute => ({ type: 'float', value }),
  floats: (value: number[]): Attribute => ({ type: 'floats', value: [...value] }),
  int: (value: number): Attribute => ({ type: 'int', value }),
  ints: (value: number[]): Attribute => ({ type: 'ints', value: [...value] }),
  string: (value: string): Attribute => ({ type: 'string', value: new TextEncoder().encode(value) }),
};

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'dtype' in x && 'dims' in x && 'data' in x;
}

function isGraph(x: unknown): x is Graph {
  return typeof x === 'object' && x !== null && 'nodes' in x && 'initializers' in x;
}

function isAttribute(x: unknown): x is Attribute {
  return typeof x === 'object' && x !== null && 'type' in x && ('value' in x || 'ref' in x) && !isTensor(x);
}

/** Turns a plain JS value into a typed attribute. */
export function toAttribute(name: string, v: AttrValue): Attribute {
  if (typeof v === 'boolean') return { type: 'int', value: v ? 1 : 0 };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return attr.string(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) {
      const nums = v as number[];
      return nums.every(Number.isInteger) ? { type: 'ints', value: [...nums] } : { type: 'floats', value: [...nums] };
    }
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    if (v.every(isTensor)) return { type: 'tensors', value: v as Tensor[] };
    if (v.every(isGraph)) return { type: 'graphs', value: v as Graph[] };
    throw new Error(`attribute '${name}': mixed array`);
  }
  if (isTensor(v)) return { type: 'tensor', value: v };
  if (isGraph(v)) return { type: 'graph', value: v };
  if (isAttribute(v)) return v;
  throw new Error(`attribute '${name}': unsupported value`);
}

/** Options for {@link GraphBuilder.node}. */
export interface NodeOptions {
  /** Node name (default: a unique `<op>_<n>`). */
  name?: string;
  /** Operator domain (default '' = ONNX). */
  domain?: string;
  /** Output names, or how many outputs to create (default 1). */
  outputs?: string[] | number;
}

/** Unique-name source shared by a model and all its subgraphs. */
export class NameScope {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();
  /** Marks a name as taken; returns it. */
  claim(name: string): string {
    this.used.add(name);
    return name;
  }
  /** A fresh name `base`, or `base_1`, `base_2`, ... */
  fresh(base: string): string {
    if (!this.used.has(base)) return this.claim(base);
    let n = this.counters.get(base) ?? 1;
    while (this.used.has(`${base}_${n}`)) n++;
    this.counters.set(base, n + 1);
    return this.claim(`${base}_${n}`);
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
}

/** Builds one graph: inputs, initializers, nodes and outputs, with unique names. */
export class GraphBuilder {
  protected readonly g: Graph;
  /** Names already used (values and nodes) in this graph and its relatives. */
  readonly names: NameScope;

  constructor(name = 'graph', names = new NameScope()) {
    this.g = emptyGraph(name);
    this.names = names;
  }

  /** Declares a graph input; returns its name. */
  input(name: string, dtype: DType, shape?: Dim[]): string {
    this.names.claim(name);
    this.g.inputs.push({ name, type: tensorType(dtype, shape) });
    return name;
  }

  /** Adds a constant tensor (initializer) from a typed array; returns its name. The name is made unique. */
  initializer(name: string, dtype: DType, dims: number[], values: TypedArray | Uint8Array): string {
    const unique = this.names.has(name) ? this.names.fresh(name) : this.names.claim(name);
    this.g.initializers.set(unique, makeTensor(unique, dtype, dims, values));
    return unique;
  }

  /** Adds an existing tensor as an initializer under its own name. */
  addTensor(t: Tensor): string {
    this.names.claim(t.name);
    this.g.initializers.set(t.name, t);
    return t.name;
  }

  /** Adds a node; returns its output names. Empty strings in `inputs` mark omitted optional inputs. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, options: NodeOptions = {}): string[] {
    const name = options.name !== undefined ? this.names.claim(options.name) : this.names.fresh(op.toLowerCase());
    const outs = options.outputs ?? 1;
    const outputs = typeof outs === 'number'
      ? Array.from({ length: outs }, (_, i) => this.names.fresh(outs === 1 ? `${name}_out` : `${name}_out${i}`))
      : outs.map((o) => (o === '' ? '' : this.names.claim(o)));
    const attributes: NodeAttributes = new Map();
    for (const [key, v] of Object.entries(attrs)) if (v !== undefined) attributes.set(key, toAttribute(key, v));
    const node: Node = { op, domain: options.domain ?? '', name, inputs: [...inputs], outputs, attributes };
    this.g.nodes.push(node);
    return outputs;
  }

  /** Adds a single-output node; returns the output name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, options: Omit<NodeOptions, 'outputs'> & { output?: string } = {}): string {
    const { output, ...rest } = options;
    return this.node(op, inputs, attrs, { ...rest, outputs: output === undefined ? 1 : [output] })[0];
  }

  /** Adds a Constant node holding the given values; returns its output name. */
  constant(name: string, dtype: DType, dims: number[], values: TypedArray | Uint8Array): string {
    const output = this.names.fresh(name);
    this.node('Constant', [], { value: makeTensor(output, dtype, dims, values) }, { outputs: [output] });
    return output;
  }

  /** Declares a graph output; without a dtype, the type is left for inference (ModelBuilder.build fills it). */
  output(name: string, dtype?: DType, shape?: Dim[]): this {
    this.g.outputs.push({ name, type: dtype ? tensorType(dtype, shape) : { kind: 'unknown' } });
    return this;
  }

  /** Records a known type for an intermediate value. */
  valueInfo(name: string, dtype: DType, shape?: Dim[]): this {
    this.g.valueInfo.set(name, { name, type: tensorType(dtype, shape) });
    return this;
  }

  /** A builder for a subgraph (If/Loop/Scan body) sharing this builder's unique names. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(this.names.fresh(name), this.names);
  }

  /** The graph built so far (the live object, not a copy). */
  graph(): Graph {
    return this.g;
  }
}

/** Options for {@link ModelBuilder}. */
export interface ModelBuilderOptions {
  /** Default-domain opset version (default 17). */
  opset?: number;
  /** Extra domains, e.g. `{ 'com.microsoft': 1 }`. */
  domains?: Record<string, number>;
  irVersion?: number;
  graphName?: string;
  producerName?: string;
}

/** Builds a whole model: a {@link GraphBuilder} for the main graph plus opset imports. */
export class ModelBuilder extends GraphBuilder {
  private readonly opsets: OpsetImport[];
  private readonly irVersion: number;
  private readonly producerName: string;

  constructor(options: ModelBuilderOptions = {}) {
    super(options.graphName ?? 'main');
    const opset = options.opset ?? 17;
    this.opsets = [{ domain: '', version: opset }, ...Object.entries(options.domains ?? {}).map(([domain, version]) => ({ domain, version }))];
    this.irVersion = options.irVersion ?? defaultIrVersion(opset);
    this.producerName = options.producerName ?? 'ondevice';
  }

  /**
   * The model. Outputs declared without a type get their inferred type (inference errors propagate
   * as GraphError naming the node); pass `{ inferOutputs: false }` to leave them unknown.
   */
  build(options: { inferOutputs?: boolean } = {}): Model {
    const model: Model = {
      graph: this.g,
      opsets: this.opsets.map((o) => ({ ...o })),
      irVersion: this.irVersion,
      producerName: this.producerName,
      metadata: [],
      functions: [],
    };
    if ((options.inferOutputs ?? true) && this.g.outputs.some((o) => o.type.kind === 'unknown')) {
      const { types } = inferModel(model);
      for (const o of this.g.outputs) {
        const t = types.get(o.name);
        if (o.type.kind === 'unknown' && t) o.type = t;
      }
    }
    return model;
  }
}

function tensorType(dtype: DType, shape?: Dim[]): ValueType {
  return shape ? { kind: 'tensor', dtype, shape: [...shape] } : { kind: 'tensor', dtype };
}

/** The ONNX IR version that goes with a default-domain opset (so runtimes accept the model). */
export function defaultIrVersion(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  if (opset >= 9) return 4;
  return 3;
}
