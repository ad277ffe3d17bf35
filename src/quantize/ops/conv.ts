// Static quantizers for Conv and ConvTranspose: activation in/out, per-channel int8 weights, int32 bias.
import { attrInt } from '../../ir/graph.ts';
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

/** Conv weights are [M, C/group, k…]: channels on axis 0. ConvTranspose weights are [C, M/group, k…]: axis 1 (group 1 only). */
function convQuantizer(channelAxis: (group: number) => number | undefined): OpQuantizer {
  return (node, m) => {
    const [x, w, b] = node.inputs;
    if (!m.isFloat(x)) return 'input is not a float32 tensor';
    if (!m.floatConstant(w)) return 'weight is not a float32 constant';
    m.activation(x);
    m.weight(node, 1, channelAxis(attrInt(node, 'group', 1)));
    if (b && m.floatConstant(b)) m.bias(node, 2, 0, 1);
    m.activation(node.outputs[0]);
    return true;
  };
}

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = {
  Conv: convQuantizer(() => 0),
  ConvTranspose: convQuantizer((group) => (group === 1 ? 1 : undefined)),
};
