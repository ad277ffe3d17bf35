// Inference for matrix products: Gemm, MatMul (numpy matmul semantics with batch broadcasting), explicit-output Einsum.
import { broadcastShapes, conflictingDims, formatShape, type InferContext, type OpTable, type TensorInfo } from './common.ts';
import type { Dim } from '../graph.ts';

/** Output shape of numpy-style matmul (also used by MatMulInteger, QLinearMatMul, MatMulNBits). */
export function matmulShape(ctx: InferContext, a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): Dim[] | undefined {
  if (!a || !b) return undefined;
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul inputs must not be scalars');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (conflictingDims(k1, k2)) ctx.fail(`inner dimensions differ: ${formatShape(a)} × ${formatShape(b)} (${k1} vs ${k2})`);
  const batch = broadcastShapes(ctx, a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch];
  if (a.length !== 1) out.push(a2[a2.length - 2]);
  if (b.length !== 1) out.push(b2[b2.length - 1]);
  return out;
}

function gemm(ctx: InferContext): (TensorInfo | undefined)[] {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (!a) return [undefined];
  if (!a.shape || !b?.shape) return [{ dtype: a.dtype, shape: [null, null] }];
  if (a.shape.length !== 2 || b.shape.length !== 2) ctx.fail(`Gemm needs 2-D inputs, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const [m, ka] = ctx.attrInt('transA', 0) ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, n] = ctx.attrInt('transB', 0) ? [b.shape[1], b.shape[0]] : b.shape;
  if (conflictingDims(ka, kb)) ctx.fail(`inner dimensions differ: A ${formatShape(a.shape)} and B ${formatShape(b.shape)} give K ${ka} vs ${kb}`);
  const c = ctx.input(2);
  if (c?.shape) broadcastShapes(ctx, [m, n], c.shape); // C must broadcast to [M, N]
  return [{ dtype: a.dtype, shape: [m, n] }];
}

/** Output shape of an explicit-output Einsum ('ij,jk->ik'): each output letter takes its size from the inputs. */
function einsumShape(ctx: InferContext, shapes: (readonly Dim[] | undefined)[]): Dim[] | undefined {
  const equation = ctx.attrString('equation', '').replace(/\s/g, '');
  const arrow = equation.indexOf('->');
  if (arrow < 0 || equation.includes('.') || shapes.some((s) => !s)) return undefined;
  const terms = equation.slice(0, arrow).split(',');
  if (terms.length !== shapes.length) ctx.fail(`equation '${equation}' has ${terms.length} operand(s) for ${shapes.length} input(s)`);
  const size = new Map<string, Dim>();
  terms.forEach((t, i) => {
    if (t.length !== shapes[i]!.length) ctx.fail(`operand ${i} '${t}' has rank ${t.length} but the input has shape ${formatShape(shapes[i]!)}`);
    [...t].forEach((c, j) => { const d = shapes[i]![j]; if (!size.has(c) || size.get(c) === 1) size.set(c, d); });
  });
  return [...equation.slice(arrow + 2)].map((c) => size.get(c) ?? ctx.fail(`output letter '${c}' is not in any operand`));
}

/** Shape rules of the matrix-product ops. */
export const gemmOps: OpTable = {
  Einsum: (ctx) => {
    const a = ctx.input(0);
    const shapes = Array.from({ length: ctx.node.inputs.length }, (_, i) => ctx.input(i)?.shape);
    return [a && { dtype: a.dtype, shape: einsumShape(ctx, shapes) }];
  },
  Gemm: gemm,
  MatMul: (ctx) => {
    const a = ctx.input(0);
    return [a && { dtype: a.dtype, shape: matmulShape(ctx, a.shape, ctx.input(1)?.shape) }];
  },
};
