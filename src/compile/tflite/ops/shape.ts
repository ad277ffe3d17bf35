// Data-movement ops: Reshape/Flatten/Squeeze/Unsqueeze, Transpose (a relabelling), Concat, Slice, Split.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { consumers } from '../../../ir/toposort.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { reshapeLayout } from '../reshape-layout.ts';
import { channelsLast, identity, isIdentity, permuteDims, sameOrder, samePerm, storedAxis, transposeBetween } from '../layout.ts';

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** True when every reader of `value` is a Gemm/MatMul with constant weights (so FC weights can absorb a column order). */
function onlyFullyConnectedReaders(ctx: EmitContext, value: string): boolean {
  const readers = consumers(ctx.graph).get(value) ?? [];
  if (ctx.graph.outputs.some((o) => o.name === value)) return false;
  return readers.length > 0 && readers.every((n) => (n.op === 'Gemm' || n.op === 'MatMul') && n.inputs[0] === value && n.inputs[1] !== value &&
    ctx.isConst(n.inputs[1]) && attrInt(n, 'transA', 0) === 0);
}

/** Ops that read their operands' trailing axes in IR order. */
const MATRIX_OPS = new Set(['Gemm', 'MatMul', 'Einsum']);

/** True when a reader of `value` is a Transpose that, relabelling identity-stored data, yields channels-last data. */
function transposedToChannelsLast(ctx: EmitContext, value: string): boolean {
  const rank = ctx.shape(value).length;
  return (consumers(ctx.graph).get(value) ?? []).some((n) => {
    if (n.op !== 'Transpose') return false;
    const t = attrInts(n, 'perm', identity(rank).reverse());
    return samePerm(identity(rank).map((a) => t.indexOf(a)), channelsLast(rank));
  });
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
  } else {
    // Split/merge runs of axes stored contiguously reshape in place. When they are not, one TRANSPOSE is needed either
    // way: to the closest such layout, unless a matrix op reads the result (it wants IR order, as the fallback gives).
    const kept = reshapeLayout(inShape, outShape, e.perm);
    const matrixReader = (consumers(ctx.graph).get(y) ?? []).some((n) => MATRIX_OPS.has(n.op));
    if (kept && (samePerm(kept.input, e.perm) || !matrixReader)) {
      const input = ctx.input(x, kept.input);
      const out = ctx.define(y, kept.output);
      const stored = permuteDims(outShape, kept.output);
      ctx.draft.op('RESHAPE', [input, ctx.draft.int32(`${y}/shape`, stored)], [out], node.name, { table: 'ReshapeOptions', values: { new_shape: stored } });
      return;
    }
    source = ctx.input(x, identity(inShape.length));
  }
  const outPerm = outShape.length >= 3 && sameOrder(outShape, channelsLast(outShape.length)) && !transposedToChannelsLast(ctx, y) ? channelsLast(outShape.length) : identity(outShape.length);
  const stored = permuteDims(outShape, outPerm);
  const out = ctx.define(y, outPerm);
  ctx.draft.op('RESHAPE', [source, ctx.draft.int32(`${y}/shape`, stored)], [out], node.name, { table: 'ReshapeOptions', values: { new_shape: stored } });
}

/** Ops that cut a tensor into pieces along an axis. */
const CUTTERS = new Set(['Slice', 'Split', 'Gather']);

/**
 * ONNX Transpose costs nothing: the output is the same data under a relabelled layout. Except when the output is cut
 * into pieces (several Slice/Gather readers, or a Split — attention's q/k/v head split): then one TRANSPOSE into IR order
 * here replaces one per piece downstream.
 */
export function emitTranspose(node: Node, ctx: EmitContext): void {
  const e = ctx.emitted(node.inputs[0]);
  const rank = e.perm.length;
  const t = attrInts(node, 'perm', identity(rank).reverse());
  const relabelled = e.perm.map((a) => t.indexOf(a));
  const readers = consumers(ctx.graph).get(node.outputs[0]) ?? [];
  const cut = readers.every((n) => CUTTERS.has(n.op) && n.inputs[0] === node.outputs[0]) && (readers.length > 1 || readers[0]?.op === 'Split');
  if (!cut || e.columns || isIdentity(relabelled) || ctx.graph.outputs.some((o) => o.name === node.outputs[0])) {
    ctx.alias(node.outputs[0], { index: e.index, perm: relabelled });
    return;
  }
  const out = ctx.define(node.outputs[0], identity(rank));
  ctx.draft.op('TRANSPOSE', [e.index, ctx.draft.int32(`${node.name}/perm`, transposeBetween(relabelled, identity(rank)))], [out], node.name);
  ctx.innerTransposes++;
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

/** Slice → SLICE (unit steps) or STRIDED_SLICE (any non-zero steps; a negative step runs to the start through end_mask), in stored order. */
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
  let endMask = 0;
  axes.forEach((a, i) => {
    if (steps[i] === 0) throw new Unmappable('Slice with a zero step');
    const wrap = (v: number) => (v < 0 ? v + shape[a] : v);
    stride[a] = steps[i];
    if (steps[i] > 0) {
      const clamp = (v: number) => Math.min(Math.max(wrap(v), 0), shape[a]);
      begin[a] = clamp(starts[i]);
      end[a] = Math.max(clamp(ends[i]), begin[a]);
    } else {
      // ONNX clamps a backward start to [0, dim-1] and its end to [-1, dim-1]; -1 (run to the start) is TFLite's end_mask.
      begin[a] = Math.min(Math.max(wrap(starts[i]), 0), shape[a] - 1);
      end[a] = Math.min(Math.max(wrap(ends[i]), -1), shape[a] - 1);
      if (end[a] < 0) endMask |= 1 << perm.indexOf(a);
      end[a] = Math.max(end[a], 0);
    }
  });
  const input = ctx.input(x);
  const out = ctx.define(node.outputs[0], perm);
  const b = ctx.draft.int32(`${node.name}/begin`, permuteDims(begin, perm));
  if (stride.every((s) => s === 1)) {
    ctx.draft.op('SLICE', [input, b, ctx.draft.int32(`${node.name}/size`, permuteDims(end.map((e, i) => e - begin[i]), perm))], [out], node.name, { table: 'SliceOptions', values: {} });
  } else {
    ctx.draft.op('STRIDED_SLICE', [input, b, ctx.draft.int32(`${node.name}/end`, permuteDims(end, perm)), ctx.draft.int32(`${node.name}/strides`, permuteDims(stride, perm))], [out], node.name, { table: 'StridedSliceOptions', values: { end_mask: endMask } });
  }
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
