// Static quantizers for LSTM, GRU and RNN: int8 weights (W, R) behind DequantizeLinear; the recurrence stays float.
import type { OpQuantizer, OpQuantizerTable } from './registry.ts';

/** Ops whose static quantization is weights-only (no Q/DQ on their activations), and what the report says of them. */
export const WEIGHT_ONLY_OPS: Readonly<Record<string, string>> = {
  LSTM: 'int8 W and R (per-channel on the gate axis), dequantized on load; inputs, gates and the h/c state stay float32 (onnxruntime has no integer LSTM for QDQ)',
  GRU: 'int8 W and R (per-channel on the gate axis), dequantized on load; inputs, gates and the h state stay float32 (onnxruntime has no integer GRU)',
  RNN: 'int8 W and R (per-channel on the hidden axis), dequantized on load; inputs and the h state stay float32 (onnxruntime has no integer RNN)',
};

/**
 * W [directions, gates×hidden, input] and R [directions, gates×hidden, hidden] become int8 with a scale per row (axis 1:
 * one per gate unit) when per-channel is on. B, the sequence and the state stay float: quantizing the state would feed
 * rounding error back into every step, and no onnxruntime kernel would run the recurrence in integers anyway.
 */
const weightsOnly: OpQuantizer = (node, m) => {
  const [x, w, r] = node.inputs;
  if (!m.isFloat(x)) return 'input is not a float32 tensor';
  if (!m.floatConstant(w) || !m.floatConstant(r)) return 'W or R is not a float32 constant';
  m.weight(node, 1, 1);
  m.weight(node, 2, 1);
  return true;
};

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = { LSTM: weightsOnly, GRU: weightsOnly, RNN: weightsOnly };
