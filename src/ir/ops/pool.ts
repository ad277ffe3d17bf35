// Inference for pooling: MaxPool, AveragePool, LpPool and their Global forms.
import { formatShape, windowOutputs, type InferContext, type OpTable, type TensorInfo } from './common.ts';

function pool(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(0);
  if (!x) return [undefined, undefined];
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: 'int64' }];
  if (x.shape.length < 3) ctx.fail(`input ${formatShape(x.shape)} has rank < 3 (expected N, C, spatial...)`);
  const kernel = ctx.attrInts('kernel_shape');
  if (!kernel) ctx.fail('missing kernel_shape attribute');
  const spatial = windowOutputs(ctx, x.shape.slice(2), kernel, ctx.attrInt('ceil_mode', 0) === 1);
  if (spatial.some((d) => typeof d === 'number' && d < 1)) ctx.fail(`kernel ${formatShape(kernel)} is larger than input ${formatShape(x.shape)}`);
  const shape = [x.shape[0], x.shape[1], ...spatial];
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
}

function globalPool(ctx: InferContext): (TensorInfo | undefined)[] {
  const x = ctx.input(0);
  if (!x?.shape) return [x && { dtype: x.dtype }];
  if (x.shape.length < 3) ctx.fail(`input ${formatShape(x.shape)} has rank < 3 (expected N, C, spatial...)`);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
}

export const poolOps: OpTable = {
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
};
