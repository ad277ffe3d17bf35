// ONNX If left in the graph (its condition did not fold): explains which inputs to fix so fold-if can inline a branch.
import type { Node } from '../../../ir/graph.ts';
import { dynamicIfReason, inputsBehind } from '../../../passes/fold-if.ts';
import { Unmappable, type EmitContext } from '../context.ts';

/** Always Unmappable: names the model inputs the condition depends on and the `--input-value` that folds it. */
export function emitIf(node: Node, ctx: EmitContext): void {
  throw new Unmappable(dynamicIfReason({ node, inputs: inputsBehind(ctx.graph, node.inputs[0]) }));
}
