// Inference for reductions (ReduceMean/Sum/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare) and ArgMax/ArgMin.
import { normAxis, type InferContext, type InferResult, type OpTable } from './common.ts';

function reduce(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [x && { dtype: x.dtype }];
  const rank = x.shape.length;
  const keep = ctx.attrInt('keepdims', 1) === 1;
  let axes: number[] | undefined;
  if (ctx.has(1)) {
    const v = ctx.ints(1);
    if (!v || v.some((d) => typeof d !== 'number')) {
      const n = ctx.input(1)?.shape?.[0];
      return [{ dtype: x.dtype, shape: keep ? x.shape.map(() => null) : typeof n === 'number' ? new Array(rank - n).fill(null) : undefined }];
    }
    axes = v as number[];
  } else axes = ctx.attrInts('axes');
  if (!axes || axes.length === 0) {
    if (ctx.attrInt('noop_with_empty_axes', 0) === 1) return [{ dtype: x.dtype, shape: [...x.shape] }];
    axes = x.shape.map((_, i) => i);
  }
  const set = new Set(axes.map((a) => normAxis(ctx, a, rank)));
  const shape = keep ? x.shape.map((d, i) => (set.has(i) ? 1 : d)) : x.shape.filter((_, i) => !set.has(i));
  return [{ dtype: x.dtype, shape }];
}

function argReduce(ctx: InferContext): InferResult {
  const x = ctx.input(0);
  if (!x?.shape) return [{ dtype: 'int64' }];
  const axis = normAxis(ctx, ctx.attrInt('axis', 0), x.shape.length);
  const keep = ctx.attrInt('keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis) }];
}

const REDUCE_OPS = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const reduceOps: OpTable = {
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
};
