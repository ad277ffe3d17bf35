// Which activations fold into their producer's fused_activation_function: the fuse-activation records plus Add/Sub/Mul/Div.
import { attrFloat, type Model, type Node } from '../../ir/graph.ts';
import { tensorFloats } from '../../ir/tensor.ts';
import { consumers, producers } from '../../ir/toposort.ts';
import { activationFusionsOf } from '../../passes/fuse-activation.ts';
import { constantOf, graphOutputNames, opsetOf } from '../../passes/graph-edit.ts';
import type { ActivationName } from '../../formats/tflite/schema/enums.ts';
import type { Fusable } from './context.ts';

/** Constant [min, max] of a Relu or Clip node, or undefined. */
export function clipBounds(model: Model, node: Node): [number, number] | undefined {
  if (node.op === 'Relu') return [0, Infinity];
  if ((opsetOf(model.opsets) ?? 1) < 11) return [attrFloat(node, 'min', -Infinity), attrFloat(node, 'max', Infinity)];
  const bound = (slot: number, fallback: number): number | undefined => {
    const name = node.inputs[slot];
    if (!name) return fallback;
    const t = constantOf(model.graph, name);
    return t && t.dims.every((d) => d === 1) ? tensorFloats(t)[0] : undefined;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

function fusedName(bounds: [number, number] | undefined): ActivationName | undefined {
  if (!bounds) return undefined;
  const [lo, hi] = bounds;
  if (lo === 0 && hi >= 3.4028234663852886e38) return 'RELU';
  if (lo === 0 && hi === 6) return 'RELU6';
  if (lo === -1 && hi === 1) return 'RELU_N1_TO_1';
  return undefined;
}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);

/**
 * Producer node → the activation it absorbs. Conv/Gemm pairs come from the fuse-activation pass's
 * records; Add/Sub/Mul/Div whose single reader is a Relu/Relu6-like Clip are added here.
 */
export function fusableActivations(model: Model): Map<Node, Fusable> {
  const graph = model.graph;
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const out = new Map<Node, Fusable>();
  for (const f of activationFusionsOf(model)) {
    const producer = byName.get(f.producer);
    const activation = byName.get(f.activation);
    const fused = fusedName([f.min, f.max]);
    if (producer && activation && fused && f.pattern !== 'MatMul+Add') out.set(producer, { activation, fused });
  }
  const prod = producers(graph);
  const cons = consumers(graph);
  const outputs = graphOutputNames(graph);
  for (const act of graph.nodes) {
    if ((act.op !== 'Relu' && act.op !== 'Clip') || act.domain !== '') continue;
    const p = prod.get(act.inputs[0]);
    if (!p || !ELEMENTWISE.has(p.op) || p.domain !== '' || out.has(p)) continue;
    if (outputs.has(p.outputs[0]) || (cons.get(p.outputs[0])?.length ?? 0) !== 1) continue;
    const fused = fusedName(clipBounds(model, act));
    if (fused) out.set(p, { activation: act, fused });
  }
  return out;
}
