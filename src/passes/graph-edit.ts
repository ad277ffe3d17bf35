// Small graph-editing helpers shared by the passes: uses, constants, renaming, fresh names.
import type { Dim, Graph, Model, Node, ValueInfo } from '../ir/graph.ts';
import { attrInt, subgraphsOf } from '../ir/graph.ts';
import { inferModel } from '../ir/infer.ts';
import type { Tensor } from '../ir/tensor.ts';
import { outerReferences } from '../ir/toposort.ts';

/** One use of a value: a node input slot, or (slot -1) an implicit reference from inside a node's subgraph. */
export interface Use {
  node: Node;
  slot: number;
}

/** Every use of every value in `graph`, keyed by value name (implicit subgraph reads included). */
export function usesOf(graph: Graph): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  const add = (name: string, use: Use) => {
    if (!name) return;
    const list = uses.get(name);
    if (list) list.push(use); else uses.set(name, [use]);
  };
  for (const node of graph.nodes) {
    node.inputs.forEach((name, slot) => add(name, { node, slot }));
    for (const g of subgraphsOf(node)) for (const name of outerReferences(g)) add(name, { node, slot: -1 });
  }
  return uses;
}

/** Names of the graph outputs. */
export function graphOutputNames(graph: Graph): Set<string> {
  return new Set(graph.outputs.map((v) => v.name));
}

/** The constant tensor behind a value: an initializer that is not overridable as a graph input. */
export function constantOf(graph: Graph, name: string): Tensor | undefined {
  if (!name) return undefined;
  const t = graph.initializers.get(name);
  if (!t || graph.inputs.some((v) => v.name === name)) return undefined;
  return t;
}

/** The known type info of a value (graph input/output or annotated intermediate), if any. */
export function valueInfoOf(graph: Graph, name: string): ValueInfo | undefined {
  return graph.valueInfo.get(name) ?? graph.inputs.find((v) => v.name === name) ?? graph.outputs.find((v) => v.name === name);
}

/** The shape of a value when known (from an initializer or type info), else undefined. */
export function shapeOf(graph: Graph, name: string): Dim[] | undefined {
  const t = graph.initializers.get(name);
  if (t && !graph.inputs.some((v) => v.name === name)) return [...t.dims];
  const type = valueInfoOf(graph, name)?.type;
  return type?.kind === 'tensor' ? type.shape : undefined;
}

/**
 * A lookup of value shapes: declared ones first, else inferred (tolerantly) from the model.
 * Computed once when made; rewrites after that are not reflected.
 */
export function shapeResolver(model: Model): (name: string) => Dim[] | undefined {
  let inferred: Map<string, import('../ir/graph.ts').ValueType> | undefined;
  return (name) => {
    const declared = shapeOf(model.graph, name);
    if (declared && declared.every((d) => typeof d === 'number')) return declared;
    try {
      inferred ??= inferModel(model, { tolerant: true }).types;
    } catch {
      inferred = new Map();
    }
    const t = inferred.get(name);
    return t?.kind === 'tensor' && t.shape ? t.shape : declared;
  };
}

/** Rewrites reads of `from` into reads of `to` in node inputs, subgraphs (unless shadowed) and graph outputs. */
export function replaceUses(graph: Graph, from: string, to: string, includeOutputs = true): void {
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((n) => (n === from ? to : n));
    for (const g of subgraphsOf(node)) if (outerReferences(g).has(from)) replaceUses(g, from, to, true);
  }
  if (includeOutputs) for (const v of graph.outputs) if (v.name === from) v.name = to;
}

/** Renames a value everywhere: its producer's output, its uses, graph outputs and value info. */
export function renameValue(graph: Graph, from: string, to: string): void {
  for (const node of graph.nodes) node.outputs = node.outputs.map((n) => (n === from ? to : n));
  replaceUses(graph, from, to, true);
  const info = graph.valueInfo.get(from);
  if (info) {
    graph.valueInfo.delete(from);
    graph.valueInfo.set(to, { ...info, name: to });
  }
}

/** A generator of names not yet used by any value, node or initializer of the graph (subgraphs included). */
export function nameAllocator(graph: Graph): (base: string) => string {
  const taken = new Set<string>();
  const collect = (g: Graph) => {
    for (const v of [...g.inputs, ...g.outputs]) taken.add(v.name);
    for (const k of g.initializers.keys()) taken.add(k);
    for (const k of g.valueInfo.keys()) taken.add(k);
    for (const n of g.nodes) {
      taken.add(n.name);
      n.inputs.forEach((x) => taken.add(x));
      n.outputs.forEach((x) => taken.add(x));
      subgraphsOf(n).forEach(collect);
    }
  };
  collect(graph);
  return (base: string) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
}

/** Gives every unnamed node a unique name (`<op>_<n>`), so analyses can refer to nodes by name. */
export function nameUnnamedNodes(graph: Graph): void {
  const fresh = nameAllocator(graph);
  for (const n of graph.nodes) if (!n.name) n.name = fresh(n.op);
}

/** Removes the given nodes, keeping the order of the rest. */
export function removeNodes(graph: Graph, doomed: ReadonlySet<Node>): void {
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
}

/** Count of nodes per op type, for reports and tests. */
export function countOps(graph: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return counts;
}

/** Opset version the model imports for a domain ('' = default ONNX domain), or undefined. */
export function opsetOf(opsets: readonly { domain: string; version: number }[], domain = ''): number | undefined {
  return opsets.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === domain)?.version;
}

/** A conv whose output feeds an elementwise node together with a per-output-channel constant. */
export interface ConvChannelConstant {
  conv: Node;
  /** The conv output the elementwise node reads. */
  convOutput: string;
  weight: Tensor;
  constant: Tensor;
  channels: number;
}

/**
 * Matches `Conv|ConvTranspose(x, W, …) → node(·, c)` (either input order): `c` a constant that varies only along
 * the output channels (scalar, [C], [1, C, 1, 1]), `W` a float32/float64 constant of c's dtype, and the conv result
 * read by nothing else and not a graph output. `convOps` limits the producer ops.
 */
export function matchConvChannelConstant(
  graph: Graph,
  node: Node,
  convOps: readonly string[],
  ctx: { outputs: ReadonlySet<string>; uses: ReadonlyMap<string, readonly Use[]>; producers: ReadonlyMap<string, Node> },
): ConvChannelConstant | undefined {
  if (node.domain !== '' || node.inputs.length !== 2) return undefined;
  const side = node.inputs.findIndex((n) => convOps.includes(ctx.producers.get(n)?.op ?? ''));
  if (side < 0) return undefined;
  const convOutput = node.inputs[side];
  const conv = ctx.producers.get(convOutput)!;
  const weight = constantOf(graph, conv.inputs[1]);
  const constant = constantOf(graph, node.inputs[1 - side]);
  if (conv.domain !== '' || ctx.outputs.has(convOutput) || ctx.uses.get(convOutput)?.length !== 1 || !weight || !constant) return undefined;
  if ((weight.dtype !== 'float32' && weight.dtype !== 'float64') || constant.dtype !== weight.dtype) return undefined;
  const rank = weight.dims.length;
  const channels = conv.op === 'ConvTranspose' ? weight.dims[1] * attrInt(conv, 'group', 1) : weight.dims[0];
  const padded = [...new Array(Math.max(0, rank - constant.dims.length)).fill(1), ...constant.dims];
  if (padded.length !== rank || padded.some((d, i) => d !== 1 && !(i === 1 && d === channels))) return undefined;
  return { conv, convOutput, weight, constant, channels };
}
