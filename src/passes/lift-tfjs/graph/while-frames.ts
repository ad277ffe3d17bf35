// Unrolls TF1 while loops (Enter/Merge/Switch/LoopCond/NextIteration/Exit frames) of `ai.tensorflow` graphs into straight-line nodes.
//
// How the trip count is found: the loop is simulated on what is known before running the model. Each iteration, the
// condition's nodes are instantiated with the current loop-variable values and evaluated by `StaticValues` (a small
// evaluator of the scalar ops conditions are made of: Less, LogicalAnd, AddV2, Shape of a static input, StridedSlice
// of it, Maximum/Minimum, ...), then the body is instantiated once more — counters stay node outputs the evaluator can
// compute. No lifting is needed for this, so a frame is unrolled before any op is lifted, and the per-op lifters see a
// plain DAG. A frame whose condition cannot be evaluated (it depends on a shape that is not static, or on data) or that
// runs more than MAX_TRIPS times is replaced by one `_WhileFrame` node carrying why, which the lift reports.
import { GraphError } from '../../../errors.ts';
import type { Graph, Node } from '../../../ir/graph.ts';
import { attrString } from '../../../ir/graph.ts';
import { consumers as consumersOf } from '../../../ir/toposort.ts';
import { nameAllocator } from '../../graph-edit.ts';
import { LiftRefusal, str, type TfjsLifter } from '../context.ts';
import { StaticValues } from './static-values.ts';

/** Iterations beyond which a loop is not unrolled (TF1 loops in converted models map over the batch). */
export const MAX_TRIPS = 64;

/** The op of the node left in place of a frame that could not be unrolled. */
export const WHILE_FRAME_OP = '_WhileFrame';

/** TF1 control-flow ops that only exist inside a while frame. */
const FRAME_OPS = ['Enter', 'Merge', 'Switch', 'LoopCond', 'NextIteration', 'Exit'];

/** One TF1 while frame: its control-flow nodes and the compute nodes between them. */
interface Frame {
  name: string;
  enters: Node[];
  merges: Node[];
  switches: Node[];
  loopConds: Node[];
  exits: Node[];
  /** Every node of the frame (control flow and compute), in graph order. */
  nodes: Node[];
}

/** A frame that cannot be unrolled. */
class FrameRefusal extends Error {}

/** The while frame a node belongs to (Enter nodes name it in `frame_name`). */
function frameName(node: Node): string {
  return attrString(node, 'frame_name') ?? '';
}

/** Output `index` of a node cloned under `name` (TF naming: `name`, `name:1`, ...). */
function outputName(name: string, index: number): string {
  return index === 0 ? name : `${name}:${index}`;
}

/**
 * The frame `name`: everything reachable from its Enters up to its Exits. Returns undefined when the walk meets the
 * Enter of another frame (a nested loop, unrolled first).
 */
function collectFrame(graph: Graph, name: string, enters: Node[], consumers: Map<string, Node[]>): Frame | undefined {
  const inside = new Set<Node>(enters);
  const stack = [...enters];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.op === 'Exit') continue;
    for (const out of node.outputs) {
      for (const c of consumers.get(out) ?? []) {
        if (inside.has(c)) continue;
        if (c.op === 'Enter' && frameName(c) !== name) return undefined;
        inside.add(c);
        stack.push(c);
      }
    }
  }
  const nodes = graph.nodes.filter((n) => inside.has(n));
  const of = (op: string) => nodes.filter((n) => n.op === op);
  return { name, enters, nodes, loopConds: of('LoopCond'), merges: of('Merge'), switches: of('Switch'), exits: of('Exit') };
}

/**
 * Copies `nodes` with inputs read through `env`, named `<name><suffix>` made unique by `fresh` (no suffix: the original
 * name, for the copy that replaces the node); records the renamed outputs in `env`.
 */
function instantiate(nodes: readonly Node[], env: Map<string, string>, suffix: string, fresh: (base: string) => string): Node[] {
  return nodes.map((n) => {
    const name = suffix ? fresh(`${n.name}${suffix}`) : n.name;
    const copy: Node = { ...n, name, inputs: n.inputs.map((i) => env.get(i) ?? i), outputs: n.outputs.map((o, k) => (o ? outputName(name, k) : o)), attributes: new Map(n.attributes) };
    n.outputs.forEach((o, k) => o && env.set(o, copy.outputs[k]));
    return copy;
  });
}

