// Static quantizers for pooling: MaxPool reuses its input's scale; average pools get their own output range.
import type { OpQuantizerTable } from './registry.ts';

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = {
  MaxPool(node, m) {
    if (node.outputs[1]) return 'the indices output is used';
    if (!m.isQuantized(node.inputs[0])) return 'input is not quantized';
    m.shareParams(node.outputs[0], node.inputs[0]);
    return true;
  },
  AveragePool(node, m) {
    if (!m.isFloat(node.inputs[0])) return 'input is not a float32 tensor';
    m.activation(node.inputs[0]);
    m.activation(node.outputs[0]);
    return true;
  },
  GlobalAveragePool(node, m) {
    if (!m.isFloat(node.inputs[0])) return 'input is not a float32 tensor';
    m.activation(node.inputs[0]);
    m.activation(node.outputs[0]);
    return true;
  },
};
