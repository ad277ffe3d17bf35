// Inference for Softmax, LogSoftmax and Hardmax: same type as the input, axis checked.
import { normAxis, same, type InferContext, type OpTable } from './common.ts';

function softmax(ctx: InferContext) {
  const x = ctx.input(0);
  // The default axis was 1 (coerce to 2-D) before opset 13, -1 since.
  if (x?.shape) normAxis(ctx, ctx.attrInt('axis', ctx.opset > 0 && ctx.opset < 13 ? 1 : -1), Math.max(x.shape.length, 1));
  return [same(x)];
}

export const softmaxOps: OpTable = {
  Softmax: softmax,
  LogSoftmax: softmax,
  Hardmax: softmax,
};
