// batch_norm, instance_norm, layer_norm, l2_norm (iOS15 normalization.py): statistics in double, output in x's dtype.
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, fromNumbers, isFloatDtype, type RtTensor } from '../value.ts';
import { forEachReduction, normAxes } from './reduce.ts';

function floatX(ctx: OpContext): RtTensor {
  const x = ctx.tensor('x');
  if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
  return x;
}

/** epsilon as x's dtype stores it. */
function epsilon(ctx: OpContext, x: RtTensor, def: number): number {
  return fromNumbers(x.dtype, [], [ctx.num('epsilon', def)]).data[0] as number;
}

/** An optional per-channel vector of length `n`. */
function channelVector(ctx: OpContext, name: string, n: number): Float32Array | undefined {
  const t = ctx.optTensor(name);
  if (!t) return undefined;
  const v = asFloat32(t);
  if (v.length !== n) throw ctx.error(`${name} has ${v.length} values, expected ${n}`);
  return v;
}

/** y = gamma · (x − mean) / sqrt(variance + epsilon) + beta, per channel (axis 1). */
const batchNorm: Kernel = (ctx) => {
  const x = floatX(ctx);
  const c = x.shape[1];
  const mean = channelVector(ctx, 'mean', c)!;
  const variance = channelVector(ctx, 'variance', c)!;
  if (!mean || !variance) throw ctx.error('missing mean or variance');
  const gamma = channelVector(ctx, 'gamma', c);
  const beta = channelVector(ctx, 'beta', c);
  const eps = epsilon(ctx, x, 1e-5);
  const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const ch = Math.floor(i / inner) % c;
    out[i] = ((gamma ? gamma[ch] : 1) * (a[i] - mean[ch])) / Math.sqrt(variance[ch] + eps) + (beta ? beta[ch] : 0);
  }
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** Normalises each group of elements (the offsets `forEachReduction` gives) to zero mean, unit variance. */
function normalizeGroups(a: Float32Array, out: Float64Array, shape: number[], axes: number[], eps: number,
  affine: (offset: number, k: number) => [number, number]): void {
  forEachReduction(shape, axes, (o, offs) => {
    let s = 0;
    for (let k = 0; k < offs.length; k++) s += a[offs[k]];
    const mean = s / offs.length;
    let v = 0;
    for (let k = 0; k < offs.length; k++) { const d = a[offs[k]] - mean; v += d * d; }
    const inv = 1 / Math.sqrt(v / offs.length + eps);
    for (let k = 0; k < offs.length; k++) {
      const [g, b] = affine(o, k);
      out[offs[k]] = (a[offs[k]] - mean) * inv * g + b;
    }
  });
}

/** instance_norm: per (n, c) over the spatial dims; gamma/beta per channel. */
const instanceNorm: Kernel = (ctx) => {
  const x = floatX(ctx);
  const c = x.shape[1];
  const gamma = channelVector(ctx, 'gamma', c);
  const beta = channelVector(ctx, 'beta', c);
  const eps = epsilon(ctx, x, 1e-5);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  const axes = x.shape.map((_, i) => i).slice(2);
  normalizeGroups(a, out, x.shape, axes, eps, (o) => { const ch = o % c; return [gamma ? gamma[ch] : 1, beta ? beta[ch] : 0]; });
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** layer_norm over `axes` (default all); gamma/beta shaped like the normalised dims (their k-th element is offset k). */
const layerNorm: Kernel = (ctx) => {
  const x = floatX(ctx);
  const axes = normAxes(ctx, ctx.has('axes') ? ctx.ints('axes') : undefined, x.shape.length);
  const count = axes.reduce((p, ax) => p * x.shape[ax], 1);
  const gamma = channelVector(ctx, 'gamma', count);
  const beta = channelVector(ctx, 'beta', count);
  const eps = epsilon(ctx, x, 1e-5);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  normalizeGroups(a, out, x.shape, axes, eps, (_, k) => [gamma ? gamma[k] : 1, beta ? beta[k] : 0]);
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** l2_norm: x / sqrt(sum(x²) + epsilon) over the last three dims (leading dims are batch). */
const l2Norm: Kernel = (ctx) => {
  const x = floatX(ctx);
  const rank = x.shape.length;
  if (rank < 3) throw ctx.error(`x must be rank 3 or more, got ${rank}`);
  const eps = epsilon(ctx, x, 1e-6);
  const inner = x.shape.slice(rank - 3).reduce((p, d) => p * d, 1);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  for (let b = 0; b < a.length; b += inner) {
    let s = 0;
    for (let i = b; i < b + inner; i++) s += a[i] * a[i];
    const inv = 1 / Math.sqrt(s + eps);
    for (let i = b; i < b + inner; i++) out[i] = a[i] * inv;
  }
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** Normalization kernels by op type. */
export const NORMALIZATION_KERNELS: Record<string, Kernel> = {
  batch_norm: batchNorm,
  instance_norm: instanceNorm,
  layer_norm: layerNorm,
  l2_norm: l2Norm,
};
