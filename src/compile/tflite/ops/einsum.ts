// Einsum of the matrix-product kind ('bij,bjk->bik', 'bhqd,bhkd->bhqk', …) → one BATCH_MATMUL; the output is a relabelling.
import { attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { emitBatchMatMulOp, matmulOperand } from './matmul.ts';

/** The letters of a two-operand Einsum sorted into batch, rows (M), columns (N) and contracted (K) roles. */
interface Roles {
  lhs: string;
  rhs: string;
  out: string;
  batch: string[];
  m: string;
  n: string;
  k: string;
}

function roles(equation: string): Roles {
  const eq = equation.replace(/\s/g, '');
  const match = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]*)$/.exec(eq);
  if (!match) throw new Unmappable(`einsum '${equation}' is not a two-operand equation with an explicit output (ellipses are not supported)`);
  const [, lhs, rhs, out] = match;
  for (const t of [lhs, rhs, out]) if (new Set(t).size !== t.length) throw new Unmappable(`einsum '${equation}' repeats a letter in one term (a diagonal)`);
  const inL = (c: string) => lhs.includes(c), inR = (c: string) => rhs.includes(c), inO = (c: string) => out.includes(c);
  const batch = [...out].filter((c) => inL(c) && inR(c));
  const ms = [...out].filter((c) => inL(c) && !inR(c));
  const ns = [...out].filter((c) => inR(c) && !inL(c));
  const ks = [...lhs].filter((c) => inR(c) && !inO(c));
  const summed = [...lhs + rhs].filter((c) => !inO(c) && !(inL(c) && inR(c)));
  if (summed.length) throw new Unmappable(`einsum '${equation}' sums letter '${summed[0]}' of one operand only`);
  if (ms.length !== 1 || ns.length !== 1 || ks.length !== 1) {
    throw new Unmappable(`einsum '${equation}' is not a batched matrix product (rows ${ms.join('') || '-'}, columns ${ns.join('') || '-'}, contracted ${ks.join('') || '-'})`);
  }
  const orderedBatch = [...lhs].filter((c) => batch.includes(c));
  if ([...rhs].filter((c) => batch.includes(c)).join('') !== orderedBatch.join('')) throw new Unmappable(`einsum '${equation}' orders the batch letters differently in its operands`);
  return { lhs, rhs, out, batch: orderedBatch, m: ms[0], n: ns[0], k: ks[0] };
}

/** Emits a two-operand Einsum that is a (batched, possibly transposed) matrix product. */
export function emitEinsum(node: Node, ctx: EmitContext): void {
  if (node.inputs.length !== 2) throw new Unmappable(`einsum of ${node.inputs.length} operands`);
  const r = roles(attrString(node, 'equation', ''));
  const axesOf = (term: string, letters: string[]) => letters.map((c) => term.indexOf(c));
  const lhs = matmulOperand(ctx, node.inputs[0], axesOf(r.lhs, [...r.batch, r.m, r.k]));
  const rhs = matmulOperand(ctx, node.inputs[1], axesOf(r.rhs, [...r.batch, r.k, r.n]));
  // BATCH_MATMUL writes [batch…, M, N]; the IR output is the same data with its axes in equation order.
  emitBatchMatMulOp(ctx, node, lhs, rhs, node.outputs[0], axesOf(r.out, [...r.batch, r.m, r.n]));
}
