// Static quantizers for activations: Relu/Clip after a quantized producer, and ops with integer kernels.
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

/**
 * Relu / Clip: quantized only after a quantized producer. Their output range starts at the clamp,
 * so onnxruntime removes the op and runs the producer with a fused clamp (no QDQ in between).
 */
const clamp: OpQuantizer = (node, m) => {
  if (!m.isQuantized(node.inputs[0])) return 'input is not quantized';
  m.activation(node.outputs[0]);
  return true;
};

/** Unary ops with integer kernels (QLinearLeakyRelu, QLinearSigmoid): input and output. */
const unary: OpQuantizer = (node, m) => {
  if (!m.isFloat(node.inputs[0])) return 'input is not a float32 tensor';
  m.activation(node.inputs[0]);
  m.activation(node.outputs[0]);
  return true;
};

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = { Relu: clamp, Clip: clamp, LeakyRelu: unary, Sigmoid: unary };
