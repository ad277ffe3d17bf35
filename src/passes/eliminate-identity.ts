// Pass: removes Identity and inference-time Dropout nodes, rewiring their consumers to the input.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { attrInt } from '../ir/graph.ts';
import { tensorValues } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { constantOf, graphOutputNames, removeNodes, renameValue, replaceUses, usesOf } from './graph-edit.ts';

/** True when the node passes its first input through unchanged at inference time. */
function isPassThrough(graph: Graph, node: Node, used: (name: string) => boolean): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return false;
  if (node.op === 'Identity') return node.inputs.length === 1 && node.outputs.length === 1;
  if (node.op !== 'Dropout') return false;
  const mask = node.outputs[1];
  if (mask && used(mask)) return false;
  if (attrInt(node, 'is_test') === 0) return false; // opset < 7 in training mode
  const trainingMode = node.inputs[2];
  if (!trainingMode) return true;
  const t = constantOf(graph, trainingMode);
  return t !== undefined && tensorValues(t).every((v) => !v);
}

/**
 * Removes Identity and Dropout (when its mask is unused and it is not in training mode).
 * Graph output names never change: when the removed node produced a graph output, the
 * producer of its input is renamed to that output instead; when that is impossible
 * (the input is a graph input, an initializer or another graph output) the node stays.
 */
export function eliminateIdentity(graph: Graph): number {
  let removed = 0;
  const uses = usesOf(graph);
  const outputs = graphOutputNames(graph);
  const used = (name: string) => (uses.get(name)?.length ?? 0) > 0 || outputs.has(name);
  const producers = producersOf(graph);
  const doomed = new Set<Node>();
  for (const node of graph.nodes) {
    if (!isPassThrough(graph, node, used)) continue;
    const [x] = node.inputs;
    const y = node.outputs[0];
    if (!x || !y) continue;
    if (!outputs.has(y)) {
      replaceUses(graph, y, x, false);
      graph.valueInfo.delete(y);
    } else {
      const producer = producers.get(x);
      if (!producer || doomed.has(producer) || outputs.has(x)) continue;
      node.outputs = [];
      renameValue(graph, x, y);
      producers.delete(x);
      producers.set(y, producer);
    }
    doomed.add(node);
    removed++;
  }
  removeNodes(graph, doomed);
  return removed;
}

/** The eliminate-identity pass. */
export const eliminateIdentityPass: Pass = {
  name: 'eliminate-identity',
  description: 'Remove Identity and inference-time Dropout nodes, keeping graph output names.',
  run(model: Model, ctx) {
    const n = eliminateIdentity(model.graph);
    if (n) ctx.log(`eliminate-identity: removed ${n} node(s)`);
    return model;
  },
};
