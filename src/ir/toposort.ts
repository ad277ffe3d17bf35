// Execution order of a graph's nodes (Kahn's algorithm, stable w.r.t. file order) and producer/consumer maps.
import { GraphError } from '../errors.ts';
import { subgraphsOf, type Graph, type Node } from './graph.ts';

/** A readable handle for a node in messages: its name, or `Op#index` when unnamed. */
export function nodeLabel(node: Node, index?: number): string {
  if (node.name) return node.name;
  return index === undefined ? `${node.op} -> ${node.outputs.join(',')}` : `${node.op}#${index}`;
}

/** Values a graph defines itself: its inputs, initializers and node outputs. */
export function definedValues(graph: Graph): Set<string> {
  const defined = new Set<string>();
  for (const v of graph.inputs) defined.add(v.name);
  for (const name of graph.initializers.keys()) defined.add(name);
  for (const t of graph.sparseInitializers) defined.add(t.values.name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o) defined.add(o);
  return defined;
}

/**
 * Names a (sub)graph reads without defining them: references to the enclosing scopes,
 * including those made by subgraphs nested deeper.
 */
export function outerReferences(graph: Graph): Set<string> {
  const defined = definedValues(graph);
  const outer = new Set<string>();
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) if (!defined.has(name)) outer.add(name);
  }
  for (const o of graph.outputs) if (!defined.has(o.name)) outer.add(o.name);
  return outer;
}

/** Every value a node reads: its (non-empty) inputs plus the outer-scope values its subgraphs read. */
export function nodeReads(node: Node): string[] {
  const reads = node.inputs.filter((i) => i !== '');
  for (const g of subgraphsOf(node)) for (const name of outerReferences(g)) reads.push(name);
  return [...new Set(reads)];
}

/** The node producing each value (the first one in file order when several claim it). */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of graph.nodes) {
    for (const o of node.outputs) if (o && !map.has(o)) map.set(o, node);
  }
  return map;
}

/** The nodes reading each value, directly or through a subgraph, in file order. */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const name of nodeReads(node)) {
      const list = map.get(name);
      if (list) list.push(node);
      else map.set(name, [node]);
    }
  }
  return map;
}

/** A binary min-heap of node indices (keeps the order stable w.r.t. file order). */
class IndexHeap {
  private items: number[] = [];
  get size(): number { return this.items.length; }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * True for the back edge of a TF1 while loop as read from a TensorFlow graph (NextIteration → Merge, domain
 * `ai.tensorflow`): TensorFlow schedules a Merge when any input is ready, so the edge orders nothing and the loop is
 * no cycle (the TF.js lift unrolls such loops).
 */
function isLoopBackEdge(producer: Node, consumer: Node): boolean {
  return consumer.op === 'Merge' && producer.op === 'NextIteration' && consumer.domain === 'ai.tensorflow' && producer.domain === 'ai.tensorflow';
}

/** How many nodes of a cycle an error names. */
const MAX_CYCLE_SHOWN = 4;

/**
 * The graph's nodes in an execution order: every node after the producers of the values it reads
 * (including outer-scope values read by its subgraphs). Among ready nodes, file order wins, so an
 * already sorted graph keeps its order. Throws a GraphError naming a node on a cycle.
 */
export function toposort(graph: Graph): Node[] {
  const nodes = graph.nodes;
  const producerIndex = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && !producerIndex.has(o) && producerIndex.set(o, i)));
  const pending = new Array<number>(nodes.length).fill(0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    const deps = new Set<number>();
    for (const name of nodeReads(node)) {
      const p = producerIndex.get(name);
      if (p !== undefined && !isLoopBackEdge(nodes[p], node)) deps.add(p);
    }
    for (const p of deps) dependents[p].push(i);
    pending[i] = deps.size;
  });
  const ready = new IndexHeap();
  pending.forEach((count, i) => count === 0 && ready.push(i));
  const order: Node[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(nodes[i]);
    for (const d of dependents[i]) if (--pending[d] === 0) ready.push(d);
  }
  if (order.length < nodes.length) {
    const cycle = findCycle(nodes, dependents, pending);
    const names = cycle.map((i) => nodeLabel(nodes[i], i));
    // A long cycle of long names (a TF graph's scopes) is shown by its first nodes and its length, so the error stays one short line.
    const path = names.length <= MAX_CYCLE_SHOWN ? [...names, names[0]].join(' -> ') : `${names.slice(0, MAX_CYCLE_SHOWN).join(' -> ')} -> … (${names.length} nodes)`;
    throw new GraphError(`is on a cycle: ${path}`, { node: names[0] });
  }
  return order;
}

/** One cycle among the nodes Kahn's algorithm could not schedule (as node indices, in edge order). */
function findCycle(nodes: Node[], dependents: number[][], pending: number[]): number[] {
  const stuck = (i: number) => pending[i] > 0;
  const state = new Array<number>(nodes.length).fill(0); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const visit = (start: number): number[] | undefined => {
    // Iterative DFS along dependent edges restricted to stuck nodes.
    const iters: number[] = [];
    stack.push(start); iters.push(0); state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const next = dependents[top][iters[iters.length - 1]++];
      if (next === undefined) { state[top] = 2; stack.pop(); iters.pop(); continue; }
      if (!stuck(next)) continue;
      if (state[next] === 1) return stack.slice(stack.indexOf(next));
      if (state[next] === 0) { state[next] = 1; stack.push(next); iters.push(0); }
    }
    return undefined;
  };
  for (let i = 0; i < nodes.length; i++) {
    if (stuck(i) && state[i] === 0) {
      const cycle = visit(i);
      if (cycle) return cycle;
    }
  }
  return nodes.map((_, i) => i).filter(stuck); // unreachable in practice
}
