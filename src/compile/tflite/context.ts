// The emit context: IR values ↔ draft tensors with their layouts, constants, fused activations, and "cannot map" errors.
import type { DType } from '../../ir/dtype.ts';
import { attrFloat, type Graph, type Model, type Node, type ValueType } from '../../ir/graph.ts';
import { tensorFloats, tensorValues, type Tensor } from '../../ir/tensor.ts';
import { constantOf, opsetOf } from '../../passes/graph-edit.ts';
import type { ActivationName } from '../../formats/tflite/schema/enums.ts';
import { DraftBuilder, type ConstRole, type RangeSource } from './draft.ts';
import { channelsLast, identity, isIdentity, permuteDims, samePerm, transposeBetween, transposeData, type Perm } from './layout.ts';

/** Thrown by an emitter for an op (or a use of it) TFLite cannot express; collected into the report. */
export class Unmappable extends Error {}

/** A value as emitted: its tensor and the layout its data is stored in. */
export interface Emitted {
  index: number;
  perm: Perm;
  /** For a 2-D value flattened from channels-last data: IR flat index of each stored column (FC weights absorb it). */
  columns?: Int32Array;
}

/** A fused activation an emitter may absorb: the activation node and the option value. */
export interface Fusable {
  activation: Node;
  fused: ActivationName;
}

/** Options the emitters read. */
export interface EmitOptions {
  /** Model inputs and outputs are NHWC (no boundary transposes). */
  nhwcIo: boolean;
}

/** Shared state of one compilation. */
export class EmitContext {
  readonly draft = new DraftBuilder();
  readonly graph: Graph;
  readonly opset: number;
  private readonly values = new Map<string, Emitted>();
  private readonly layouts = new Map<string, number>();
  /** Activation nodes absorbed by their producer. */
  readonly absorbed = new Set<Node>();
  /** Count of TRANSPOSE ops inserted for layout changes inside the graph. */
  innerTransposes = 0;

  constructor(readonly model: Model, readonly types: Map<string, ValueType>, readonly options: EmitOptions, private readonly fusable: Map<Node, Fusable>) {
    this.graph = model.graph;
    this.opset = opsetOf(model.opsets) ?? 1;
  }

  /** The IR constant behind a value (initializer or Constant node), if any. */
  constant(name: string): Tensor | undefined {
    return name ? constantOf(this.graph, name) : undefined;
  }

  /** Float values of a constant input, or an Unmappable naming the input. */
  constFloats(name: string, what: string): Float32Array {
    const t = this.constant(name);
    if (!t) throw new Unmappable(`${what} '${name}' is not a constant`);
    return tensorFloats(t);
  }

  /** Integer values of a constant input (int64 → number). */
  constInts(name: string, what: string): number[] {
    const t = this.constant(name);
    if (!t) throw new Unmappable(`${what} '${name}' is not a constant`);
    return Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
  }

  /** The static IR shape of a value. */
  shape(name: string): number[] {
    const c = this.constant(name);
    if (c) return [...c.dims];
    const t = this.types.get(name);
    const shape = t?.kind === 'tensor' ? t.shape : undefined;
    if (!shape || shape.some((d) => typeof d !== 'number')) throw new Unmappable(`value '${name}' has no static shape (${shape ? `[${shape.join(',')}]` : 'unknown'}); give fixed input shapes`);
    return shape as number[];
  }

  /** The IR dtype of a value. */
  dtype(name: string): DType {
    const c = this.constant(name);
    if (c) return c.dtype;
    const t = this.types.get(name);
    return t?.kind === 'tensor' ? t.dtype : 'float32';
  }

  /** How a value was emitted (non-constant values only). */
  emitted(name: string): Emitted {
    const e = this.values.get(name);
    if (!e && this.isConst(name)) throw new Unmappable(`input '${name}' is a constant where the TFLite op needs a computed tensor`);
    if (!e) throw new Unmappable(`value '${name}' was not produced by a mapped op`);
    return e;
  }

  /** True for a value that is a constant. */
  isConst(name: string): boolean {
    return this.constant(name) !== undefined;
  }

