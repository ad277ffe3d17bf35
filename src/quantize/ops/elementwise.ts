// Static quantizers for binary elementwise ops with integer kernels in onnxruntime (QLinearAdd, QLinearMul).
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

/** Both inputs (activations, or constants quantized from their own range) and the output. */
const binary: OpQuantizer = (node, m) => {
  const [a, b] = node.inputs;
  if (!m.isFloat(a) || !m.isFloat(b)) return 'inputs are not float32 tensors';
  m.activation(a);
  m.activation(b);
  m.activation(node.outputs[0]);
  return true;
};

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = { Add: binary, Mul: binary };
