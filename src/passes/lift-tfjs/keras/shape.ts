// Keras layers that move data: Reshape, Flatten, Permute, RepeatVector, ZeroPadding, Cropping, UpSampling2D, Rescaling, identities.
import type { Attribute } from '../../../ir/graph.ts';
import { int, LiftRefusal, str, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { axisToFront, beginEnd, channelsFirstRegion, channelsLast, configOf, inversePerm, onlyInput, producerOf, tuple } from './common.ts';

/**
 * `value` itself, or the input of the Transpose producing it when that Transpose only moves axes of size 1 and keeps
 * the batch first: then both hold the same elements in the same order, so a Reshape or Flatten may read either. (A
 * Flatten after a 1×1 global pool then needs no NCHW → NHWC Transpose.)
 */
function sameOrderSource(ctx: TfjsLiftContext, value: string): string {
  const producer = producerOf(ctx, value);
  if (producer?.op !== 'Transpose') return value;
  const perm = producer.attributes.get('perm');
  const dims = ctx.dims(producer.inputs[0]);
  if (perm?.type !== 'ints' || !dims || perm.value[0] !== 0) return value;
  const moved = perm.value.filter((p) => dims[p] !== 1);
  return moved.every((p, i) => i === 0 || p > moved[i - 1]) ? producer.inputs[0] : value;
}

/** Reshape to [batch, …target_shape]. */
export const liftReshape: TfjsLifter = (node, ctx) => {
  const target = configOf(node).target_shape;
  if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && d !== 0)) throw new LiftRefusal(`target_shape ${JSON.stringify(target)} is not a list of sizes`);
  ctx.emit('Reshape', [sameOrderSource(ctx, onlyInput(node)), ctx.int64s('shape', [0, ...(target as number[])])], {}, node.outputs[0]);
};

/** Flatten to [batch, rest] in the order Keras holds the data (channels last: NHWC order, not NCHW). */
export const liftFlatten: TfjsLifter = (node, ctx) => {
  const x = onlyInput(node);
  const rank = ctx.rank(x);
  const ordered = !channelsLast(configOf(node)) && rank > 2 ? ctx.transpose(x, inversePerm(axisToFront(rank, -1))) : sameOrderSource(ctx, x);
  ctx.emit('Flatten', [ordered], { axis: int(1) }, node.outputs[0]);
};

/** Permute: `dims` are 1-based non-batch axes. */
export const liftPermute: TfjsLifter = (node, ctx) => {
  const dims = configOf(node).dims;
  if (!Array.isArray(dims) || !dims.every(Number.isInteger)) throw new LiftRefusal(`dims ${JSON.stringify(dims)} is not a list of axes`);
  ctx.transpose(onlyInput(node), [0, ...(dims as number[])], node.outputs[0]);
};

/** RepeatVector: [N, F] → [N, n, F]. */
export const liftRepeatVector: TfjsLifter = (node, ctx) => {
  const n = configOf(node).n;
  if (!Number.isInteger(n)) throw new LiftRefusal(`n ${JSON.stringify(n)} is not an integer`);
  const expanded = ctx.emit('Unsqueeze', [onlyInput(node), ctx.int64s('axes', [1])]);
  ctx.emit('Tile', [expanded, ctx.int64s('repeats', [1, n as number, 1])], {}, node.outputs[0]);
};

/** ZeroPadding/Cropping's `padding` / `cropping` per spatial axis (the 1-D layers take one (begin, end) pair). */
function spatialPairs(value: unknown, n: number, what: string): [number, number][] {
  if (n === 1 && Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [[value[0], value[1]]];
  return beginEnd(value, n, what);
}

/** ZeroPadding1D/2D/3D as Pad over channels-first data. */
export const liftZeroPadding: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const pairs = spatialPairs(c.padding ?? 1, ctx.rank(x) - 2, 'padding');
  const pads = ctx.int64s('pads', [0, 0, ...pairs.map((p) => p[0]), 0, 0, ...pairs.map((p) => p[1])]);
  channelsFirstRegion(ctx, x, channelsLast(c), node.outputs[0], (y, out) => ctx.emit('Pad', [y, pads], { mode: str('constant') }, out));
};

/** Cropping1D/2D/3D as Slice over channels-first data (ends counted from the end, so any size works). */
export const liftCropping: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const n = ctx.rank(x) - 2;
  const pairs = spatialPairs(c.cropping ?? 1, n, 'cropping');
  const starts = ctx.int64s('starts', pairs.map((p) => p[0]));
  const ends = ctx.int64s('ends', pairs.map((p) => (p[1] > 0 ? -p[1] : Number.MAX_SAFE_INTEGER)));
  const axes = ctx.int64s('axes', [...Array(n).keys()].map((i) => i + 2));
  channelsFirstRegion(ctx, x, channelsLast(c), node.outputs[0], (y, out) => ctx.emit('Slice', [y, starts, ends, axes], {}, out));
};

/** UpSampling2D as Resize by integer scales: nearest, or bilinear with TF's legacy (asymmetric) coordinates, as TF.js. */
export const liftUpSampling2D: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const size = tuple(c.size, 2, 'size', 2);
  const interpolation = c.interpolation ?? 'nearest';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new LiftRefusal(`interpolation '${String(interpolation)}' is not nearest or bilinear`);
  const scales = ctx.addConstant('scales', 'float32', [4], Float32Array.of(1, 1, size[0], size[1]));
  const attrs: Record<string, Attribute> = interpolation === 'nearest'
    ? { mode: str('nearest'), nearest_mode: str('floor'), coordinate_transformation_mode: str('asymmetric') }
    : { mode: str('linear'), coordinate_transformation_mode: str('asymmetric') };
  channelsFirstRegion(ctx, onlyInput(node), channelsLast(c), node.outputs[0], (y, out) => ctx.emit('Resize', [y, '', scales], attrs, out));
};

/** Rescaling: x·scale + offset (per-channel lists broadcast over the last axis). */
export const liftRescaling: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const constant = (v: unknown, what: string, fallback: number) => {
    const list = v === undefined || v === null ? [fallback] : typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'number')) throw new LiftRefusal(`${what} ${JSON.stringify(v)} is not a number or a list of them`);
    return list.length === 1 ? ctx.scalar(what, list[0]) : ctx.addConstant(what, 'float32', [list.length], Float32Array.from(list));
  };
  const scaled = ctx.emit('Mul', [onlyInput(node), constant(c.scale, 'scale', 1)]);
  ctx.emit('Add', [scaled, constant(c.offset, 'offset', 0)], {}, node.outputs[0]);
};

/** Layers that do nothing at inference (Dropout and its kin, noise layers, an InputLayer met as a node). */
export const liftIdentity: TfjsLifter = (node, ctx) => void ctx.emit('Identity', [onlyInput(node)], {}, node.outputs[0]);

/** Lambda layers hold Python code the model.json does not carry. */
export const liftLambda: TfjsLifter = () => {
  throw new LiftRefusal('a Lambda layer runs Python code that model.json does not carry (TF.js cannot run it either); replace it with built-in layers before converting');
};
