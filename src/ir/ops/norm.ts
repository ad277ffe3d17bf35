// Inference for normalisations: BatchNormalization, LayerNormalization, InstanceNormalization, GroupNormalization, ...
import { formatShape, conflictingDims, normAxis, same, type InferContext, type OpTable, type TensorInfo } from './common.ts';

/** Checks that a per-channel parameter (scale, bias, mean, var) has `channels` elements. */
function checkChannels(ctx: InferContext, i: number, what: string, channels: unknown): void {
  const p = ctx.input(i)?.shape;
  if (!p || typeof channels !== 'number') return;
  if (p.length !== 1 || conflictingDims(p[0], channels)) ctx.fail(`${what} ${formatShape(p)} does not match ${channels} channels`);
}

function batchNorm(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(0);
  const c = x?.shape?.[1];
  ['scale', 'bias', 'mean', 'var'].forEach((what, k) => checkChannels(ctx, k + 1, what, c));
  const stat = x && { dtype: ctx.input(3)?.dtype ?? x.dtype, shape: x.shape && [x.shape[1] ?? null] };
  return [same(x), stat, stat && same(stat), stat && same(stat), stat && same(stat)];
}

function layerNorm(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(0);
  if (!x) return [undefined];
  const stashType = ctx.attrInt('stash_type', 1) === 1 ? 'float32' : x.dtype;
  if (!x.shape) return [same(x), { dtype: stashType }, { dtype: stashType }];
  const axis = normAxis(ctx, ctx.attrInt('axis', -1), x.shape.length);
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [same(x), { dtype: stashType, shape: statShape }, { dtype: stashType, shape: [...statShape] }];
}

function instanceNorm(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(0);
  checkChannels(ctx, 1, 'scale', x?.shape?.[1]);
  checkChannels(ctx, 2, 'bias', x?.shape?.[1]);
  return [same(x)];
}

const passThrough = (ctx: InferContext) => [same(ctx.input(0))];

export const normOps: OpTable = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  InstanceNormalization: instanceNorm,
  GroupNormalization: passThrough,
  LpNormalization: passThrough,
  MeanVarianceNormalization: passThrough,
  LRN: passThrough,
  'com.microsoft/SimplifiedLayerNormalization': layerNorm,
  SimplifiedLayerNormalization: layerNorm,
  RMSNormalization: (ctx) => [same(ctx.input(0))],
};
