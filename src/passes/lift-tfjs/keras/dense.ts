// Keras Dense (on inputs of any rank: the last axis is contracted) as ONNX Gemm or MatMul + Add.
import type { TfjsLifter } from '../context.ts';
import { applyActivation } from './activation.ts';
import { configOf, onlyInput, requireWeight, weightOf } from './common.ts';

/** Dense: x·kernel (+ bias), then the activation; rank 2 is one Gemm, higher ranks MatMul over the last axis. */
export const liftDense: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const kernel = requireWeight(node, 'kernel');
  const bias = weightOf(node, 'bias');
  const linear = c.activation === undefined || c.activation === null || c.activation === 'linear';
  const out = linear ? node.outputs[0] : undefined;
  const y = ctx.rank(x) === 2
    ? ctx.emit('Gemm', [x, kernel, ...(bias ? [bias] : [])], {}, out)
    : bias ? ctx.emit('Add', [ctx.emit('MatMul', [x, kernel]), bias], {}, out) : ctx.emit('MatMul', [x, kernel], {}, out);
  if (!linear) applyActivation(ctx, c.activation, y, -1, node.outputs[0]);
};
