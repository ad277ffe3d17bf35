// Ops that only move values (Reshape, MaxPool, …) running on quantized tensors: the DequantizeLinear after them moves before them.
import type { Node } from '../../ir/graph.ts';
import { elementCount } from '../../ir/tensor.ts';
import { producers as producersOf } from '../../ir/toposort.ts';
import type { DequantizeContext } from './context.ts';
import { isQdq } from './fold-weights.ts';

/** Ops whose output elements are input elements, so `DQ(op(x_q)) = op(DQ(x_q))` under a per-tensor scale. */
const MOVERS: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool', 'Identity', 'Expand', 'Slice', 'Gather', 'DepthToSpace', 'SpaceToDepth']);

/**
 * Rewrites `op(x_q) → DequantizeLinear` into `DequantizeLinear(x_q) → op` for per-tensor DQs after value-moving ops
 * (as QDQ quantizers and onnxruntime leave MaxPool or Reshape on int8 data), repeatedly, so that the DQ meets the
 * QuantizeLinear before it. The op on integers stays while something else reads it. Returns how many moved.
 */
export function hoistDequantizeOverMovers(ctx: DequantizeContext): number {
  let moved = 0;
  for (;;) {
    const producers = producersOf(ctx.graph);
    const replaced = new Map<Node, Node[]>();
    for (const dq of ctx.graph.nodes) {
      if (!isQdq(dq, 'DequantizeLinear')) continue;
      const mover = producers.get(dq.inputs[0]);
      const scale = ctx.constant(dq.inputs[1]);
      if (!mover || mover.domain !== '' || !MOVERS.has(mover.op) || mover.outputs.filter(Boolean).length !== 1 || !scale || elementCount(scale.dims) !== 1) continue;
      const floatIn = ctx.fresh(`${mover.inputs[0]}_dequantized`);
      const earlier: Node = { ...dq, name: ctx.fresh(dq.name || 'DequantizeLinear'), inputs: [mover.inputs[0], ...dq.inputs.slice(1)], outputs: [floatIn], attributes: new Map(dq.attributes) };
      const floatMover: Node = { ...mover, name: ctx.fresh(mover.name || mover.op), inputs: [floatIn, ...mover.inputs.slice(1)], outputs: [dq.outputs[0]], attributes: new Map(mover.attributes) };
      replaced.set(dq, [earlier, floatMover]);
    }
    if (!replaced.size) return moved;
    moved += replaced.size;
    ctx.graph.nodes = ctx.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
  }
}
