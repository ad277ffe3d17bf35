// Keras Embedding as ONNX Gather of the embeddings' rows (float indices truncated to integers, as TF.js casts them).
import type { TfjsLifter } from '../context.ts';
import { onlyInput, requireWeight } from './common.ts';

/** Embedding: rows of the [input_dim, output_dim] table picked by the (integer-valued) input. */
export const liftEmbedding: TfjsLifter = (node, ctx) => {
  const x = onlyInput(node);
  const indices = ctx.dtype(x)?.startsWith('int') ? x : ctx.emit('Cast', [x], { to: { type: 'int', value: 6 } });
  ctx.emit('Gather', [requireWeight(node, 'embeddings'), indices], { axis: { type: 'int', value: 0 } }, node.outputs[0]);
};
