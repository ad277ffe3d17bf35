// Groups a QDQ graph into node units the way the QNN EP does: DQ inputs → op → Q outputs, plus what ORT folds first.
import type { Graph, Node } from '../../ir/graph.ts';
import { consumers, producers } from '../../ir/toposort.ts';

/** How a compute node sits among Q/DQ nodes. */
export interface NodeUnit {
  node: Node;
  /** DQ nodes feeding its inputs (weights included). */
  dqs: Node[];
  /** Q nodes consuming its outputs. */
  qs: Node[];
  /** Every non-constant data input comes from a DQ and every output goes only to Q nodes: a quantized unit. */
  grouped: boolean;
  /** Some inputs come from DQ but an output is not quantized (a float graph output, or a float consumer). */
  floatOutput: boolean;
}

/** The grouping of a graph: units by compute node, Q/DQ nodes by the unit they belong to, and ORT-folded nodes. */
export interface Grouping {
  units: Map<Node, NodeUnit>;
  ownerOf: Map<Node, NodeUnit>;
  /** Nodes whose inputs are all constant (ORT folds them before the EP sees the graph); DQ is never folded. */
  folded: Set<Node>;
  /** Constant values: initializers, Constant outputs and outputs of folded nodes. */
  constants: Set<string>;
}

const isQ = (n: Node | undefined): boolean => n?.op === 'QuantizeLinear';
const isDQ = (n: Node | undefined): boolean => n?.op === 'DequantizeLinear';

/**
 * Groups `graph`'s nodes (`ordered`: toposorted) into QDQ node units. `isFloat` tells which values are float: only
 * those must come from a DQ (integer inputs such as Gather indices stay as they are, like the EP's selectors).
 */
export function groupNodeUnits(graph: Graph, ordered: Node[], isFloat: (value: string) => boolean = () => true): Grouping {
  const constants = new Set<string>(graph.initializers.keys());
  const folded = new Set<Node>();
  for (const n of ordered) {
    if (isDQ(n) || isQ(n)) continue;
    const ins = n.inputs.filter(Boolean);
    if (n.op === 'Constant' || (ins.length > 0 && ins.every((i) => constants.has(i)))) {
      folded.add(n);
      for (const o of n.outputs) if (o) constants.add(o);
    }
  }
  const made = producers(graph);
  const used = consumers(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const units = new Map<Node, NodeUnit>();
  const ownerOf = new Map<Node, NodeUnit>();
  for (const n of ordered) {
    if (isDQ(n) || isQ(n) || folded.has(n)) continue;
    const dqs: Node[] = [];
    let dataInputs = 0;
    let fromDq = 0;
    for (const i of n.inputs) {
      if (!i) continue;
      const p = made.get(i);
      if (isDQ(p)) { dqs.push(p!); fromDq++; dataInputs++; continue; }
      if (!constants.has(i) && isFloat(i)) dataInputs++;
    }
    const qs: Node[] = [];
    let outputsQuantized = n.outputs.some(Boolean);
    for (const o of n.outputs) {
      if (!o) continue;
      const cs = used.get(o) ?? [];
      if (graphOutputs.has(o) || cs.length === 0 || !cs.every(isQ)) outputsQuantized = false;
      qs.push(...cs.filter(isQ));
    }
    const grouped = fromDq > 0 && fromDq === dataInputs && outputsQuantized;
    const unit: NodeUnit = { node: n, dqs, qs, grouped, floatOutput: fromDq > 0 && !outputsQuantized };
    units.set(n, unit);
    if (grouped) for (const qdq of [...dqs, ...qs]) if (!ownerOf.has(qdq)) ownerOf.set(qdq, unit);
  }
  // DQs feeding an ungrouped node go with it (a weight DQ alone on the NPU would feed a CPU node a float weight).
  for (const unit of units.values()) if (!unit.grouped) for (const dq of unit.dqs) if (!ownerOf.has(dq)) ownerOf.set(dq, unit);
  return { units, ownerOf, folded, constants };
}
