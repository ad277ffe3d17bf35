// Pass: unrolls every Loop with a constant trip count (up to a limit) whose body never stops early, into plain nodes.
import type { Graph, Model, Node } from '../ir/graph.ts';
import type { NodeEvaluator } from '../ir/node-evaluator.ts';
import { makeTensor, tensorValues } from '../ir/tensor.ts';
import { foldConstants } from './fold-constants.ts';
import { constantOf, nameAllocator, opsetOf } from './graph-edit.ts';
import { identityNode, inlineGraph } from './inline-graph.ts';
import type { Pass } from './pass.ts';

/** Options of {@link unrollLoops}. */
export interface UnrollLoopOptions {
  /** Loops running more iterations than this stay (default 64). */
  maxTrips?: number;
  /** Evaluator for ops fold-constants has no TypeScript kernel for (trip counts often come from Shape arithmetic). */
  evaluate?: NodeEvaluator;
}

/** A Loop left in place and why. */
export interface KeptLoop {
  node: Node;
  why: string;
}

/** What {@link unrollLoops} did. */
export interface UnrollLoopStats {
  unrolled: number;
  kept: KeptLoop[];
}

/** True when a scalar constant (in `graph`) is true/non-zero. */
function constantTrue(graph: Graph, name: string): boolean {
  const t = constantOf(graph, name);
  const v = t && (tensorValues(t) as ArrayLike<number | bigint | boolean>);
  return !!v && v.length === 1 && !!v[0];
}