/** The compute nodes of `frame` that `roots` need, walking back inside the frame, in graph order. */
function neededNodes(frame: Frame, roots: readonly string[]): Node[] {
  const compute = new Map<string, Node>();
  for (const n of frame.nodes) if (!FRAME_OPS.includes(n.op)) for (const o of n.outputs) compute.set(o, n);
  const needed = new Set<Node>();
  const stack = [...roots];
  while (stack.length) {
    const node = compute.get(stack.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputs);
  }
  return frame.nodes.filter((n) => needed.has(n));
}

/** The nodes that replace `frame` (its body once per iteration, one Identity per Exit) and the trip count. */
function unrollFrame(frame: Frame, values: StaticValues, consumers: Map<string, Node[]>, fresh: (base: string) => string): { nodes: Node[]; trips: number } {
  if (frame.loopConds.length !== 1) throw new FrameRefusal(`it has ${frame.loopConds.length} LoopCond nodes (expected 1)`);
  const loopCond = frame.loopConds[0];
  const producer = new Map<string, Node>();
  for (const n of frame.nodes) for (const o of n.outputs) producer.set(o, n);
  const env = new Map<string, string>();
  for (const e of frame.enters) env.set(e.outputs[0], e.inputs[0]);
  // Each Merge joins its Enter's value (first iteration) and its NextIteration's (the others).
  const next = new Map<string, string>();
  for (const m of frame.merges) {
    const from = m.inputs.map((i) => producer.get(i));
    const enter = m.inputs.find((_, k) => from[k]?.op === 'Enter');
    const back = from.find((p) => p?.op === 'NextIteration');
    if (!enter || !back) throw new FrameRefusal(`Merge '${m.name}' is not a loop variable (a tf.cond inside the loop is not unrolled)`);
    if (m.outputs.slice(1).some((o) => o && consumers.has(o))) throw new FrameRefusal(`the value_index of Merge '${m.name}' is read`);
    env.set(m.outputs[0], env.get(enter)!);
    next.set(m.outputs[0], back.inputs[0]);
  }
  for (const s of frame.switches) {
    if (s.inputs[1] !== loopCond.outputs[0]) throw new FrameRefusal(`Switch '${s.name}' is not driven by the loop condition (a tf.cond inside the loop is not unrolled)`);
  }
  const condNodes = neededNodes(frame, [loopCond.inputs[0]]);
  const bodyNodes = neededNodes(frame, [...next.values()]);
  const nodes: Node[] = [];
  let trips = 0;
  for (;; trips++) {
    values.register(instantiate(condNodes, env, `/cond_${trips}`, fresh));
    const condValue = env.get(loopCond.inputs[0]) ?? loopCond.inputs[0];
    const goOn = values.scalar(condValue);
    if (goOn === undefined) throw new FrameRefusal(`its trip count is not known before running the model: ${values.why(condValue)}`);
    if (!goOn) break;
    if (trips >= MAX_TRIPS) throw new FrameRefusal(`it runs more than ${MAX_TRIPS} iterations`);
    for (const s of frame.switches) env.set(outputName(s.name, 1), env.get(s.inputs[0])!);
    const body = instantiate(bodyNodes, env, trips === 0 ? '' : `/unrolled_${trips}`, fresh);
    values.register(body);
    nodes.push(...body);
    const carried = [...next].map(([merge, v]) => [merge, env.get(v) ?? v] as const);
    for (const [merge, value] of carried) env.set(merge, value);
  }
  for (const x of frame.exits) {
    const s = producer.get(x.inputs[0]);
    const final = s?.op === 'Switch' ? env.get(s.inputs[0]) : undefined;
    if (!final) throw new FrameRefusal(`Exit '${x.name}' does not leave through a loop Switch`);
    nodes.push({ op: 'Identity', domain: x.domain, name: x.name, inputs: [final], outputs: [x.outputs[0]], attributes: new Map() });
  }
  return { nodes, trips };
}

/**
 * The node standing for a frame that cannot be unrolled, with the TensorList plumbing around it (the lists it reads
 * and nothing else does, the list ops reading its results) folded in, so the lift reports the loop once: the values
 * these nodes read from outside in, the values read outside out.
 */
