// Data-movement ops: Reshape/Flatten/Squeeze/Unsqueeze, Transpose (a relabelling), Concat, Pad, Slice, Gather, Split.
import { attrInt, attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { consumers } from '../../../ir/toposort.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { channelsLast, identity, permuteDims, sameOrder, storedAxis, type Perm } from '../layout.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** True when every reader of `value` is a Gemm/MatMul with constant weights (so FC weights can absorb a column order). */
function onlyFullyConnectedReaders(ctx: EmitContext, value: string): boolean {
  const readers = consumers(ctx.graph).get(value) ?? [];
  if (ctx.graph.outputs.some((o) => o.name === value)) return false;
  return readers.length > 0 && readers.every((n) => (n.op === 'Gemm' || n.op === 'MatMul') && n.inputs[0] === value && n.inputs[1] !== value &&
    ctx.isConst(n.inputs[1]) && attrInt(n, 'transA', 0) === 0);
}

/** Reshape-like ops (the output shape comes from inference): RESHAPE without moving data whenever the order allows. */
export function emitReshape(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const y = node.outputs[0];
  const inShape = ctx.shape(x);
  const outShape = ctx.shape(y);
  const e = ctx.emitted(x);
  let source: number;
  if (sameOrder(inShape, e.perm)) source = e.index;
  else if (inShape.length === 4 && outShape.length === 2 && outShape[0] === inShape[0] && outShape[1] === prod(inShape.slice(1)) && onlyFullyConnectedReaders(ctx, y) && channelsLast(4).every((a, i) => a === e.perm[i])) {
    // Flatten of NHWC data: keep the NHWC element order; the FullyConnected weights are permuted instead.
    const [, C, H, W] = inShape;
    const columns = new Int32Array(C * H * W);
    let j = 0;
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) columns[j++] = c * H * W + h * W + w;
    const out = ctx.temp(y, outShape, { value: y });
    ctx.draft.op('RESHAPE', [e.index, ctx.draft.int32(`${y}/shape`, outShape)], [out], node.name, { table: 'ReshapeOptions', values: { new_shape: outShape } });
    ctx.alias(y, { index: out, perm: identity(2), columns });
    return;
  } else source = ctx.input(x, identity(inShape.length));
  const outPerm = outShape.length >= 3 && sameOrder(outShape, channelsLast(outShape.length)) ? channelsLast(outShape.length) : identity(outShape.length);
  const stored = permuteDims(outShape, outPerm);
  const out = ctx.define(y, outPerm);
  ctx.draft.op('RESHAPE', [source, ctx.draft.int32(`${y}/shape`, stored)], [out], node.name, { table: 'ReshapeOptions', values: { new_shape: stored } });
}

/** ONNX Transpose costs nothing: the output is the same data under a relabelled layout. */
export function emitTranspose(node: Node, ctx: EmitContext): void {
  const e = ctx.emitted(node.inputs[0]);
  const rank = e.perm.length;
  const t = attrInts(node, 'perm', identity(rank).reverse());
  ctx.alias(node.outputs[0], { index: e.index, perm: e.perm.map((a) => t.indexOf(a)) });
}

/** Concat along a remapped axis, every input in the first live input's layout. */
export function emitConcat(node: Node, ctx: EmitContext): void {
  const live = node.inputs.find((n) => n && !ctx.isConst(n));
  if (!live) throw new Unmappable('all inputs are constant (run fold-constants)');
  const perm = ctx.emitted(live).perm;
  const inputs = node.inputs.filter(Boolean).map((n) => ctx.input(n, perm));
  const out = ctx.define(node.outputs[0], perm);
  ctx.draft.op('CONCATENATION', inputs, [out], node.name, { table: 'ConcatenationOptions', values: { axis: storedAxis(perm, attrInt(node, 'axis', 0)), fused_activation_function: 0 } });
}

/** Pad (constant, reflect) with the paddings reordered to the stored layout. */
export function emitPad(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const { perm } = ctx.emitted(x);
  const rank = perm.length;
  const mode = attrString(node, 'mode', 'constant');
  const pads = ctx.opset < 11 ? attrInts(node, 'pads', []) : ctx.constInts(node.inputs[1], 'pads');
  if (ctx.opset >= 18 && node.inputs[3]) throw new Unmappable('Pad with axes');
  if (pads.some((p) => p < 0)) throw new Unmappable('negative pads (cropping)');
  const value = ctx.opset < 11 ? ctx.attrFloat(node, 'value', 0) : node.inputs[2] ? ctx.constFloats(node.inputs[2], 'constant_value')[0] : 0;
  const paddings = ctx.draft.int32(`${node.name}/paddings`, perm.flatMap((a) => [pads[a], pads[a + rank]]), [rank, 2]);
  const input = ctx.input(x);
  const out = ctx.define(node.outputs[0], perm);
  if (mode === 'reflect') ctx.draft.op('MIRROR_PAD', [input, paddings], [out], node.name, { table: 'MirrorPadOptions', values: { mode: 0 } });
  else if (mode !== 'constant') throw new Unmappable(`pad mode '${mode}'`);
  else if (value === 0) ctx.draft.op('PAD', [input, paddings], [out], node.name, { table: 'PadOptions', values: {} });
  else ctx.draft.op('PADV2', [input, paddings, ctx.floatConst(`${node.name}/value`, Float32Array.of(value), [], 'operand')], [out], node.name);
}

