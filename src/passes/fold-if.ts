// Pass: fixes chosen inputs to given values, folds constants, and inlines every If whose condition became constant.
import { UsageError } from '../errors.ts';
import type { Graph, Model, Node } from '../ir/graph.ts';
import type { InputValues } from '../ir/input-values.ts';
import type { NodeEvaluator } from '../ir/node-evaluator.ts';
import { tensorValues, type Tensor } from '../ir/tensor.ts';
import { nodeReads, producers } from '../ir/toposort.ts';
import { foldConstants } from './fold-constants.ts';
import { constantOf, nameAllocator } from './graph-edit.ts';
import { identityNode, inlineGraph } from './inline-graph.ts';
import type { Pass } from './pass.ts';

/** Options of {@link foldIf}. */
export interface FoldIfOptions {
  /** Inputs to replace by constants (e.g. `sr` → 16000), so conditions computed from them fold. */
  inputValues?: InputValues;
  /** Evaluator for ops fold-constants has no TypeScript kernel for. */
  evaluate?: NodeEvaluator;
}

/** An If whose condition stays computed at run time, and the model inputs it is computed from. */
export interface DynamicIf {
  node: Node;
  inputs: string[];
}

/** What {@link foldIf} did. */
export interface FoldIfStats {
  /** Inputs replaced by their given values. */
  substituted: string[];
  /** If nodes replaced by their taken branch. */
  inlined: number;
  /** If nodes left in place because their condition is not constant. */
  dynamic: DynamicIf[];
}

/** Turns graph input `name` into an initializer holding `value`, after checking dtype and static dims. */
function substituteInput(graph: Graph, name: string, value: Tensor): void {
  const index = graph.inputs.findIndex((v) => v.name === name);
  if (index < 0) throw new UsageError(`input value given for '${name}', which is not a model input (inputs: ${graph.inputs.map((v) => v.name).join(', ')})`);
  const type = graph.inputs[index].type;
  if (type.kind !== 'tensor') throw new UsageError(`input '${name}' is a ${type.kind}; only tensor inputs take a fixed value`);
  if (type.dtype !== value.dtype) throw new UsageError(`input '${name}' is ${type.dtype}, the value given is ${value.dtype}`);
  const declared = type.shape;
  if (declared && (declared.length !== value.dims.length || declared.some((d, i) => typeof d === 'number' && d !== value.dims[i]))) {
    throw new UsageError(`input '${name}' has shape [${declared.map((d) => d ?? '?').join(',')}], the value given has [${value.dims.join(',')}]`);
  }
  graph.inputs.splice(index, 1);
  graph.initializers.set(name, { ...value, name });
}

/** Model inputs a value is computed from (walking producers and the outer values their subgraphs read). */
export function inputsBehind(graph: Graph, value: string): string[] {
  const inputNames = new Set(graph.inputs.map((v) => v.name));
  const made = producers(graph);
  const seen = new Set<string>();
  const found = new Set<string>();
  const stack = [value];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (inputNames.has(name) && !graph.initializers.has(name)) found.add(name);
    const node = made.get(name);
    if (node) stack.push(...nodeReads(node));
  }
  return [...found].sort();
}

/** Why an If cannot be folded, as one line: the inputs its condition depends on and the option that fixes them. */
export function dynamicIfReason(dyn: DynamicIf): string {
  if (!dyn.inputs.length) return `If condition '${dyn.node.inputs[0]}' is computed at run time and could not be folded`;
  const names = dyn.inputs.map((n) => `'${n}'`).join(', ');
  const hint = dyn.inputs.map((n) => `--input-value ${n}=…`).join(' ');
  return `If condition depends on input${dyn.inputs.length > 1 ? 's' : ''} ${names}; give ${hint} to fold it`;
}

/**
 * Replaces `node` (an If) in `graph` by the nodes of `branch` (values renamed, initializers moved out, see inlineGraph)
 * and one Identity per If output handing the branch result over (eliminate-identity removes them).
 */
function inlineBranch(graph: Graph, node: Node, branch: Graph, fresh: (base: string) => string): void {
  if (branch.outputs.length !== node.outputs.length) throw new UsageError(`If '${node.name}': a branch has ${branch.outputs.length} outputs for ${node.outputs.length} If outputs`);
  const { nodes, outputs } = inlineGraph(graph, branch, new Map(), fresh);
  node.outputs.forEach((out, i) => {
    if (out) nodes.push(identityNode(fresh(`${node.name || 'If'}/out${i}`), outputs[i], out));
  });
  graph.nodes.splice(graph.nodes.indexOf(node), 1, ...nodes);
}

/** The branch an If takes for a constant condition, or undefined when the condition is not constant. */
function takenBranch(graph: Graph, node: Node): Graph | undefined {
  const cond = constantOf(graph, node.inputs[0]);
  if (!cond) return undefined;
  const values = tensorValues(cond) as ArrayLike<number | bigint | boolean>;
  if (values.length !== 1) throw new UsageError(`If '${node.name}': condition '${node.inputs[0]}' has ${values.length} elements, not one`);
  const attr = node.attributes.get(values[0] ? 'then_branch' : 'else_branch');
  return attr?.type === 'graph' ? attr.value : undefined;
}

/**
 * Substitutes `inputValues` for their inputs, then alternates fold-constants with inlining every If of the main graph
 * whose condition is constant, until none is left to inline (so Ifs nested in a taken branch fold too).
 * @throws UsageError for a value naming no input or not matching its input's dtype/shape.
 */
export async function foldIf(model: Model, options: FoldIfOptions = {}): Promise<FoldIfStats> {
  const graph = model.graph;
  const stats: FoldIfStats = { substituted: [], inlined: 0, dynamic: [] };
  for (const [name, value] of options.inputValues ?? []) {
    substituteInput(graph, name, value);
    stats.substituted.push(name);
  }
  const hasIf = () => graph.nodes.some((n) => n.op === 'If' && (n.domain === '' || n.domain === 'ai.onnx'));
  if (!hasIf() && !stats.substituted.length) return stats;
  for (;;) {
    await foldConstants(model, options.evaluate ? { evaluate: options.evaluate } : {});
    const fresh = nameAllocator(graph);
    let inlined = 0;
    for (const node of [...graph.nodes]) {
      if (node.op !== 'If' || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
      const branch = takenBranch(graph, node);
      if (!branch) continue;
      inlineBranch(graph, node, branch, fresh);
      inlined++;
    }
    stats.inlined += inlined;
    if (!inlined) break;
  }
  for (const node of graph.nodes) {
    if (node.op === 'If' && (node.domain === '' || node.domain === 'ai.onnx')) stats.dynamic.push({ node, inputs: inputsBehind(graph, node.inputs[0]) });
  }
  return stats;
}

/** The fold-if pass (no input values: folds Ifs whose condition is already constant). */
export function foldIfPass(options: FoldIfOptions = {}): Pass {
  return {
    name: 'fold-if',
    description: 'Fix given inputs to constants, fold constants and inline every If whose condition becomes constant.',
    async run(model, ctx) {
      const s = await foldIf(model, options);
      if (s.substituted.length) ctx.log(`fold-if: inputs ${s.substituted.join(', ')} fixed to their given values`);
      if (s.inlined) ctx.log(`fold-if: inlined ${s.inlined} If branch(es)`);
      for (const d of s.dynamic) ctx.log(`fold-if: kept If '${d.node.name}': ${dynamicIfReason(d)}`);
      return model;
    },
  };
}
