// Inference for control flow: If (branches must agree) and Loop (carried values and stacked scan outputs).
import type { Dim } from '../graph.ts';
import type { InferContext, InferResult, OpTable, TensorInfo } from './common.ts';

/** The common type of two branch outputs: dims that differ become unknown. */
function join(a: TensorInfo | undefined, b: TensorInfo | undefined): TensorInfo | undefined {
  if (!a || !b) return a ?? b;
  if (a.dtype !== b.dtype) return undefined;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { dtype: a.dtype };
  return { dtype: a.dtype, shape: a.shape.map((d, i): Dim => (d === b.shape![i] ? d : null)) };
}

function ifOp(ctx: InferContext): InferResult {
  const then = ctx.subgraphOutputs('then_branch') ?? [];
  const otherwise = ctx.subgraphOutputs('else_branch') ?? [];
  if (then.length !== otherwise.length) ctx.fail(`then_branch has ${then.length} outputs, else_branch has ${otherwise.length}`);
  if (then.length !== ctx.outputCount) ctx.fail(`branches have ${then.length} outputs, the node has ${ctx.outputCount}`);
  return then.map((t, i) => {
    const e = otherwise[i];
    if (t && e && t.dtype !== e.dtype) ctx.fail(`output ${i} is ${t.dtype} in then_branch but ${e.dtype} in else_branch`);
    return join(t, e);
  });
}

function loop(ctx: InferContext): InferResult {
  const body = ctx.subgraphOutputs('body');
  const carried = ctx.node.inputs.length - 2;
  return new Array(ctx.outputCount).fill(0).map((_, k) => {
    if (k < carried) return join(body?.[k + 1], ctx.input(k + 2));
    const scan = body?.[k + 1];
    return scan && { dtype: scan.dtype, shape: scan.shape && [null, ...scan.shape] };
  });
}

export const controlOps: OpTable = {
  If: ifOp,
  Loop: loop,
};
