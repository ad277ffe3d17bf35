// Static quantizers for LayerNormalization and InstanceNormalization on the QNN target: activation in/out, the scale as an
// int8 weight (per tensor), the bias as int32 at input × scale-weight scale — every input of the HTP node unit quantized.
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

const normalization: OpQuantizer = (node, m) => {
  const [x, scale, bias] = node.inputs;
  if (!m.isFloat(x)) return 'input is not a float32 tensor';
  if (!m.floatConstant(scale)) return 'scale is not a float32 constant';
  if (bias && !m.floatConstant(bias)) return 'bias is not a float32 constant';
  if (node.outputs.slice(1).some((o) => o)) return 'mean / inverse standard deviation outputs are not quantized';
  m.activation(x);
  m.weight(node, 1, undefined);
  if (bias) m.bias(node, 2, 0, 1);
  m.activation(node.outputs[0]);
  return true;
};

/**
 * Quantizers of this family, for the QNN target only: onnxruntime's CPU has no integer kernel for them (the onnx target
 * keeps them float), while the QNN EP's HTP node unit wants every input behind a DequantizeLinear, as onnxruntime's QDQ
 * quantizer (QDQNormalization) writes them.
 */
export const QNN_OP_QUANTIZERS: OpQuantizerTable = { LayerNormalization: normalization, InstanceNormalization: normalization };
