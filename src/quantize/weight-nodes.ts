// Shared by the weight-rewriting schemes (int8-dynamic, w4): walk the float nodes, and read a MatMul/Gemm's constant weight.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { attrInt } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import type { Tensor } from '../ir/tensor.ts';
import { toposort } from '../ir/toposort.ts';
import { constantOf } from '../passes/graph-edit.ts';
import { computesOnFloat, type ExcludeList } from './exclude.ts';
import type { QuantizeReport } from './report.ts';

/**
 * Calls `rewrite` on every node of the main graph that computes on float (in topological order), except excluded
 * ones. A returned string is the reason the node stays float; anything else is its replacement. Fills the report
 * (quantized with `detail`, or float with the reason) and returns the replacements by node.
 */
export function rewriteFloatNodes<R>(model: Model, exclude: ExcludeList, report: QuantizeReport, detail: string, rewrite: (node: Node) => R | string): Map<Node, R> {
  const types = inferTypes(model, { tolerant: true });
  const replaced = new Map<Node, R>();
  for (const node of toposort(model.graph)) {
    if (!computesOnFloat(node, types)) continue;
    if (exclude.matches(node)) {
      report.float.push({ node: node.name, op: node.op, detail: 'excluded by the user' });
      continue;
    }
    const result = rewrite(node);
    if (typeof result === 'string') {
      report.float.push({ node: node.name, op: node.op, detail: result });
      continue;
    }
    replaced.set(node, result);
    report.quantized.push({ node: node.name, op: node.op, detail });
  }
  return replaced;
}

/** The constant weight of a MatMul (B [K, N]) or Gemm (B [K, N], or [N, K] with transB), or why there is none. */
export interface MatMulWeight {
  weight: Tensor;
  transB: boolean;
  k: number;
  n: number;
}

/** Reads a MatMul/Gemm's 2-D float32 constant weight; a string says why it cannot be quantized. */
export function matMulWeight(graph: Graph, node: Node): MatMulWeight | string {
  const gemm = node.op === 'Gemm';
  const weight = constantOf(graph, node.inputs[1]);
  if (!weight || weight.dtype !== 'float32' || weight.dims.length !== 2) return 'weight is not a 2-D float32 constant';
  if (gemm && attrInt(node, 'transA', 0)) return 'Gemm with transA is not supported';
  const transB = gemm && attrInt(node, 'transB', 0) === 1;
  const [k, n] = transB ? [weight.dims[1], weight.dims[0]] : weight.dims;
  return { weight, transB, k, n };
}