/** Slice → SLICE (unit steps) or STRIDED_SLICE (positive steps), begin/size in stored order. */
export function emitSlice(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const shape = ctx.shape(x);
  const rank = shape.length;
  const { perm } = ctx.emitted(x);
  const get = (slot: number, attr: string) => (ctx.opset < 10 ? attrInts(node, attr) : node.inputs[slot] ? ctx.constInts(node.inputs[slot], attr) : undefined);
  const starts = get(1, 'starts') ?? [];
  const ends = get(2, 'ends') ?? [];
  const axes = (get(3, 'axes') ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const steps = get(4, 'steps') ?? starts.map(() => 1);
  const begin = shape.map(() => 0);
  const end = [...shape];
  const stride = shape.map(() => 1);
  axes.forEach((a, i) => {
    if (steps[i] <= 0) throw new Unmappable('Slice with a negative step');
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + shape[a] : v, 0), shape[a]);
    begin[a] = clamp(starts[i]);
    end[a] = Math.max(clamp(ends[i]), begin[a]);
    stride[a] = steps[i];
  });
  const input = ctx.input(x);
  const out = ctx.define(node.outputs[0], perm);
  const b = ctx.draft.int32(`${node.name}/begin`, permuteDims(begin, perm));
  if (stride.every((s) => s === 1)) {
    ctx.draft.op('SLICE', [input, b, ctx.draft.int32(`${node.name}/size`, permuteDims(end.map((e, i) => e - begin[i]), perm))], [out], node.name, { table: 'SliceOptions', values: {} });
  } else {
    ctx.draft.op('STRIDED_SLICE', [input, b, ctx.draft.int32(`${node.name}/end`, permuteDims(end, perm)), ctx.draft.int32(`${node.name}/strides`, permuteDims(stride, perm))], [out], node.name, { table: 'StridedSliceOptions', values: {} });
  }
}

/** Gather along a remapped axis with (constant or computed) indices. */
export function emitGather(node: Node, ctx: EmitContext): void {
  const [data, idx] = node.inputs;
  const shape = ctx.shape(data);
  const rank = shape.length;
  let axis = attrInt(node, 'axis', 0);
  if (axis < 0) axis += rank;
  const idxRank = ctx.shape(idx).length;
  let perm: Perm = ctx.isConst(data) ? identity(rank) : ctx.emitted(data).perm;
  if (idxRank > 1) perm = identity(rank);
  const params = ctx.input(data, perm);
  const indices = ctx.isConst(idx)
    ? ctx.draft.int32(`${idx}`, ctx.constInts(idx, 'indices').map((i) => (i < 0 ? i + shape[axis] : i)), ctx.shape(idx))
    : ctx.input(idx);
  const remaining = perm.filter((a) => a !== axis).map((a) => (a > axis ? a - 1 : a));
  const outPerm = idxRank === 0 ? remaining : idxRank === 1 ? perm : identity(rank - 1 + idxRank);
  const out = ctx.define(node.outputs[0], outPerm);
  ctx.draft.op('GATHER', [params, indices], [out], node.name, { table: 'GatherOptions', values: { axis: perm.indexOf(axis), batch_dims: 0 } });
}

/** Split → SPLIT_V along a remapped axis. */
export function emitSplit(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const shape = ctx.shape(x);
  const { perm } = ctx.emitted(x);
  let axis = attrInt(node, 'axis', 0);
  if (axis < 0) axis += shape.length;
  const sizes = node.outputs.map((o) => ctx.shape(o)[axis]);
  const input = ctx.input(x);
  const outs = node.outputs.map((o) => ctx.define(o, perm));
  const sizesT = ctx.draft.int32(`${node.name}/sizes`, sizes);
  const axisT = ctx.draft.int32(`${node.name}/axis`, [perm.indexOf(axis)], []);
  ctx.draft.op('SPLIT_V', [input, sizesT, axisT], outs, node.name, { table: 'SplitVOptions', values: { num_splits: sizes.length } });
}
