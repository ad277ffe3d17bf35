// What the TensorFlow op lifters share: attribute readers, int64 operands for ONNX shape inputs, multi-output nodes.
import { tfDType } from '../../../ir/tf-dtypes.ts';
import { DTYPES, type DType } from '../../../ir/dtype.ts';
import { attrString, type Attribute, type Node } from '../../../ir/graph.ts';
import { makeTensor, type Tensor } from '../../../ir/tensor.ts';
import { int, LiftRefusal, type TfjsLiftContext } from '../context.ts';

/** Largest int64 ONNX Slice accepts as "to the end" (any value ≥ the dim clamps). */
export const INT64_BIG = 2 ** 53;

/** A list-of-strings attribute (`fused_ops`) decoded as UTF-8. */
export function stringsAttr(node: Node, name: string): string[] {
  const a = node.attributes.get(name);
  return a?.type === 'strings' ? a.value.map((s) => new TextDecoder().decode(s)) : [];
}

/** The IR element type a `type` attribute names (`DstT`, `out_type`, `T`), or `fallback`; a type ONNX lacks is refused. */
export function typeAttr(node: Node, name: string, fallback?: DType): DType {
  const tf = attrString(node, name);
  if (tf === undefined) {
    if (fallback) return fallback;
    throw new LiftRefusal(`attribute '${name}' is missing`);
  }
  const t = tfDType(tf);
  if (!t) throw new LiftRefusal(`type ${tf} has no ONNX counterpart`);
  return t;
}

/** ONNX TensorProto.DataType code of an IR element type (the `to` of Cast). */
export function onnxTypeCode(dtype: DType): number {
  return DTYPES.indexOf(dtype) + 1;
}

/** Cast(value, to) unless the value is already of that type. */
export function castTo(ctx: TfjsLiftContext, value: string, to: DType, output?: string): string {
  if (ctx.dtype(value) === to && !output) return value;
  return ctx.emit('Cast', [value], { to: int(onnxTypeCode(to)) }, output);
}

/** Refuses anything but NHWC (`data_format` absent or 'NHWC'): TF.js runs NHWC only. */
export function requireNhwc(node: Node): void {
  const format = attrString(node, 'data_format', 'NHWC');
  if (format !== 'NHWC') throw new LiftRefusal(`data_format ${format} is not supported (TF.js models are NHWC)`);
}

/**
 * An int64 operand for an ONNX shape-like input (Reshape shape, Slice starts, Tile repeats, pads): a constant when the
 * value is known at lift time (constants and static-shape arithmetic), else the TensorFlow value cast to int64.
 */
export function int64Operand(ctx: TfjsLiftContext, value: string, base: string): string {
  const known = ctx.knownInts(value);
  if (known) return ctx.int64s(base, known);
  return castTo(ctx, value, 'int64');
}

/** An axis in [0, rank) from a possibly negative TensorFlow axis. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new LiftRefusal(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Emits one ONNX node with several outputs (unread ones get fresh names). */
export function emitMulti(ctx: TfjsLiftContext, op: string, inputs: string[], attrs: Record<string, Attribute>, outputs: (string | undefined)[]): string[] {
  const names = outputs.map((o, k) => o ?? ctx.name(`${inputs[0] || op}_${op.toLowerCase()}_${k}`));
  ctx.nodes.push({ op, domain: '', name: ctx.name(`${op}_${names[0]}`), inputs, outputs: names, attributes: new Map(Object.entries(attrs)) });
  return names;
}

/** A one-element tensor of `dtype` (dims `dims`, default scalar) holding `value`. */
export function scalarTensor(name: string, dtype: DType, value: number, dims: number[] = []): Tensor {
  switch (dtype) {
    case 'float32': return makeTensor(name, dtype, dims, Float32Array.of(value));
    case 'float64': return makeTensor(name, dtype, dims, Float64Array.of(value));
    case 'int32': return makeTensor(name, dtype, dims, Int32Array.of(value));
    case 'int64': return makeTensor(name, dtype, dims, BigInt64Array.of(BigInt(value)));
    case 'int8': return makeTensor(name, dtype, dims, Int8Array.of(value));
    case 'uint8': case 'bool': return makeTensor(name, dtype, dims, Uint8Array.of(value));
    case 'int16': return makeTensor(name, dtype, dims, Int16Array.of(value));
    case 'uint16': return makeTensor(name, dtype, dims, Uint16Array.of(value));
    default: throw new LiftRefusal(`no ${dtype} scalar constants`);
  }
}

/** A typed scalar constant added to the graph (ONNX ops want operands of one type); returns its name. */
export function typedScalar(ctx: TfjsLiftContext, base: string, dtype: DType, value: number): string {
  const name = ctx.name(base);
  ctx.graph.initializers.set(name, scalarTensor(name, dtype, value));
  return name;
}

/** The element type of a value, or a refusal naming it. */
export function dtypeOf(ctx: TfjsLiftContext, value: string): DType {
  const t = ctx.dtype(value);
  if (!t) throw new LiftRefusal(`the element type of '${value}' is not known`);
  return t as DType;
}

const producers = new WeakMap<TfjsLiftContext, Map<string, Node>>();

/** The TensorFlow node writing `value` (while lifting, the graph's nodes are still the TensorFlow ones), for lifters that match a pattern of TensorFlow ops. */
export function tfProducer(ctx: TfjsLiftContext, value: string): Node | undefined {
  let map = producers.get(ctx);
  if (!map) {
    map = new Map();
    for (const n of ctx.graph.nodes) if (n.domain === 'ai.tensorflow') for (const o of n.outputs) map.set(o, n);
    producers.set(ctx, map);
  }
  return map.get(value);
}
