// The MIL emit context: IR value names ↔ MIL names and types, constants (as `const` ops), and the operation list being built.
import type { DType } from '../../ir/dtype.ts';
import type { Graph, Model, Node, ValueType } from '../../ir/graph.ts';
import { floatToHalf } from '../../ir/half.ts';
import { tensorFloats, tensorValues, type Tensor } from '../../ir/tensor.ts';
import { constantOf, opsetOf } from '../../passes/graph-edit.ts';
import type { MilBinding, MilDtype, MilOperation, MilTensorType, MilTensorValue } from '../../formats/coreml/program.ts';

/** Thrown by an emitter for an op (or a use of it) Core ML cannot express; collected into the report. */
export class Unmappable extends Error {}

/** The float type the program computes in. */
export type ComputeDtype = 'fp16' | 'fp32';

/** IR element type → the MIL type a value of it has in the program (floats compute in `compute`; int64 narrows to int32). */
export function milDtypeOf(dtype: DType, compute: ComputeDtype): MilDtype {
  switch (dtype) {
    case 'float32': case 'float16': case 'float64': case 'bfloat16': return compute;
    case 'int64': case 'int32': case 'int16': case 'uint32': case 'uint64': return 'int32';
    case 'int8': return 'int8';
    case 'uint8': return 'uint8';
    case 'uint16': return 'int32';
    case 'bool': return 'bool';
    default: throw new Unmappable(`element type ${dtype} has no Core ML equivalent`);
  }
}

/** Values as MIL const data of `dtype` (fp16 → half bits). */
export function milData(dtype: MilDtype, values: ArrayLike<number>): MilTensorValue['data'] {
  switch (dtype) {
    case 'fp32': return Float32Array.from(values);
    case 'fp16': return Uint16Array.from(values, (v) => floatToHalf(v));
    case 'int32': return Int32Array.from(values, (v) => Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))));
    case 'int8': return Int8Array.from(values);
    case 'uint8': case 'bool': return Uint8Array.from(values, (v) => (dtype === 'bool' ? (v ? 1 : 0) : v));
    default: throw new Unmappable(`cannot write a ${dtype} constant`);
  }
}

/** MIL identifiers match [A-Za-z_][A-Za-z0-9_@]*: other characters become '_', a leading digit gets a '_'. */
export function milIdentifier(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_@]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/** fp16 consts with at least this many elements keep their float32 values for weight compression (its threshold). */
const KEEP_FLOAT32_ELEMENTS = 2048;

/** Shared state of one compilation. */
export class MilEmitContext {
  readonly operations: MilOperation[] = [];
  readonly graph: Graph;
  readonly opset: number;
  private readonly names = new Set<string>();
  /** IR value name → MIL value name and type. */
  private readonly values = new Map<string, { name: string; type: MilTensorType }>();
  /** fp16 consts large enough to be compressed: their float32 values by const name (weight compression quantizes from these). */
  readonly float32 = new Map<string, Float32Array>();
  /** IR constant name + requested MIL type → the const op's output (one const per use type). */
  private readonly consts = new Map<string, string>();

  constructor(readonly model: Model, readonly types: Map<string, ValueType>, readonly compute: ComputeDtype) {
    this.graph = model.graph;
    this.opset = opsetOf(model.opsets) ?? 1;
  }

  /** A fresh MIL identifier derived from `base`. */
  fresh(base: string): string {
    const root = milIdentifier(base);
    let name = root;
    for (let i = 1; this.names.has(name); i++) name = `${root}_${i}`;
    this.names.add(name);
    return name;
  }

  /** The IR constant behind a value (initializer or Constant node), if any. */
  constant(name: string): Tensor | undefined {
    return name ? constantOf(this.graph, name) : undefined;
  }

