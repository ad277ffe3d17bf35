// Static quantizers for ops that only move values (reshape, transpose, resize): output shares the input's params; Concat.
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

/** Moves values without changing them: quantized only if the input is, with the input's scale and zero point. */
const direct: OpQuantizer = (node, m) => {
  if (!m.isQuantized(node.inputs[0])) return 'input is not quantized';
  m.shareParams(node.outputs[0], node.inputs[0]);
  return true;
};

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = {
  Reshape: direct,
  Flatten: direct,
  Transpose: direct,
  Squeeze: direct,
  Unsqueeze: direct,
  Resize: direct,
  /** Concat: every float input and the output get their own params (QLinearConcat requantizes). */
  Concat(node, m) {
    if (!node.inputs.every((v) => m.isFloat(v))) return 'inputs are not float32 tensors';
    node.inputs.forEach((v) => m.activation(v));
    m.activation(node.outputs[0]);
    return true;
  },
};
