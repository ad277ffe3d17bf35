// Calibration of values inside If/Loop/Scan bodies: a copy of the model routes them out to main-graph outputs.
import { GraphError } from '../../errors.ts';
import type { Graph, Model, Node, ValueInfo, ValueType } from '../../ir/graph.ts';
import { exposeValues } from '../../ir/expose.ts';
import { makeTensor } from '../../ir/tensor.ts';
import { nameAllocator } from '../../passes/graph-edit.ts';

/** A model copy whose main graph outputs the asked values, and where to read each one. */
export interface RoutedModel {
  model: Model;
  /** Value → the main-graph output holding it. */
  fetch: Map<string, string>;
}

const FLOAT32: ValueType = { kind: 'tensor', dtype: 'float32' };

/**
 * A copy of `model` whose main graph also outputs `names` (float32 values produced anywhere: the main graph or a
 * body). onnxruntime fetches only main-graph values, so a body value leaves through its control-flow node:
 * - If: an extra output of the branch that computes it (through an Identity); the other branch outputs an empty
 *   tensor, so a run that takes that branch contributes nothing to the value's range.
 * - Loop and Scan: an extra scan output of the body: the node stacks the value over the iterations, and the range
 *   covers every iteration (a value whose shape changes between iterations cannot be stacked and fails the run).
 * Nested bodies route level by level. Nothing of `model` is modified (changed graphs are copies).
 */
export function routeOutValues(model: Model, names: readonly string[], types: ReadonlyMap<string, ValueType> = new Map()): RoutedModel {
  const wanted = new Set(names);
  const fresh = nameAllocator(model.graph);
  const main = new Set(model.graph.nodes.flatMap((n) => n.outputs));
  const direct = names.filter((n) => main.has(n));
  const fetch = new Map(direct.map((n) => [n, n] as const));
  const { graph, exposed } = routeGraph(model.graph, wanted, fresh, true);
  const extra: ValueInfo[] = [];
  for (const [value, outer] of exposed) {
    if (fetch.has(value)) continue;
    fetch.set(value, outer);
    extra.push({ name: outer, type: FLOAT32 });
  }
  const missing = names.find((n) => !fetch.has(n));
  if (missing !== undefined) throw new GraphError(`cannot expose '${missing}': no node of graph '${model.graph.name}' or of its bodies produces it`);
  const withDirect = exposeValues({ ...model, graph }, direct, types);
  return { model: { ...withDirect, graph: { ...withDirect.graph, outputs: [...withDirect.graph.outputs, ...extra] } }, fetch };
}

/**
 * Routes the wanted values of `graph`'s bodies out to values of `graph`; in a body (not `isMain`), its inputs and the
 * values it computes are exposed too. Returns the graph (a copy when changed) and value → name in this graph's scope.
 */
function routeGraph(graph: Graph, wanted: ReadonlySet<string>, fresh: (b: string) => string, isMain: boolean): { graph: Graph; exposed: Map<string, string> } {
  const exposed = new Map<string, string>();
  if (!isMain) {
    for (const v of graph.inputs) if (wanted.has(v.name)) exposed.set(v.name, v.name);
    for (const n of graph.nodes) for (const o of n.outputs) if (o && wanted.has(o)) exposed.set(o, o);
  }
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const routed = routeNode(node, wanted, fresh);
    if (!routed) return node;
    changed = true;
    for (const [v, outer] of routed.exposed) exposed.set(v, outer);
    return routed.node;
  });
  return { graph: changed ? { ...graph, nodes } : graph, exposed };
}