  /**
   * The tensor holding `name` stored under `perm` (default: as emitted). Constants are permuted at
   * compile time (float data gets `role`); activations get a TRANSPOSE when their layout differs.
   */
  input(name: string, perm?: Perm, role: ConstRole = 'operand'): number {
    const c = this.constant(name);
    if (c) return this.constTensor(name, c, perm ?? identity(c.dims.length), role);
    const e = this.emitted(name);
    if (e.columns) throw new Unmappable(`value '${name}' is a channels-last flatten only a FullyConnected can read`);
    if (!perm || samePerm(perm, e.perm)) return e.index;
    const key = `${name}|${perm.join(',')}`;
    const cached = this.layouts.get(key);
    if (cached !== undefined) return cached;
    const src = this.draft.graph.tensors[e.index];
    const out = this.draft.tensor({ name: `${name}/${isIdentity(perm) ? 'nchw' : 'nhwc'}`, shape: permuteDims(this.shape(name), perm), dtype: src.dtype, range: src.range ?? { value: name } });
    this.draft.op('TRANSPOSE', [e.index, this.draft.int32(`${name}/perm`, transposeBetween(e.perm, perm))], [out], '');
    if (!this.graph.inputs.some((i) => i.name === name)) this.innerTransposes++;
    this.layouts.set(key, out);
    return out;
  }

  /** Remembers that `perm` storage of `name` is tensor `index` (e.g. the raw NCHW model input). */
  cacheLayout(name: string, perm: Perm, index: number): void {
    this.layouts.set(`${name}|${perm.join(',')}`, index);
  }

  private constTensor(name: string, t: Tensor, perm: Perm, role: ConstRole): number {
    const key = `${name}|${perm.join(',')}|${role}`;
    const cached = this.layouts.get(key);
    if (cached !== undefined) return cached;
    const floatLike = t.dtype.startsWith('float');
    const values = floatLike ? tensorFloats(t) : Int32Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
    const data = transposeData(values, t.dims, perm);
    const index = this.draft.tensor({ name, shape: permuteDims(t.dims, perm), dtype: floatLike ? 'float32' : 'int32', data, role: floatLike ? role : 'shape' });
    this.layouts.set(key, index);
    return index;
  }

  /** A float constant created by an emitter (weights after layout change, folded biases, …). */
  floatConst(name: string, data: Float32Array, shape: number[], role: ConstRole): number {
    return this.draft.tensor({ name, shape, dtype: 'float32', data, role });
  }

  /** Creates the tensor for IR value `name` stored under `perm` and registers it. */
  define(name: string, perm: Perm, range: RangeSource = { value: name }, dtype: DType = this.dtype(name)): number {
    const index = this.draft.tensor({ name, shape: permuteDims(this.shape(name), perm), dtype, range });
    this.values.set(name, { index, perm });
    return index;
  }

  /** Creates an intermediate tensor (not an IR value) of a stored shape. */
  temp(name: string, shape: number[], range?: RangeSource, dtype: DType = 'float32'): number {
    return this.draft.tensor({ name, shape, dtype, ...(range ? { range } : {}) });
  }

  /** Registers IR value `name` as an existing tensor (an op TFLite does not need). */
  alias(name: string, e: Emitted): void {
    this.values.set(name, e);
  }

  /**
   * The output value of `node` after fused-activation absorption, and the fused activation.
   * Marks the activation node as absorbed.
   */
  fuse(node: Node): { value: string; fused: ActivationName } {
    const f = this.fusable.get(node);
    if (!f) return { value: node.outputs[0], fused: 'NONE' };
    this.absorbed.add(f.activation);
    return { value: f.activation.outputs[0], fused: f.fused };
  }

  /** The preferred layout of an activation of this rank for spatial ops. */
  spatial(rank: number): number[] {
    return channelsLast(rank);
  }

  /** A float attribute (or fallback). */
  attrFloat(node: Node, name: string, fallback: number): number {
    return attrFloat(node, name, fallback);
  }
}
