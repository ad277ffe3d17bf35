// What the dequantize rewrites share: the graph, fresh names, float constants, Q/DQ node builders and the tallies.
import type { Attribute, Graph, Model, Node } from '../../ir/graph.ts';
import { elementCount, makeTensor, tensorFloats, type Tensor } from '../../ir/tensor.ts';
import { constantOf, nameAllocator } from '../graph-edit.ts';
import { dequantizeValues, type QuantLayout } from './values.ts';

/** The tally name of constants dequantized into float32 weights. */
export const CONSTANT_DQ = 'constant DequantizeLinear folded';

/** Rewrite counts by pattern (e.g. `ConvInteger`, `QLinearConv`, `constant DequantizeLinear`, `Q→DQ pair`). */
export type DequantizeCounts = Record<string, number>;

/** The state one dequantize run threads through its rewrites. */
export class DequantizeContext {
  readonly graph: Graph;
  readonly counts: DequantizeCounts = {};
  /** Nodes a rewrite could not handle, with the reason (they stay as they are). */
  readonly skipped: { node: string; op: string; reason: string }[] = [];
  readonly fresh: (base: string) => string;

  constructor(readonly model: Model) {
    this.graph = model.graph;
    this.fresh = nameAllocator(model.graph);
  }

  count(pattern: string, n = 1): void {
    if (n) this.counts[pattern] = (this.counts[pattern] ?? 0) + n;
  }

  skip(node: Node, reason: string): void {
    this.skipped.push({ node: node.name, op: node.op, reason });
  }

  /** The constant behind a value name ('' and non-constants give undefined). */
  constant(name: string | undefined): Tensor | undefined {
    return name ? constantOf(this.graph, name) : undefined;
  }

  /**
   * The float32 constant behind a value, also when it is computed by a Mul of two float32 constants one of which is a
   * scalar (QDQ quantizers write a bias scale as Mul(x_scale, w_scale)).
   */
  scaleConstant(name: string | undefined): Tensor | undefined {
    const direct = this.constant(name);
    if (direct || !name) return direct;
    const mul = this.graph.nodes.find((n) => n.outputs[0] === name);
    if (!mul || mul.op !== 'Mul' || mul.domain !== '') return undefined;
    const [a, b] = mul.inputs.map((i) => this.constant(i));
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const [scalar, other] = elementCount(a.dims) === 1 ? [a, b] : [b, a];
    if (elementCount(scalar.dims) !== 1) return undefined;
    const k = tensorFloats(scalar)[0];
    return makeTensor(name, 'float32', [...other.dims], Float32Array.from(tensorFloats(other), (v) => Math.fround(k * v)));
  }

  /** Adds a float32 initializer under a fresh name derived from `base`; returns the name. */
  addFloat(base: string, dims: number[], values: Float32Array): string {
    return this.addFloatAs(this.fresh(base), dims, values);
  }

  /** Adds a float32 initializer called exactly `name`; returns the name. */
  addFloatAs(name: string, dims: number[], values: Float32Array): string {
    this.graph.initializers.set(name, makeTensor(name, 'float32', dims, values));
    return name;
  }

  /**
   * The float form of input `value` quantized by (`scale`, `zeroPoint`): a new float32 constant when all three are
   * constants, else the output of a new DequantizeLinear node pushed onto `nodes`.
   */
  dequantized(value: string, scale: string, zeroPoint: string, layout: QuantLayout, nodes: Node[], what: string): string {
    const q = this.constant(value);
    const s = this.constant(scale);
    const z = zeroPoint ? this.constant(zeroPoint) : undefined;
    if (q && s && (!zeroPoint || z)) {
      this.count(CONSTANT_DQ);
      return this.addFloat(`${value}_dequantized`, [...q.dims], dequantizeValues(q, s, z, layout, what));
    }
    const out = this.fresh(`${value}_dequantized`);
    const attributes = new Map<string, Attribute>(layout.axis !== undefined ? [['axis', { type: 'int', value: layout.axis }]] : []);
    nodes.push({ op: 'DequantizeLinear', domain: '', name: this.fresh(`${value}_DequantizeLinear`), inputs: zeroPoint ? [value, scale, zeroPoint] : [value, scale], outputs: [out], attributes });
    return out;
  }

  /** A QuantizeLinear node writing `output` from the float `value`. */
  quantizeNode(value: string, scale: string, zeroPoint: string, output: string): Node {
    return { op: 'QuantizeLinear', domain: '', name: this.fresh(`${output}_QuantizeLinear`), inputs: zeroPoint ? [value, scale, zeroPoint] : [value, scale], outputs: [output], attributes: new Map() };
  }

  /** A float node of the default domain. */
  node(op: string, inputs: string[], outputs: string[], attributes: Map<string, Attribute> = new Map()): Node {
    return { op, domain: '', name: this.fresh(op), inputs, outputs, attributes };
  }
  /** The float nodes replacing an integer matmul: `MatMul(a, weight)` into `out`, then `Add(·, bias)` when there is a bias. */
  matMulWithBias(a: string, weight: string, bias: string | undefined, out: string): Node[] {
    if (!bias) return [this.node('MatMul', [a, weight], [out])];
    const product = this.fresh(`${out}_matmul`);
    return [this.node('MatMul', [a, weight], [product]), this.node('Add', [product, bias], [out])];
  }

}
