// Shape ops → MIL: Reshape/Flatten/Squeeze/Unsqueeze → reshape to the static output shape; Transpose, Concat, Split, Slice, Pad, Gather, Tile, Expand.
import { attrInt, attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Emits Reshape, Flatten, Squeeze and Unsqueeze as one reshape to the output's static shape. */
export function emitReshape(node: Node, ctx: MilEmitContext): void {
  ctx.emit('reshape', node, { x: ctx.input(node.inputs[0]), shape: ctx.ints('shape', ctx.shape(node.outputs[0])) });
}

/** Emits Transpose (default: reversed axes). */
export function emitTranspose(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  const perm = attrInts(node, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  ctx.emit('transpose', node, { x: ctx.input(node.inputs[0]), perm: ctx.ints('perm', perm) });
}

/** Emits Concat. */
export function emitConcat(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.outputs[0]).length;
  const values = node.inputs.filter((i) => i && ctx.shape(i).every((d) => d > 0)); // empty pieces add nothing
  if (values.length === 1) {
    ctx.emit('identity', node, { x: ctx.input(values[0]) });
    return;
  }
  ctx.emit('concat', node, { values: values.map((v) => ctx.input(v)), axis: ctx.scalar('axis', norm(attrInt(node, 'axis', 0), rank)), interleave: ctx.scalar('interleave', false) });
}

/** Emits Split with the output sizes as split_sizes. */
export function emitSplit(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  const axis = norm(attrInt(node, 'axis', 0), rank);
  const outs = node.outputs.map((o) => ({ ir: o, type: ctx.milType(o) }));
  const sizes = outs.map((o) => o.type.shape[axis]);
  ctx.op('split', node, { x: ctx.input(node.inputs[0]), split_sizes: ctx.ints('split_sizes', sizes), axis: ctx.scalar('axis', axis) }, outs);
}

/** Emits Slice (constant starts/ends/axes/steps, clamped as ONNX does) as slice_by_index over every axis. */
export function emitSlice(node: Node, ctx: MilEmitContext): void {
  const xs = ctx.shape(node.inputs[0]);
  const rank = xs.length;
  const [starts, ends, axes, steps] = ctx.opset >= 10
    ? [1, 2, 3, 4].map((i) => (node.inputs[i] ? ctx.constNumbers(node.inputs[i], `Slice input ${i}`) : undefined))
    : [attrInts(node, 'starts'), attrInts(node, 'ends'), attrInts(node, 'axes'), undefined];
  if (!starts || !ends) throw new Unmappable('Slice without starts/ends');
  const begin = new Array(rank).fill(0);
  const end = [...xs];
  const stride = new Array(rank).fill(1);
  const endMask = new Array(rank).fill(false);
  (axes ?? starts.map((_, i) => i)).forEach((a, i) => {
    const ax = norm(a, rank);
    const dim = xs[ax];
    const step = steps?.[i] ?? 1;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
    stride[ax] = step;
    if (step > 0) {
      begin[ax] = clamp(starts[i], 0, dim);
      end[ax] = clamp(ends[i], 0, dim);
    } else {
      begin[ax] = clamp(starts[i], 0, dim - 1);
      const e = ends[i] < -dim ? -1 : clamp(ends[i], -1, dim - 1);
      end[ax] = Math.max(e, 0);
      endMask[ax] = e < 0;
    }
  });
  ctx.emit('slice_by_index', node, {
    x: ctx.input(node.inputs[0]), begin: ctx.ints('begin', begin), end: ctx.ints('end', end), stride: ctx.ints('stride', stride),
    begin_mask: ctx.constValue('begin_mask', 'bool', [rank], new Array(rank).fill(0)), end_mask: ctx.constValue('end_mask', 'bool', [rank], endMask.map(Number)),
  });
}

/** Emits Pad (constant pads; constant, reflect and edge modes). */
export function emitPad(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  const mode = attrString(node, 'mode', 'constant');
  let pads = ctx.opset >= 11 ? ctx.constNumbers(node.inputs[1], 'pads') : attrInts(node, 'pads', []);
  if (node.inputs[3]) {
    const axes = ctx.constNumbers(node.inputs[3], 'axes').map((a) => norm(a, rank));
    const full = new Array(2 * rank).fill(0);
    axes.forEach((a, i) => { full[a] = pads[i]; full[a + rank] = pads[i + axes.length]; });
    pads = full;
  }
  if (pads.some((p) => p < 0)) throw new Unmappable('negative padding (cropping) is not supported');
  const value = ctx.opset >= 11 ? (node.inputs[2] ? ctx.constNumbers(node.inputs[2], 'constant_value')[0] ?? 0 : 0) : attrInts(node, 'value', [0])[0];
  const milMode = { constant: 'constant', reflect: 'reflect', edge: 'replicate' }[mode];
  if (!milMode) throw new Unmappable(`Pad mode '${mode}' is not supported`);
  const pad: number[] = [];
  for (let i = 0; i < rank; i++) pad.push(pads[i], pads[i + rank]);
  ctx.emit('pad', node, { x: ctx.input(node.inputs[0]), pad: ctx.ints('pad', pad), mode: ctx.scalar('mode', milMode, 'string'), constant_val: ctx.scalar('constant_val', value, 'float') });
}

/** Emits Gather (constant negative indices made positive). */
export function emitGather(node: Node, ctx: MilEmitContext): void {
  const [x, idx] = node.inputs;
  const xs = ctx.shape(x);
  const axis = norm(attrInt(node, 'axis', 0), xs.length);
  const indices = ctx.constant(idx) ? ctx.ints('indices', ctx.constNumbers(idx, 'indices').map((i) => (i < 0 ? i + xs[axis] : i)), ctx.shape(idx)) : ctx.input(idx);
  ctx.emit('gather', node, { x: ctx.input(x), indices, axis: ctx.scalar('axis', axis) });
}

/** Emits Tile (constant repeats) and Expand (as a reshape to the output rank, then tile). */
export function emitTile(node: Node, ctx: MilEmitContext): void {
  const out = ctx.shape(node.outputs[0]);
  let xs = ctx.shape(node.inputs[0]);
  let x = ctx.input(node.inputs[0]);
  if (node.op === 'Expand' && xs.length < out.length) {
    xs = [...new Array(out.length - xs.length).fill(1), ...xs];
    x = ctx.temp('reshape', node, { x, shape: ctx.ints('shape', xs) }, `${node.name}_ranked`, { dtype: ctx.milType(node.inputs[0]).dtype, shape: xs });
  }
  const reps = node.op === 'Tile' ? ctx.constNumbers(node.inputs[1], 'repeats') : out.map((d, i) => d / xs[i]);
  if (reps.every((r) => r === 1)) ctx.emit('identity', node, { x });
  else ctx.emit('tile', node, { x, reps: ctx.ints('reps', reps) });
}
