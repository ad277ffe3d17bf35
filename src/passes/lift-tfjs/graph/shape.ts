// TensorFlow data-movement ops (Reshape, Squeeze, ExpandDims, Transpose, ConcatV2, Pack, Unpack, Split(V), Shape, Fill, Tile, Range, BroadcastTo).
import { attrInt, attrInts, type Attribute } from '../../../ir/graph.ts';
import { elementCount } from '../../../ir/tensor.ts';
import { constantOf } from '../../graph-edit.ts';
import { int, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { liftStackedUpsampling } from './upsample.ts';
import { castTo, emitMulti, int64Operand, normAxis, typeAttr } from './common.ts';

/** Reshape (or a Resize when it ends a stacked nearest-neighbour upsampling): TensorFlow's 0 is an empty dim, not ONNX's "copy", so a known 0 sets allowzero. */
export const liftReshape: TfjsLifter = (node, ctx) => {
  if (liftStackedUpsampling(ctx, node)) return;
  const known = ctx.knownInts(node.inputs[1]);
  const attrs: Record<string, Attribute> = known?.includes(0) ? { allowzero: int(1) } : {};
  ctx.emit('Reshape', [node.inputs[0], int64Operand(ctx, node.inputs[1], 'shape')], attrs, node.outputs[0]);
};

/** Squeeze: `squeeze_dims` (empty: every size-1 dim, as ONNX Squeeze without axes). */
export const liftSqueeze: TfjsLifter = (node, ctx) => {
  const axes = attrInts(node, 'squeeze_dims', attrInts(node, 'axis', []));
  ctx.emit('Squeeze', axes.length ? [node.inputs[0], ctx.int64s('axes', axes)] : [node.inputs[0]], {}, node.outputs[0]);
};

/** ExpandDims: a negative dim counts from the end of the output, as in ONNX Unsqueeze. */
export const liftExpandDims: TfjsLifter = (node, ctx) => {
  ctx.emit('Unsqueeze', [node.inputs[0], ctx.int64s('axes', ctx.requireInts(node.inputs[1], 'dim'))], {}, node.outputs[0]);
};

/** Transpose by a permutation known at lift time. */
export const liftTranspose: TfjsLifter = (node, ctx) => {
  ctx.transpose(node.inputs[0], ctx.requireInts(node.inputs[1], 'perm'), node.outputs[0]);
};

/** ConcatV2 (axis last) and Concat (axis first). */
export const liftConcat: TfjsLifter = (node, ctx) => {
  const v2 = node.op === 'ConcatV2';
  const axisInput = v2 ? node.inputs[node.inputs.length - 1] : node.inputs[0];
  const values = v2 ? node.inputs.slice(0, -1) : node.inputs.slice(1);
  const [axis] = ctx.requireInts(axisInput, 'axis');
  if (values.length === 1) return void ctx.emit('Identity', values, {}, node.outputs[0]);
  ctx.emit('Concat', values, { axis: int(normAxis(axis, ctx.rank(values[0]))) }, node.outputs[0]);
};

/** Pack: every input unsqueezed at `axis`, then concatenated. */
export const liftPack: TfjsLifter = (node, ctx) => {
  const rank = ctx.rank(node.inputs[0]) + 1;
  const axis = normAxis(attrInt(node, 'axis', 0), rank);
  const axes = ctx.int64s('axes', [axis]);
  const parts = node.inputs.map((x) => ctx.emit('Unsqueeze', [x, axes], {}, node.inputs.length === 1 ? node.outputs[0] : undefined));
  if (parts.length > 1) ctx.emit('Concat', parts, { axis: int(axis) }, node.outputs[0]);
};

/** Split `x` along `axis` into `count` parts (sizes given or equal); returns the part names, `outputs` where given. */
function split(ctx: TfjsLiftContext, x: string, axis: number, count: number, sizes: number[] | undefined, outputs: (string | undefined)[]): string[] {
  const inputs = sizes ? [x, ctx.int64s('split', sizes)] : [x];
  return emitMulti(ctx, 'Split', inputs, { axis: int(axis) }, Array.from({ length: count }, (_, k) => outputs[k]));
}

/** Unpack: Split into `num` parts along `axis`, each squeezed. */
export const liftUnpack: TfjsLifter = (node, ctx) => {
  const x = node.inputs[0];
  const rank = ctx.rank(x);
  const axis = normAxis(attrInt(node, 'axis', 0), rank);
  const dims = ctx.dims(x);
  const num = attrInt(node, 'num') ?? (typeof dims?.[axis] === 'number' ? dims[axis] as number : undefined);
  if (num === undefined) throw new LiftRefusal('the number of parts is not known');
  if (num === 1) return void ctx.emit('Squeeze', [x, ctx.int64s('axes', [axis])], {}, node.outputs[0]);
  const parts = split(ctx, x, axis, num, undefined, []);
  const axes = ctx.int64s('axes', [axis]);
  node.outputs.forEach((out, k) => ctx.emit('Squeeze', [parts[k], axes], {}, out));
};

/** Split(split_dim, value): `num_split` equal parts. */
export const liftSplit: TfjsLifter = (node, ctx) => {
  const x = node.inputs[1];
  const [axis] = ctx.requireInts(node.inputs[0], 'split_dim');
  const count = attrInt(node, 'num_split', node.outputs.length);
  if (count === 1) return void ctx.emit('Identity', [x], {}, node.outputs[0]);
  split(ctx, x, normAxis(axis, ctx.rank(x)), count, undefined, node.outputs);
};

/** SplitV(value, size_splits, split_dim): one −1 size takes what the others leave. */
export const liftSplitV: TfjsLifter = (node, ctx) => {
  const [x, sizesIn, axisIn] = node.inputs;
  const axis = normAxis(ctx.requireInts(axisIn, 'split_dim')[0], ctx.rank(x));
  const sizes = ctx.requireInts(sizesIn, 'size_splits');
  if (sizes.includes(-1)) {
    const total = ctx.shape(x)[axis];
    sizes[sizes.indexOf(-1)] = total - sizes.filter((s) => s >= 0).reduce((a, b) => a + b, 0);
  }
  if (sizes.length === 1) return void ctx.emit('Identity', [x], {}, node.outputs[0]);
  split(ctx, x, axis, sizes.length, sizes, node.outputs);
};

/** Shape (and Size) with `out_type` (int32 unless asked): ONNX gives int64, cast down. */
function shapeLike(op: 'Shape' | 'Size'): TfjsLifter {
  return (node, ctx) => {
    const out = typeAttr(node, 'out_type', 'int32');
    const s = ctx.emit(op, [node.inputs[0]], {}, out === 'int64' ? node.outputs[0] : undefined);
    if (out !== 'int64') castTo(ctx, s, out, node.outputs[0]);
  };
}

export const liftShape = shapeLike('Shape');
export const liftSize = shapeLike('Size');

/** Fill(dims, value): ConstantOfShape when the value is a constant, else Expand of the value. */
export const liftFill: TfjsLifter = (node, ctx) => {
  const [dims, value] = node.inputs;
  const shape = int64Operand(ctx, dims, 'dims');
  const t = constantOf(ctx.graph, value);
  if (t && t.dtype !== 'string' && elementCount(t.dims) === 1) {
    return void ctx.emit('ConstantOfShape', [shape], { value: { type: 'tensor', value: { ...t, name: `${t.name}_fill`, dims: [1] } } }, node.outputs[0]);
  }
  ctx.emit('Expand', [value, shape], {}, node.outputs[0]);
};

/** Tile(input, multiples) and BroadcastTo(input, shape): the integer operand as int64. */
export const liftTile: TfjsLifter = (node, ctx) => void ctx.emit('Tile', [node.inputs[0], int64Operand(ctx, node.inputs[1], 'repeats')], {}, node.outputs[0]);
export const liftBroadcastTo: TfjsLifter = (node, ctx) => void ctx.emit('Expand', [node.inputs[0], int64Operand(ctx, node.inputs[1], 'shape')], {}, node.outputs[0]);

/** Range(start, limit, delta): the same op in ONNX (int32 and float). */
export const liftRange: TfjsLifter = (node, ctx) => void ctx.emit('Range', node.inputs.slice(0, 3), {}, node.outputs[0]);

/** Rank: an int32 scalar known from the input's inferred rank. */
export const liftRank: TfjsLifter = (node, ctx) => {
  ctx.emit('Identity', [ctx.addConstant('rank', 'int32', [], Int32Array.of(ctx.rank(node.inputs[0])))], {}, node.outputs[0]);
};
