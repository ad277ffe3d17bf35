// Shared by the weight-rewriting schemes (int8-dynamic, w4): walk the float nodes, and read a MatMul/Gemm's constant weight.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { attrInt, subgraphsOf } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import type { Tensor } from '../ir/tensor.ts';
import { toposort } from '../ir/toposort.ts';
import { constantOf, nameAllocator } from '../passes/graph-edit.ts';
import { computesOnFloat, type ExcludeList } from './exclude.ts';
import type { QuantizeReport } from './report.ts';
import { definesValue, outerConstants, scopedGraphs } from './subgraphs.ts';

/**
 * Calls `rewrite` on every node that computes on float, in the main graph and in every If/Loop/Scan body (in
 * topological order per graph), except excluded ones and the control-flow nodes themselves. A returned string is the
 * reason the node stays float; anything else is its replacement. Fills the report (quantized with `detail`, or float
 * with the reason, each with its body's scope) and returns the replacements by node; {@link applyReplacements} puts them in.
 */
export function rewriteFloatNodes<R>(model: Model, exclude: ExcludeList, report: QuantizeReport, detail: string | ((node: Node) => string), rewrite: (node: Node, graph: Graph) => R | string): Map<Node, R> {
  const types = inferTypes(model, { tolerant: true });
  const replaced = new Map<Node, R>();
  const fresh = nameAllocator(model.graph);
  for (const scoped of scopedGraphs(model)) {
    const where = scoped.owner ? { scope: scoped.scope } : {};
    for (const node of toposort(scoped.graph)) {
      if (!computesOnFloat(node, types)) continue;
      if (exclude.matches(node)) {
        report.float.push({ node: node.name, op: node.op, detail: 'excluded by the user', ...where });
        continue;
      }
      const undo = scoped.owner ? localizeOuterConstants(node, scoped.graph, outerConstants(scoped)!, fresh) : () => {};
      const result = subgraphsOf(node).length ? 'control flow: the node itself stays float; its bodies are quantized on their own' : rewrite(node, scoped.graph);
      if (typeof result === 'string') {
        undo();
        report.float.push({ node: node.name, op: node.op, detail: result, ...where });
        continue;
      }
      replaced.set(node, result);
      report.quantized.push({ node: node.name, op: node.op, detail: typeof detail === 'string' ? detail : detail(node), ...where });
    }
  }
  return replaced;
}

/**
 * A body node reading a constant of an enclosing graph (a weight several bodies share, so it was not moved into one)
 * gets a local copy of it, so the rewrite can quantize it where it is consumed; the copy is dropped as dead code once
 * the quantized node no longer reads it. Returns what undoes the copies (when the node stays float).
 */
function localizeOuterConstants(node: Node, graph: Graph, outer: (name: string) => Tensor | undefined, fresh: (base: string) => string): () => void {
  const before = [...node.inputs];
  const copies: string[] = [];
  node.inputs = node.inputs.map((v) => {
    const t = v && !constantOf(graph, v) && !definesValue(graph, v) ? outer(v) : undefined;
    if (!t) return v;
    const copy = fresh(`${v}_local`);
    graph.initializers.set(copy, { ...t, name: copy });
    copies.push(copy);
    return copy;
  });
  return () => {
    node.inputs = before;
    for (const c of copies) graph.initializers.delete(c);
  };
}

/** Puts the replacements of {@link rewriteFloatNodes} into every graph of the model (a node → one node or several). */
export function applyReplacements(model: Model, replaced: ReadonlyMap<Node, Node | Node[]>): void {
  for (const { graph } of scopedGraphs(model)) {
    if (!graph.nodes.some((n) => replaced.has(n))) continue;
    graph.nodes = graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
    graph.nodes = toposort(graph);
  }
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
