// Gelu (ONNX opset 20, com.microsoft Gelu / FastGelu) → GELU; a bare Erf has no TFLite op and is refused.
import { attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';

/** Emits GELU (exact, or the tanh approximation for approximate='tanh' and FastGelu) in the input's layout. */
export function emitGelu(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  if (node.inputs[1]) throw new Unmappable('FastGelu with a bias input (fold it into an Add first)');
  const approximate = node.op === 'FastGelu' || attrString(node, 'approximate', 'none') === 'tanh';
  const { perm } = ctx.emitted(x);
  const input = ctx.input(x);
  ctx.draft.op('GELU', [input], [ctx.define(node.outputs[0], perm)], node.name, { table: 'GeluOptions', values: { approximate } });
}

/** Erf alone: TFLite has no ERF; Gelu written with Erf is fused into one Gelu node before emission. */
export function emitErf(): void {
  throw new Unmappable('TFLite has no ERF op (a Gelu written as x·(1 + erf(x/√2))/2 is mapped to GELU once fused into a Gelu node)');
}
