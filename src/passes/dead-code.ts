// Pass: removes nodes whose outputs reach no graph output, then unused initializers and value info.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { nodeReads, producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';

/** What {@link eliminateDeadCode} removed. */
export interface DeadCodeStats {
  nodes: number;
  initializers: number;
  valueInfo: number;
}

/**
 * Keeps only the nodes needed to compute the graph outputs (walking back from them), then
 * drops initializers nobody reads (unless they double as graph inputs) and value info for
 * values that no longer exist. Graph inputs are part of the interface and always stay.
 */
export function eliminateDeadCode(graph: Graph): DeadCodeStats {
  const producers = producersOf(graph);
  const live = new Set<Node>();
  const needed = new Set<string>();
  const stack = graph.outputs.map((v) => v.name);
  while (stack.length) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const node = producers.get(name);
    if (!node || live.has(node)) continue;
    live.add(node);
    stack.push(...nodeReads(node));
  }
  const nodesBefore = graph.nodes.length;
  graph.nodes = graph.nodes.filter((n) => live.has(n));

  const inputNames = new Set(graph.inputs.map((v) => v.name));
  let initializers = 0;
  for (const name of [...graph.initializers.keys()]) {
    if (!needed.has(name) && !inputNames.has(name)) {
      graph.initializers.delete(name);
      initializers++;
    }
  }
  const exists = new Set<string>([...inputNames, ...graph.initializers.keys(), ...graph.outputs.map((v) => v.name)]);
  for (const n of graph.nodes) for (const o of n.outputs) if (o) exists.add(o);
  let valueInfo = 0;
  for (const name of [...graph.valueInfo.keys()]) {
    if (!exists.has(name)) {
      graph.valueInfo.delete(name);
      valueInfo++;
    }
  }
  return { nodes: nodesBefore - graph.nodes.length, initializers, valueInfo };
}

/** The dead-code pass. */
export const deadCodePass: Pass = {
  name: 'dead-code',
  description: 'Remove nodes that do not contribute to any graph output, and unused initializers and value info.',
  run(model: Model, ctx) {
    const s = eliminateDeadCode(model.graph);
    if (s.nodes || s.initializers) ctx.log(`dead-code: removed ${s.nodes} node(s), ${s.initializers} initializer(s), ${s.valueInfo} value info`);
    return model;
  },
};
