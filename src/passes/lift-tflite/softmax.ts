// Lifts TFLite SOFTMAX (beta ≠ 1 as a Mul before it).
import { attrFloat } from '../../ir/graph.ts';
import { int } from './context.ts';
import type { Lifter } from './lifter.ts';

/** SOFTMAX over the last axis; beta ≠ 1 scales the logits first. */
export const liftSoftmax: Lifter = (node, ctx) => {
  const beta = attrFloat(node, 'beta', 1);
  const x = beta === 1 ? node.inputs[0] : ctx.emit('Mul', [node.inputs[0], ctx.scalar('beta', beta)]);
  ctx.emit('Softmax', [x], { axis: int(-1) }, node.outputs[0]);
};
