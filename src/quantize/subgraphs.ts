// The graphs a quantizer walks: the main graph and every If/Loop/Scan body, each with a label for the report.
import type { Graph, Model, Node } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { constantOf } from '../passes/graph-edit.ts';

/** A graph of the model and where it sits. */
export interface ScopedGraph {
  graph: Graph;
  /** '' for the main graph; e.g. `If '/If' then_branch` (nested: `Loop 'l' body › If 'i' else_branch`). */
  scope: string;
  /** The control-flow node holding it (undefined for the main graph). */
  owner?: Node;
  /** The attribute holding it (then_branch, else_branch, body). */
  attribute?: string;
  /** The graphs enclosing it, outermost first (the main graph first). */
  parents: Graph[];
}

/** The main graph, then every subgraph (depth first, in node order). */
export function scopedGraphs(model: Model): ScopedGraph[] {
  const out: ScopedGraph[] = [];
  const visit = (graph: Graph, scope: string, parents: Graph[], owner?: Node, attribute?: string) => {
    out.push({ graph, scope, parents, ...(owner ? { owner, attribute } : {}) });
    for (const node of graph.nodes) {
      for (const [name, a] of node.attributes) {
        const bodies = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
        bodies.forEach((body, i) => {
          const label = `${node.op} '${node.name}' ${name}${bodies.length > 1 ? `[${i}]` : ''}`;
          visit(body, scope ? `${scope} › ${label}` : label, [...parents, graph], node, name);
        });
      }
    }
  };
  visit(model.graph, '', []);
  return out;
}

/** True if any node of the model holds a subgraph. */
export function hasSubgraphs(model: Model): boolean {
  return scopedGraphs(model).length > 1;
}

/** A lone graph seen as a model (same opsets and functions), for helpers that take a Model. */
export function graphAsModel(model: Model, graph: Graph): Model {
  return { ...model, graph };
}

/** True if `graph` itself defines `name` (an input, an initializer or a node output). */
export function definesValue(graph: Graph, name: string): boolean {
  return graph.initializers.has(name) || graph.inputs.some((v) => v.name === name) || graph.nodes.some((n) => n.outputs.includes(name));
}

/**
 * For a body: the constant an outer-scope name refers to, looked up from the innermost enclosing graph out (the first
 * graph defining the name decides: a node output or graph input there is not a constant). undefined for the main graph.
 */
export function outerConstants(scoped: ScopedGraph): ((name: string) => Tensor | undefined) | undefined {
  if (!scoped.owner) return undefined;
  return (name) => {
    for (let i = scoped.parents.length - 1; i >= 0; i--) {
      const g = scoped.parents[i];
      if (definesValue(g, name)) return constantOf(g, name);
    }
    return undefined;
  };
}