function refusedFrame(graph: Graph, frame: Frame, why: string, consumers: Map<string, Node[]>): { node: Node; replaced: Set<Node> } {
  const inside = new Set(frame.nodes);
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const isList = (n: Node | undefined): n is Node => !!n && n.op.startsWith('TensorList') && !inside.has(n);
  for (let grew = true; grew;) {
    grew = false;
    for (const n of [...inside]) {
      const around = [...n.inputs.map((i) => producer.get(i)), ...n.outputs.flatMap((o) => consumers.get(o) ?? [])];
      for (const m of around.filter(isList)) {
        const feedsOnlyFrame = m.outputs.every((o) => (consumers.get(o) ?? []).every((c) => inside.has(c)));
        const readsFrame = m.inputs.some((i) => inside.has(producer.get(i)!));
        if (feedsOnlyFrame || readsFrame) { inside.add(m); grew = true; }
      }
    }
  }
  const made = new Set([...inside].flatMap((n) => n.outputs));
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const inputs = [...new Set([...inside].flatMap((n) => n.inputs).filter((i) => i && !made.has(i)))];
  const outputs = [...made].filter((o) => graphOutputs.has(o) || (consumers.get(o) ?? []).some((c) => !inside.has(c)));
  const node: Node = { op: WHILE_FRAME_OP, domain: frame.enters[0].domain, name: frame.name, inputs, outputs, attributes: new Map([['why', str(why)]]) };
  return { node, replaced: inside };
}

/** What {@link unrollWhileFrames} did. */
export interface WhileUnrollStats {
  unrolled: { frame: string; trips: number }[];
  refused: { frame: string; why: string }[];
}

/**
 * Replaces every TF1 while frame of an `ai.tensorflow` graph by its body repeated once per iteration (innermost frames
 * first), when the trip count is known before running the model (constants, static input shapes); loop-invariant
 * Enters read the outer value, loop variables are chained, Exits become Identities of the final values. A frame that
 * cannot be unrolled becomes one `_WhileFrame` node whose lifter refuses with why. Leaves no cycle in the graph.
 */
export function unrollWhileFrames(graph: Graph): WhileUnrollStats {
  const stats: WhileUnrollStats = { unrolled: [], refused: [] };
  const fresh = nameAllocator(graph);
  for (;;) {
    const byFrame = new Map<string, Node[]>();
    for (const n of graph.nodes) if (n.op === 'Enter') byFrame.set(frameName(n), [...(byFrame.get(frameName(n)) ?? []), n]);
    if (!byFrame.size) return stats;
    const consumers = consumersOf(graph);
    const frame = [...byFrame].map(([name, enters]) => collectFrame(graph, name, enters, consumers)).find((f) => f);
    if (!frame) throw new GraphError(`the TF1 while frames ${[...byFrame.keys()].map((f) => `'${f}'`).join(', ')} nest in a cycle`);
    let replacement: Node[];
    let replaced = new Set(frame.nodes);
    try {
      const { nodes, trips } = unrollFrame(frame, new StaticValues(graph), consumers, fresh);
      replacement = nodes;
      stats.unrolled.push({ frame: frame.name, trips });
    } catch (e) {
      if (!(e instanceof FrameRefusal)) throw e;
      const refused = refusedFrame(graph, frame, e.message, consumers);
      replacement = [refused.node];
      replaced = refused.replaced;
      stats.refused.push({ frame: frame.name, why: e.message });
    }
    const at = graph.nodes.findIndex((n) => replaced.has(n));
    const kept = graph.nodes.filter((n) => !replaced.has(n));
    kept.splice(at, 0, ...replacement);
    graph.nodes = kept;
  }
}

/** Lifter for a frame left in place: refuses with the reason recorded when unrolling failed. */
const refuseFrame: TfjsLifter = (node) => {
  throw new LiftRefusal(`TF1 while loop '${node.name}' cannot be unrolled: ${attrString(node, 'why') ?? 'unknown reason'}`);
};

/** Lifter for a TF1 control-flow node met outside an unrolled frame (the graph-level rewrite did not run or left it). */
const refuseControlFlow: TfjsLifter = (node) => {
  throw new LiftRefusal(`${node.op} of while frame '${frameName(node) || '?'}' is only lifted by unrolling its loop, which did not happen`);
};

/** Lifters of the TF1 control-flow ops (they only ever refuse: frames are unrolled before lifting). */
export const WHILE_FRAME_LIFTERS: ReadonlyArray<readonly [string, TfjsLifter]> = [
  [WHILE_FRAME_OP, refuseFrame],
  ...FRAME_OPS.map((op) => [op, refuseControlFlow] as const),
];

