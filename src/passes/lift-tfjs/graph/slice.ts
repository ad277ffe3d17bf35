// TensorFlow Slice and StridedSlice (begin/end/ellipsis/new-axis/shrink masks) as ONNX Slice + Squeeze/Unsqueeze.
import { attrInt } from '../../../ir/graph.ts';
import { LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { castTo, INT64_BIG } from './common.ts';

/** Slice(x, begin, size): size −1 runs to the end. Known operands become constants; others are computed at run time. */
export const liftSlice: TfjsLifter = (node, ctx) => {
  const [x, beginIn, sizeIn] = node.inputs;
  const begin = ctx.knownInts(beginIn), size = ctx.knownInts(sizeIn);
  const n = begin?.length ?? size?.length ?? ctx.rank(x);
  const axes = ctx.int64s('axes', Array.from({ length: n }, (_, i) => i));
  if (begin && size) {
    const ends = begin.map((b, i) => (size[i] < 0 ? INT64_BIG : b + size[i]));
    return void ctx.emit('Slice', [x, ctx.int64s('starts', begin), ctx.int64s('ends', ends), axes], {}, node.outputs[0]);
  }
  const b = castTo(ctx, beginIn, 'int64'), s = castTo(ctx, sizeIn, 'int64');
  const toEnd = ctx.emit('Less', [s, ctx.int64s('zero', [0])]);
  const ends = ctx.emit('Where', [toEnd, ctx.int64s('big', [INT64_BIG]), ctx.emit('Add', [b, s])]);
  ctx.emit('Slice', [x, b, ends, axes], {}, node.outputs[0]);
};

/** One dense (input) axis of a strided slice. */
interface DenseAxis {
  axis: number;
  begin: number;
  end: number;
  stride: number;
  beginMasked: boolean;
  endMasked: boolean;
  shrink: boolean;
  /** Index into the begin/end/strides operands (−1 for axes an ellipsis covers). */
  sparse: number;
}

/** The StridedSlice spec resolved against the input rank, as TensorFlow's ValidateStridedSliceOp does it. */
function denseSpec(rank: number, n: number, begin: number[], end: number[], strides: number[], masks: Record<'begin' | 'end' | 'ellipsis' | 'newAxis' | 'shrink', number>): { axes: DenseAxis[]; newAxes: number[] } {
  const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;
  let ellipsis = masks.ellipsis;
  let count = n;
  // No ellipsis: one is implied after the last entry.
  if (!Array.from({ length: n }, (_, i) => bit(ellipsis, i)).some(Boolean)) {
    ellipsis |= 1 << n;
    count = n + 1;
  }
  let newAfterEllipsis = 0;
  let seenEllipsis = false;
  for (let i = 0; i < count; i++) {
    if (seenEllipsis && bit(masks.newAxis, i)) newAfterEllipsis++;
    if (bit(ellipsis, i)) seenEllipsis = true;
  }
  const axes: DenseAxis[] = [];
  const newAxes: number[] = [];
  let full = 0;
  let outPos = 0;
  for (let i = 0; i < count; i++) {
    if (bit(ellipsis, i)) {
      const next = Math.min(rank - (count - i) + 1 + newAfterEllipsis, rank);
      for (; full < next; full++) {
        axes.push({ axis: full, begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false, sparse: -1 });
        outPos++;
      }
    } else if (bit(masks.newAxis, i)) {
      newAxes.push(outPos++);
    } else {
      if (full >= rank) throw new LiftRefusal(`the slice spec indexes more axes than the input's ${rank}`);
      const shrink = bit(masks.shrink, i);
      axes.push({ axis: full++, begin: begin[i], end: end[i], stride: strides[i], beginMasked: bit(masks.begin, i), endMasked: bit(masks.end, i), shrink, sparse: i });
      if (!shrink) outPos++;
    }
  }
  return { axes, newAxes };
}

/** ONNX Slice start/end/step of one dense axis (constants known). */
function bounds(a: DenseAxis): { start: number; end: number; step: number } | undefined {
  if (a.shrink) return { start: a.begin, end: a.begin === -1 ? INT64_BIG : a.begin + 1, step: 1 };
  if (a.stride === 0) throw new LiftRefusal('a stride is 0');
  const up = a.stride > 0;
  const start = a.beginMasked ? (up ? 0 : INT64_BIG) : a.begin;
  const end = a.endMasked ? (up ? INT64_BIG : -INT64_BIG) : a.end;
  if (start === 0 && end === INT64_BIG && a.stride === 1) return undefined;
  return { start, end, step: a.stride };
}

/**
 * StridedSlice with every mask: the spec is expanded against the input rank (ellipsis, implied trailing ellipsis,
 * new axes), sliced with one ONNX Slice over the axes it restricts, shrunk axes squeezed and new axes unsqueezed.
 * Begin/end known at lift time is the general case; run-time begin/end is taken when there is no ellipsis or new axis.
 */
export const liftStridedSlice: TfjsLifter = (node, ctx) => {
  const [x, beginIn, endIn, stridesIn] = node.inputs;
  const masks = {
    begin: attrInt(node, 'begin_mask', 0), end: attrInt(node, 'end_mask', 0), ellipsis: attrInt(node, 'ellipsis_mask', 0),
    newAxis: attrInt(node, 'new_axis_mask', 0), shrink: attrInt(node, 'shrink_axis_mask', 0),
  };
  const strides = ctx.requireInts(stridesIn, 'strides');
  const begin = ctx.knownInts(beginIn), end = ctx.knownInts(endIn);
  const rank = ctx.rank(x);
  const n = strides.length;
  if (!begin || !end) return dynamicStridedSlice(ctx, node.inputs, node.outputs[0], masks, strides, rank);
  const { axes, newAxes } = denseSpec(rank, n, begin, end, strides, masks);
  let y = x;
  const sliced = axes.map((a) => ({ a, b: bounds(a) })).filter((s) => s.b);
  if (sliced.length) {
    y = ctx.emit('Slice', [y, ctx.int64s('starts', sliced.map((s) => s.b!.start)), ctx.int64s('ends', sliced.map((s) => s.b!.end)), ctx.int64s('axes', sliced.map((s) => s.a.axis)), ctx.int64s('steps', sliced.map((s) => s.b!.step))]);
  }
  const shrunk = axes.filter((a) => a.shrink).map((a) => a.axis);
  finish(ctx, y, shrunk, newAxes, node.outputs[0]);
};

/** Squeezes `shrunk` axes, then unsqueezes `newAxes` (output positions), writing `output`. */
function finish(ctx: TfjsLiftContext, y: string, shrunk: number[], newAxes: number[], output: string): void {
  if (shrunk.length) y = ctx.emit('Squeeze', [y, ctx.int64s('axes', shrunk)], {}, newAxes.length ? undefined : output);
  if (newAxes.length) y = ctx.emit('Unsqueeze', [y, ctx.int64s('axes', newAxes)], {}, output);
  if (!shrunk.length && !newAxes.length) ctx.emit('Identity', [y], {}, output);
}

/** StridedSlice whose begin or end is only known at run time (sparse index i = input axis i: no ellipsis, no new axis). */
function dynamicStridedSlice(ctx: TfjsLiftContext, inputs: string[], output: string, masks: Record<'begin' | 'end' | 'ellipsis' | 'newAxis' | 'shrink', number>, strides: number[], rank: number): void {
  if (masks.ellipsis || masks.newAxis) throw new LiftRefusal('begin/end are not known before running the model and the slice has an ellipsis or a new axis');
  const [x, beginIn, endIn] = inputs;
  const n = strides.length;
  if (n > rank) throw new LiftRefusal(`the slice spec indexes ${n} axes of a rank-${rank} input`);
  const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;
  const pick = (flags: boolean[], whenSet: number[], value: string): string => {
    if (!flags.some(Boolean)) return value;
    return ctx.emit('Where', [ctx.addConstant('mask', 'bool', [n], Uint8Array.from(flags, Number)), ctx.int64s('masked', whenSet), value]);
  };
  const b = castTo(ctx, beginIn, 'int64');
  const shrink = strides.map((_, i) => bit(masks.shrink, i));
  const starts = pick(strides.map((s, i) => bit(masks.begin, i) && !shrink[i]), strides.map((s) => (s > 0 ? 0 : INT64_BIG)), b);
  // A shrunk axis takes [b, b + 1), where b = −1 means the last element (end = "to the end").
  const plusOne = ctx.emit('Add', [b, ctx.int64s('one', [1])]);
  const shrinkEnds = ctx.emit('Where', [ctx.emit('Equal', [b, ctx.int64s('minus_one', [-1])]), ctx.int64s('big', [INT64_BIG]), plusOne]);
  let ends = pick(strides.map((s, i) => bit(masks.end, i) && !shrink[i]), strides.map((s) => (s > 0 ? INT64_BIG : -INT64_BIG)), castTo(ctx, endIn, 'int64'));
  if (shrink.some(Boolean)) ends = ctx.emit('Where', [ctx.addConstant('shrink', 'bool', [n], Uint8Array.from(shrink, Number)), shrinkEnds, ends]);
  const steps = ctx.int64s('steps', strides.map((s, i) => (shrink[i] ? 1 : s)));
  const y = ctx.emit('Slice', [x, starts, ends, ctx.int64s('axes', strides.map((_, i) => i)), steps]);
  finish(ctx, y, shrink.flatMap((s, i) => (s ? [i] : [])), [], output);
}