/** A copy of a control-flow node with extra outputs carrying its bodies' wanted values, or undefined if none. */
function routeNode(node: Node, wanted: ReadonlySet<string>, fresh: (b: string) => string): { node: Node; exposed: Map<string, string> } | undefined {
  const exposed = new Map<string, string>();
  const attributes = new Map(node.attributes);
  const outputs = [...node.outputs];
  if (node.op === 'If' && node.domain === '') {
    const thenA = node.attributes.get('then_branch'), elseA = node.attributes.get('else_branch');
    if (thenA?.type !== 'graph' || elseA?.type !== 'graph') return undefined;
    const then = withExits(routeGraph(thenA.value, wanted, fresh, false), fresh);
    const otherwise = withExits(routeGraph(elseA.value, wanted, fresh, false), fresh);
    if (!then.exits.length && !otherwise.exits.length) return undefined;
    // Each branch outputs its own values and an empty tensor where the other branch's values go.
    const thenGraph = appendOutputs(then.graph, then.exits.map((e) => e.exit), otherwise.exits.length, fresh);
    const elseGraph = appendOutputs(otherwise.graph, [], then.exits.length, fresh);
    const elseWithOwn = appendOutputs(elseGraph, otherwise.exits.map((e) => e.exit), 0, fresh);
    // then: [own…, empties for else…]; else: [empties for then…, own…].
    attributes.set('then_branch', { type: 'graph', value: thenGraph });
    attributes.set('else_branch', { type: 'graph', value: elseWithOwn });
    for (const e of [...then.exits, ...otherwise.exits]) {
      const outer = fresh(`${e.value}_routed`);
      outputs.push(outer);
      exposed.set(e.value, outer);
    }
  } else if ((node.op === 'Loop' || node.op === 'Scan') && node.domain === '') {
    const body = node.attributes.get('body');
    if (body?.type !== 'graph') return undefined;
    const routed = withExits(routeGraph(body.value, wanted, fresh, false), fresh);
    if (!routed.exits.length) return undefined;
    attributes.set('body', { type: 'graph', value: appendOutputs(routed.graph, routed.exits.map((e) => e.exit), 0, fresh) });
    for (const key of ['scan_output_axes', 'scan_output_directions']) {
      const a = node.attributes.get(key);
      if (node.op === 'Scan' && a?.type === 'ints') attributes.set(key, { type: 'ints', value: [...a.value, ...routed.exits.map(() => 0)] });
    }
    for (const e of routed.exits) {
      const outer = fresh(`${e.value}_routed`);
      outputs.push(outer);
      exposed.set(e.value, outer);
    }
  } else {
    return undefined;
  }
  return { node: { ...node, outputs, attributes }, exposed };
}

/** Gives every exposed value of a body an Identity copy to output (a value may already be a body output). */
function withExits(routed: { graph: Graph; exposed: Map<string, string> }, fresh: (b: string) => string): { graph: Graph; exits: { value: string; exit: string }[] } {
  const exits: { value: string; exit: string }[] = [];
  const added: Node[] = [];
  for (const [value, inner] of routed.exposed) {
    const exit = fresh(`${value}_exit`);
    added.push({ op: 'Identity', domain: '', name: fresh(`${value}_exit_Identity`), inputs: [inner], outputs: [exit], attributes: new Map() });
    exits.push({ value, exit });
  }
  return { graph: added.length ? { ...routed.graph, nodes: [...routed.graph.nodes, ...added] } : routed.graph, exits };
}

/** A copy of `graph` with outputs `names` appended, then `empties` empty float32 outputs (each from a Constant). */
function appendOutputs(graph: Graph, names: string[], empties: number, fresh: (b: string) => string): Graph {
  if (!names.length && !empties) return graph;
  const nodes = [...graph.nodes];
  const outputs: ValueInfo[] = [...graph.outputs, ...names.map((name) => ({ name, type: FLOAT32 }))];
  for (let i = 0; i < empties; i++) {
    const name = fresh('calibration_empty');
    nodes.push({ op: 'Constant', domain: '', name: fresh('calibration_empty_Constant'), inputs: [], outputs: [name], attributes: new Map([['value', { type: 'tensor', value: makeTensor(name, 'float32', [0], new Float32Array(0)) }]]) });
    outputs.push({ name, type: FLOAT32 });
  }
  return { ...graph, nodes, outputs };
}
