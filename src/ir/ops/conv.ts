// Inference for convolutions: Conv, ConvTranspose (NCHW-style, any number of spatial dims).
import { conflictingDims, formatShape, resolvePads, windowOutputs, type InferContext, type OpTable, type TensorInfo } from './common.ts';
import type { Dim } from '../graph.ts';

/** Output shape of a Conv-like op (also used by ConvInteger and QLinearConv). */
export function convShape(ctx: InferContext, x: TensorInfo | undefined, w: TensorInfo | undefined): Dim[] | undefined {
  if (!x?.shape || !w?.shape) return undefined;
  if (x.shape.length < 3) ctx.fail(`input rank ${x.shape.length} < 3 (expected N, C, spatial...)`);
  if (w.shape.length !== x.shape.length) ctx.fail(`weight rank ${w.shape.length} differs from input rank ${x.shape.length}`);
  const group = ctx.attrInt('group', 1);
  const channels = x.shape[1];
  const wChannels = w.shape[1];
  if (typeof channels === 'number' && typeof wChannels === 'number' && channels !== wChannels * group) {
    ctx.fail(`channel mismatch: input ${formatShape(x.shape)} has ${channels} channels, weight ${formatShape(w.shape)} expects ${wChannels}×group ${group} = ${wChannels * group}`);
  }
  const kernel = ctx.attrInts('kernel_shape') ?? w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  if (kernel.some(Number.isNaN)) return [x.shape[0], w.shape[0], ...x.shape.slice(2).map(() => null)];
  for (let i = 0; i < kernel.length; i++) {
    if (conflictingDims(kernel[i], w.shape[2 + i])) ctx.fail(`kernel_shape ${formatShape(kernel)} disagrees with weight ${formatShape(w.shape)}`);
  }
  return [x.shape[0], w.shape[0], ...windowOutputs(ctx, x.shape.slice(2), kernel)];
}

function convTransposeShape(ctx: InferContext, x: TensorInfo | undefined, w: TensorInfo | undefined): Dim[] | undefined {
  if (!x?.shape || !w?.shape) return undefined;
  const rank = x.shape.length;
  if (rank < 3) ctx.fail(`input rank ${rank} < 3 (expected N, C, spatial...)`);
  if (w.shape.length !== rank) ctx.fail(`weight rank ${w.shape.length} differs from input rank ${rank}`);
  const group = ctx.attrInt('group', 1);
  if (conflictingDims(x.shape[1], w.shape[0])) {
    ctx.fail(`channel mismatch: input ${formatShape(x.shape)} has ${x.shape[1]} channels, weight ${formatShape(w.shape)} expects ${w.shape[0]}`);
  }
  const outChannels = typeof w.shape[1] === 'number' ? w.shape[1] * group : null;
  const n = rank - 2;
  const spatial = x.shape.slice(2);
  const outputShape = ctx.attrInts('output_shape');
  if (outputShape) return [x.shape[0], outChannels, ...outputShape.slice(-n)];
  const kernel = ctx.attrInts('kernel_shape') ?? w.shape.slice(2).map((d) => (typeof d === 'number' ? d : NaN));
  const strides = ctx.attrInts('strides', new Array(n).fill(1));
  const dilations = ctx.attrInts('dilations', new Array(n).fill(1));
  const outPad = ctx.attrInts('output_padding', new Array(n).fill(0));
  const pads = resolvePads(ctx, spatial, kernel, strides, dilations);
  const out = spatial.map((d, i) => {
    if (typeof d !== 'number' || Number.isNaN(kernel[i])) return null;
    if (pads === 'same') return d * strides[i];
    return strides[i] * (d - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + n];
  });
  return [x.shape[0], outChannels, ...out];
}

/** The optional bias (input 2) must be 1-D with one value per output channel. */
function checkBias(ctx: InferContext, channels: Dim | undefined): void {
  const b = ctx.input(2)?.shape;
  if (!b) return;
  if (b.length !== 1 || conflictingDims(b[0], channels ?? null)) ctx.fail(`bias ${formatShape(b)} must be 1-D with one value per output channel (${channels ?? '?'})`);
}

export const convOps: OpTable = {
  Conv: (ctx) => {
    const x = ctx.input(0);
    checkBias(ctx, ctx.input(1)?.shape?.[0]);
    return [x && { dtype: x.dtype, shape: convShape(ctx, x, ctx.input(1)) }];
  },
  ConvTranspose: (ctx) => {
    const x = ctx.input(0);
    const out = x && { dtype: x.dtype, shape: convTransposeShape(ctx, x, ctx.input(1)) };
    checkBias(ctx, out?.shape?.[1]);
    return [out];
  },
};