  /** Values of a constant input as numbers, or an Unmappable naming it. */
  constNumbers(name: string, what: string): number[] {
    const t = this.constant(name);
    if (!t) throw new Unmappable(`${what} '${name}' is not a constant`);
    return Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number);
  }

  /** Float values of a constant input, or an Unmappable naming it. */
  constFloats(name: string, what: string): Float32Array {
    const t = this.constant(name);
    if (!t) throw new Unmappable(`${what} '${name}' is not a constant`);
    return tensorFloats(t);
  }

  /** The static shape of an IR value (constants included), or an Unmappable. */
  shape(name: string): number[] {
    const c = this.constant(name);
    if (c) return [...c.dims];
    const t = this.types.get(name);
    const shape = t?.kind === 'tensor' ? t.shape : undefined;
    if (!shape || !shape.every((d): d is number => typeof d === 'number')) throw new Unmappable(`value '${name}' has no static shape (give --input-shape)`);
    return shape;
  }

  /** The IR element type of a value. */
  irDtype(name: string): DType {
    const c = this.constant(name);
    if (c) return c.dtype;
    const t = this.types.get(name);
    if (t?.kind !== 'tensor') throw new Unmappable(`value '${name}' is not a tensor`);
    return t.dtype;
  }

  /** The MIL type a value has in the program. */
  milType(name: string): MilTensorType {
    return { dtype: milDtypeOf(this.irDtype(name), this.compute), shape: this.shape(name) };
  }

  /** Registers an IR value as computed by the MIL value `milName` (function inputs, op outputs). */
  bind(irName: string, milName: string, type: MilTensorType): void {
    this.values.set(irName, { name: milName, type });
  }

  /** True when the IR value has been emitted (or is a constant). */
  has(irName: string): boolean {
    return this.values.has(irName) || this.constant(irName) !== undefined;
  }

  /** The MIL name of an IR value; a constant becomes a `const` op (in the program's type for it) on first use. */
  input(irName: string): string {
    const v = this.values.get(irName);
    if (v) return v.name;
    const t = this.constant(irName);
    if (!t) throw new Unmappable(`value '${irName}' is not computed before it is read`);
    const type = this.milType(irName);
    const key = `${irName}\u0000${type.dtype}`;
    const known = this.consts.get(key);
    if (known) return known;
    const name = this.constValue(irName, type.dtype, type.shape, Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number));
    this.consts.set(key, name);
    return name;
  }

  /** Emits a `const` op holding `values` as `dtype` of `shape`; returns its output name. */
  constValue(base: string, dtype: MilDtype, shape: number[], values: ArrayLike<number>): string {
    const name = this.constOp(base, { type: { dtype, shape }, data: milData(dtype, values) });
    if (dtype === 'fp16' && values.length >= KEEP_FLOAT32_ELEMENTS) this.float32.set(name, Float32Array.from(values));
    return name;
  }

  /** Emits a `const` op holding a ready MIL value; returns its output name. */
  constOp(base: string, value: MilTensorValue): string {
    const name = this.fresh(base);
    this.operations.push({
      type: 'const', inputs: {}, outputs: [{ name, type: value.type }],
      attributes: { name: { type: { dtype: 'string', shape: [] }, data: [name] }, val: value },
    });
    return name;
  }

  /** A float constant in the compute type. */
  floats(base: string, shape: number[], values: ArrayLike<number>): string {
    return this.constValue(base, this.compute, shape, values);
  }

  /** An int32 constant (a 1-D list unless `shape` says otherwise). */
  ints(base: string, values: number[], shape: number[] = [values.length]): string {
    return this.constValue(base, 'int32', shape, values);
  }

  /** A scalar int32, float (compute type), bool or string parameter. */
  scalar(base: string, value: number | boolean | string, kind: 'int32' | 'float' | 'bool' | 'string' = typeof value === 'boolean' ? 'bool' : typeof value === 'string' ? 'string' : 'int32'): string {
    if (kind === 'string') return this.constOp(base, { type: { dtype: 'string', shape: [] }, data: [String(value)] });
    const dtype: MilDtype = kind === 'float' ? this.compute : kind;
    return this.constValue(base, dtype, [], [Number(value)]);
  }

  /**
   * Appends an operation. `inputs` maps each parameter to a MIL value name (a list for a variadic one); outputs are
   * given as [IR value name or base, type] (or an `exact` name reserved with {@link fresh}); an IR value name is bound so
   * later readers find it. Returns output names.
   */
  op(type: string, node: Node | undefined, inputs: Record<string, string | string[]>, outputs: { ir?: string; base?: string; exact?: string; type: MilTensorType }[]): string[] {
    const bound: Record<string, MilBinding[]> = {};
    for (const [k, v] of Object.entries(inputs)) bound[k] = (Array.isArray(v) ? v : [v]).map((name) => ({ name }));
    const outs = outputs.map((o) => ({ name: o.exact ?? this.fresh(o.ir ?? o.base ?? `${node?.name ?? type}_out`), type: o.type }));
    outputs.forEach((o, i) => { if (o.ir) this.bind(o.ir, outs[i].name, o.type); });
    this.operations.push({ type, inputs: bound, outputs: outs, attributes: node?.name ? { name: { type: { dtype: 'string', shape: [] }, data: [this.fresh(`${node.name}_op`)] } } : {} });
    return outs.map((o) => o.name);
  }

  /** Appends a one-output operation computing the IR value `out` (its MIL type from the IR unless given). */
  emit(type: string, node: Node, inputs: Record<string, string | string[]>, out = node.outputs[0], outType?: MilTensorType): string {
    return this.op(type, node, inputs, [{ ir: out, type: outType ?? this.milType(out) }])[0];
  }

  /** Appends a one-output operation to a temporary value (not an IR value). */
  temp(type: string, node: Node | undefined, inputs: Record<string, string | string[]>, base: string, outType: MilTensorType): string {
    return this.op(type, node, inputs, [{ base, type: outType }])[0];
  }
}