/** True when the body's condition output is always true: the incoming condition passed through, or a constant true. */
function neverStops(body: Graph, outerCondTrue: boolean): boolean {
  let name = body.outputs[0]?.name ?? '';
  const made = new Map(body.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (let node = made.get(name); node?.op === 'Identity'; node = made.get(name)) name = node.inputs[0];
  const constNode = made.get(name);
  if (constNode?.op === 'Constant') {
    const a = constNode.attributes.get('value');
    const v = a?.type === 'tensor' ? (tensorValues(a.value) as ArrayLike<number | bigint | boolean>) : undefined;
    return !!v && v.length === 1 && !!v[0];
  }
  return constantTrue(body, name) || (name === body.inputs[1]?.name && outerCondTrue);
}

/** Why a Loop cannot be unrolled, or its trip count. */
function tripCount(graph: Graph, node: Node, maxTrips: number): number | string {
  const [m, cond] = node.inputs;
  if (!m) return 'no trip count (a while loop)';
  const t = constantOf(graph, m);
  if (!t) return `trip count '${m}' is computed at run time`;
  const trips = Number((tensorValues(t) as ArrayLike<number | bigint>)[0]);
  if (trips < 1) return `trip count ${trips}`;
  if (trips > maxTrips) return `${trips} iterations (more than ${maxTrips})`;
  const condTrue = !cond || constantTrue(graph, cond);
  if (!condTrue) return `condition '${cond}' is not constant true`;
  const body = node.attributes.get('body');
  if (body?.type !== 'graph') return 'no body';
  if (!neverStops(body.value, condTrue)) return 'the body may stop early (its condition output is computed)';
  return trips;
}

/** Replaces `node` by `trips` copies of its body chained through the carried values; scan outputs stacked on a new axis 0. */
function unroll(model: Model, node: Node, trips: number, fresh: (base: string) => string): void {
  const graph = model.graph;
  const body = (node.attributes.get('body') as { type: 'graph'; value: Graph }).value;
  const carriedCount = node.inputs.length - 2;
  let carried = node.inputs.slice(2);
  const scans: string[][] = body.outputs.slice(1 + carriedCount).map(() => []);
  const nodes: Node[] = [];
  const trueName = fresh(`${node.name || 'Loop'}/cond`);
  graph.initializers.set(trueName, makeTensor(trueName, 'bool', [], Uint8Array.of(1)));
  for (let i = 0; i < trips; i++) {
    const iter = fresh(`${node.name || 'Loop'}/iter${i}`);
    graph.initializers.set(iter, makeTensor(iter, 'int64', [], BigInt64Array.of(BigInt(i))));
    const bindings = new Map<string, string>([[body.inputs[0].name, iter], [body.inputs[1].name, trueName]]);
    body.inputs.slice(2).forEach((v, j) => bindings.set(v.name, carried[j]));
    const step = inlineGraph(graph, body, bindings, fresh);
    nodes.push(...step.nodes);
    carried = step.outputs.slice(1, 1 + carriedCount);
    step.outputs.slice(1 + carriedCount).forEach((s, k) => scans[k].push(s));
  }
  node.outputs.slice(0, carriedCount).forEach((out, j) => {
    if (out) nodes.push(identityNode(fresh(`${node.name || 'Loop'}/out${j}`), carried[j], out));
  });
  const opset = opsetOf(model.opsets) ?? 1;
  const axes = fresh(`${node.name || 'Loop'}/axis0`);
  if (opset >= 13) graph.initializers.set(axes, makeTensor(axes, 'int64', [1], BigInt64Array.of(0n)));
  node.outputs.slice(carriedCount).forEach((out, k) => {
    if (!out) return;
    const rows = scans[k].map((s) => {
      const row = fresh(`${s}/row`);
      nodes.push({ op: 'Unsqueeze', domain: '', name: fresh(`${row}/unsqueeze`), inputs: opset >= 13 ? [s, axes] : [s], outputs: [row], attributes: opset >= 13 ? new Map() : new Map([['axes', { type: 'ints', value: [0] }]]) });
      return row;
    });
    nodes.push({ op: 'Concat', domain: '', name: fresh(`${out}/stack`), inputs: rows, outputs: [out], attributes: new Map([['axis', { type: 'int', value: 0 }]]) });
  });
  graph.nodes.splice(graph.nodes.indexOf(node), 1, ...nodes);
}

/**
 * Folds constants, then unrolls every Loop of the main graph with a constant trip count ≤ `maxTrips` whose condition
 * is (and stays) true, repeating so loops exposed by an unrolled body unroll too. Loops left in place are listed with why.
 */
export async function unrollLoops(model: Model, options: UnrollLoopOptions = {}): Promise<UnrollLoopStats> {
  const maxTrips = options.maxTrips ?? 64;
  const stats: UnrollLoopStats = { unrolled: 0, kept: [] };
  const isLoop = (n: Node) => n.op === 'Loop' && (n.domain === '' || n.domain === 'ai.onnx');
  if (!model.graph.nodes.some(isLoop)) return stats;
  for (;;) {
    await foldConstants(model, options.evaluate ? { evaluate: options.evaluate } : {});
    const fresh = nameAllocator(model.graph);
    let unrolled = 0;
    for (const node of model.graph.nodes.filter(isLoop)) {
      const trips = tripCount(model.graph, node, maxTrips);
      if (typeof trips !== 'number') continue;
      unroll(model, node, trips, fresh);
      unrolled++;
    }
    stats.unrolled += unrolled;
    if (!unrolled) break;
  }
  for (const node of model.graph.nodes.filter(isLoop)) stats.kept.push({ node, why: String(tripCount(model.graph, node, maxTrips)) });
  return stats;
}

/** The unroll-loop pass. */
export function unrollLoopPass(options: UnrollLoopOptions = {}): Pass {
  return {
    name: 'unroll-loop',
    description: 'Unroll Loops with a small constant trip count that never stop early into plain nodes.',
    async run(model, ctx) {
      const s = await unrollLoops(model, options);
      if (s.unrolled) ctx.log(`unroll-loop: unrolled ${s.unrolled} Loop(s)`);
      for (const k of s.kept) ctx.log(`unroll-loop: kept Loop '${k.node.name}': ${k.why}`);
      return model;
    },
  };
}
