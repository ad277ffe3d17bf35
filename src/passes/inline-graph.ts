// Copies a subgraph's nodes into an outer graph: its inputs bound to outer values, everything it defines freshly named.
import { subgraphsOf, type Graph, type Node } from '../ir/graph.ts';
import { definedValues } from '../ir/toposort.ts';

/** Renames the values a nested graph reads from outside itself (deeper subgraphs included). */
export function renameOuterReads(graph: Graph, rename: ReadonlyMap<string, string>): void {
  const own = definedValues(graph);
  const map = new Map([...rename].filter(([from]) => !own.has(from)));
  if (!map.size) return;
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((n) => map.get(n) ?? n);
    for (const g of subgraphsOf(node)) renameOuterReads(g, map);
  }
  for (const o of graph.outputs) o.name = map.get(o.name) ?? o.name;
}

/**
 * The nodes of `body` ready to go into `outer`: body inputs become the outer values in `bindings`, every other value the
 * body defines (initializers moved into `outer` too) gets a name from `fresh`, nested subgraphs read the new names.
 * Returns the nodes (not yet inserted) and the outer names of the body's outputs.
 */
export function inlineGraph(outer: Graph, body: Graph, bindings: ReadonlyMap<string, string>, fresh: (base: string) => string): { nodes: Node[]; outputs: string[] } {
  const rename = new Map<string, string>();
  for (const name of definedValues(body)) rename.set(name, bindings.get(name) ?? fresh(name));
  const to = (n: string) => (n ? rename.get(n) ?? n : n);
  for (const [name, t] of body.initializers) if (!bindings.has(name)) outer.initializers.set(to(name), { ...t, name: to(name) });
  const nodes = body.nodes.map((n) => {
    const copy: Node = { ...n, name: n.name ? fresh(n.name) : n.name, inputs: n.inputs.map(to), outputs: n.outputs.map(to), attributes: new Map(n.attributes) };
    for (const g of subgraphsOf(copy)) renameOuterReads(g, rename);
    return copy;
  });
  return { nodes, outputs: body.outputs.map((o) => to(o.name)) };
}

/** An Identity node handing `from` over as `to`. */
export function identityNode(name: string, from: string, to: string): Node {
  return { op: 'Identity', domain: '', name, inputs: [from], outputs: [to], attributes: new Map() };
}
