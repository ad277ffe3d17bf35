// MatMul of two activations (attention) → BATCH_MATMUL; an operand stored with its last two axes swapped is read through adj_x/adj_y.
import type { Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, type Perm } from '../layout.ts';
import { emitFullyConnected } from './gemm.ts';

/** One BATCH_MATMUL operand: the tensor and whether its stored matrix is the transpose of the wanted one. */
interface Operand {
  index: number;
  adjoint: boolean;
}

/**
 * The tensor holding `name` as a stack of matrices whose rows are IR axis `want[r-2]` and columns `want[r-1]`,
 * batch axes in `want` order. An activation already stored so — or with rows and columns swapped — is read as it is.
 */
export function matmulOperand(ctx: EmitContext, name: string, want: Perm): Operand {
  const r = want.length;
  if (!ctx.isConst(name)) {
    const { perm, columns } = ctx.emitted(name);
    const batchOk = !columns && want.slice(0, r - 2).every((a, i) => perm[i] === a);
    if (batchOk && perm[r - 2] === want[r - 2] && perm[r - 1] === want[r - 1]) return { index: ctx.input(name), adjoint: false };
    if (batchOk && perm[r - 2] === want[r - 1] && perm[r - 1] === want[r - 2]) return { index: ctx.input(name), adjoint: true };
  }
  return { index: ctx.input(name, want), adjoint: false };
}

/** Emits BATCH_MATMUL of two prepared operands into IR value `out` stored under `outPerm`. */
export function emitBatchMatMulOp(ctx: EmitContext, node: Node, lhs: Operand, rhs: Operand, out: string, outPerm: Perm): void {
  const y = ctx.define(out, outPerm);
  ctx.draft.op('BATCH_MATMUL', [lhs.index, rhs.index], [y], node.name, { table: 'BatchMatMulOptions', values: { adj_x: lhs.adjoint, adj_y: rhs.adjoint } });
}

/** Emits MatMul: FULLY_CONNECTED for constant 2-D weights, else BATCH_MATMUL (batch dims broadcast as numpy does). */
export function emitMatMul(node: Node, ctx: EmitContext): void {
  const [a, b] = node.inputs;
  const bt = ctx.constant(b);
  if (bt && bt.dims.length === 2 && !ctx.isConst(a)) {
    emitFullyConnected(node, ctx);
    return;
  }
  const ra = ctx.shape(a).length;
  const rb = ctx.shape(b).length;
  if (ra < 2 || rb < 2) throw new Unmappable(`MatMul of a ${Math.min(ra, rb)}-D operand with a computed right operand`);
  if (Math.max(ra, rb) > 5) throw new Unmappable(`MatMul of rank ${Math.max(ra, rb)} (TFLite BATCH_MATMUL takes rank ≤ 5)`);
  const lhs = matmulOperand(ctx, a, identity(ra));
  const rhs = matmulOperand(ctx, b, identity(rb));
  emitBatchMatMulOp(ctx, node, lhs, rhs, node.outputs[0], identity(ctx.shape(node.outputs[0]).length));
}
