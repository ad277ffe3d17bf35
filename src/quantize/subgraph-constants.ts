// Before quantizing control flow: move outer-scope constants into the one body that reads them, then fold constants there.
import type { Graph, Model } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { outerReferences } from '../ir/toposort.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { foldConstants } from '../passes/fold-constants.ts';
import { constantOf } from '../passes/graph-edit.ts';
import { ortEvaluator } from '../runtimes/ort-node-evaluator.ts';
import { definesValue, graphAsModel, scopedGraphs, type ScopedGraph } from './subgraphs.ts';

/** What {@link prepareSubgraphConstants} did. */
export interface SubgraphConstantsOutcome {
  /** Outer-scope constants moved into the body that reads them. */
  moved: number;
  /** Nodes inside bodies folded into constants (e.g. PyTorch's gate reordering of LSTM weights: Slice/Concat/Unsqueeze). */
  folded: number;
}

/**
 * A body that reads an initializer of an enclosing graph (PyTorch exports weights that way) cannot quantize it where it
 * is consumed: the quantizers see only the body's own constants. Every outer-scope constant read by exactly one body
 * (and its nested bodies) and by nothing else moves into that body under the same name; then, with `fold`, nodes
 * computable from constants inside bodies are folded. The float function is unchanged. A constant several bodies
 * share stays where it is (moving it would duplicate it) and its readers stay float.
 */
export async function prepareSubgraphConstants(model: Model, fold: boolean): Promise<SubgraphConstantsOutcome> {
  const outcome: SubgraphConstantsOutcome = { moved: 0, folded: 0 };
  for (const scoped of scopedGraphs(model)) {
    if (!scoped.owner) continue;
    outcome.moved += moveExclusiveConstants(model, scoped);
    if (fold) outcome.folded += (await foldConstants(graphAsModel(model, scoped.graph), { evaluate: ortEvaluator })).folded;
  }
  if (outcome.moved || outcome.folded) for (const { graph } of scopedGraphs(model)) eliminateDeadCode(graph);
  return outcome;
}

/** Moves into `scoped.graph` the enclosing scopes' constants that only it (or bodies inside it) read. */
function moveExclusiveConstants(model: Model, scoped: ScopedGraph): number {
  const all = scopedGraphs(model);
  let moved = 0;
  for (const name of outerReferences(scoped.graph)) {
    const home = definingGraph(scoped.parents, name);
    const tensor = home && constantOf(home, name);
    if (!home || !tensor || scoped.graph.initializers.has(name)) continue;
    const readers = all.filter((s) => readsDirectly(s.graph, name));
    if (!readers.every((s) => s.graph === scoped.graph || s.parents.includes(scoped.graph))) continue;
    home.initializers.delete(name);
    scoped.graph.initializers.set(name, tensor as Tensor);
    moved++;
  }
  return moved;
}

/** The innermost enclosing graph that defines `name` (input, initializer or node output). */
function definingGraph(parents: Graph[], name: string): Graph | undefined {
  for (let i = parents.length - 1; i >= 0; i--) if (definesValue(parents[i], name)) return parents[i];
  return undefined;
}

/** True if a node of `graph` (not of its bodies) reads `name`, or the graph outputs it. */
function readsDirectly(graph: Graph, name: string): boolean {
  return graph.nodes.some((n) => n.inputs.includes(name)) || graph.outputs.some((v) => v.name === name);
}
