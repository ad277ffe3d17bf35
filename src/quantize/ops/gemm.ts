// Static quantizers for Gemm and MatMul: constant weights per channel (axis by layout), activations, int32 bias.
import { attrFloat, attrInt } from '../../ir/graph.ts';
import type { Graph } from '../../ir/graph.ts';
import type { OpQuantizerTable } from './registry.ts';

/** True if `value` is a graph output that no node reads. */
function isOnlyGraphOutput(graph: Graph, value: string): boolean {
  return graph.outputs.some((v) => v.name === value) && !graph.nodes.some((n) => n.inputs.includes(value));
}

/** Quantizers of this family. */
export const OP_QUANTIZERS: OpQuantizerTable = {
  /** Gemm: B is [K, N] (axis 1) or, with transB, [N, K] (axis 0); C becomes int32 when it is a [N] constant and alpha = beta = 1. */
  Gemm(node, m) {
    const [a, b, c] = node.inputs;
    if (!m.isFloat(a) || !m.isFloat(b)) return 'inputs are not float32 tensors';
    m.activation(a);
    const weight = m.floatConstant(b);
    if (weight) m.weight(node, 1, weight.dims.length === 2 ? (attrInt(node, 'transB', 0) ? 0 : 1) : undefined);
    else m.activation(b);
    const bias = c ? m.floatConstant(c) : undefined;
    const n = weight?.dims[attrInt(node, 'transB', 0) ? 0 : 1];
    if (weight && bias && bias.dims.length === 1 && bias.dims[0] === n && attrFloat(node, 'alpha', 1) === 1 && attrFloat(node, 'beta', 1) === 1) {
      m.bias(node, 2, 0, 1);
    }
    // A graph output is read as float: onnxruntime's QGemm can write float directly, so no Q/DQ (and no rounding) there.
    if (!isOnlyGraphOutput(m.graph, node.outputs[0])) m.activation(node.outputs[0]);
    return true;
  },
  /** MatMul: a constant B [.., K, N] is quantized per column (last axis); two activations are both quantized. */
  MatMul(node, m) {
    const [a, b] = node.inputs;
    if (!m.isFloat(a) || !m.isFloat(b)) return 'inputs are not float32 tensors';
    for (const [slot, name] of [[0, a], [1, b]] as const) {
      const weight = m.floatConstant(name);
      if (weight) m.weight(node, slot, slot === 1 && weight.dims.length >= 2 ? weight.dims.length - 1 : undefined);
      else m.activation(name);
    }
    m.activation(node.outputs[0]);
    return true;
  },
};
