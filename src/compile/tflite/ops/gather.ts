// Gather along any (remapped) axis → GATHER; GatherND (batch_dims 0) → GATHER_ND over IR-ordered data.
import { attrInt, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, type Perm } from '../layout.ts';

/** Emits Gather with (constant or computed) indices; constant negative indices are wrapped at compile time. */
export function emitGather(node: Node, ctx: EmitContext): void {
  const [data, idx] = node.inputs;
  const shape = ctx.shape(data);
  const rank = shape.length;
  let axis = attrInt(node, 'axis', 0);
  if (axis < 0) axis += rank;
  const idxRank = ctx.shape(idx).length;
  let perm: Perm = ctx.isConst(data) ? identity(rank) : ctx.emitted(data).perm;
  if (idxRank > 1) perm = identity(rank);
  const params = ctx.input(data, perm);
  const indices = ctx.isConst(idx)
    ? ctx.draft.int32(`${idx}`, ctx.constInts(idx, 'indices').map((i) => (i < 0 ? i + shape[axis] : i)), ctx.shape(idx))
    : ctx.input(idx);
  const remaining = perm.filter((a) => a !== axis).map((a) => (a > axis ? a - 1 : a));
  const outPerm = idxRank === 0 ? remaining : idxRank === 1 ? perm : identity(rank - 1 + idxRank);
  const out = ctx.define(node.outputs[0], outPerm);
  ctx.draft.op('GATHER', [params, indices], [out], node.name, { table: 'GatherOptions', values: { axis: perm.indexOf(axis), batch_dims: 0 } });
}

/** Emits GatherND (batch_dims 0): indices index the leading IR axes, so data is read in IR order. */
export function emitGatherND(node: Node, ctx: EmitContext): void {
  const [data, idx] = node.inputs;
  if (attrInt(node, 'batch_dims', 0) !== 0) throw new Unmappable('GatherND with batch_dims > 0');
  const shape = ctx.shape(data);
  const idxShape = ctx.shape(idx);
  const depth = idxShape[idxShape.length - 1];
  const indices = ctx.isConst(idx)
    ? ctx.draft.int32(`${idx}`, ctx.constInts(idx, 'indices').map((v, i) => (v < 0 ? v + shape[i % depth] : v)), idxShape)
    : ctx.input(idx, identity(idxShape.length));
  const params = ctx.input(data, identity(shape.length));
  const out = ctx.define(node.outputs[0], identity(ctx.shape(node.outputs[0]).length));
  ctx.draft.op('GATHER_ND', [params, indices], [out], node.name, { table: 'GatherNdOptions', values: {} });
}
