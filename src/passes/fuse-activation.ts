// Pass (analysis only): finds Conv/Gemm/MatMul+Add → Relu/Clip pairs that backends can run as one fused op.
//
// ONNX has no standard "Conv with fused activation", so this pass never rewrites the graph.
// It records the pairs as data instead: `findActivationFusions(model)` computes them, and the
// pass stores the list on the model in the typed analysis table (`analyses.ts`, key
// 'activationFusions'); `activationFusionsOf(model)` reads it back, dropping entries that later
// rewrites invalidated (or computes the list fresh when none was recorded). The quantizer uses
// it to put no QuantizeLinear/DequantizeLinear between producer and activation; the TFLite
// writer uses it to set `fused_activation_function` and drop the activation op.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { attrFloat } from '../ir/graph.ts';
import { tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { getAnalysis, setAnalysis } from './analyses.ts';
import { constantOf, graphOutputNames, nameUnnamedNodes, opsetOf, usesOf } from './graph-edit.ts';

/** How the activation clamps: max(x, 0), min(max(x, 0), 6), or a general clamp to [min, max]. */
export type FusedActivationKind = 'relu' | 'relu6' | 'clip';

/** One producer → activation pair that can run as a single fused op. */
export interface ActivationFusion {
  /** Name of the node computing the pre-activation value: a Conv, a Gemm, or the Add of MatMul+Add. */
  producer: string;
  /** Op of the producer pattern. */
  pattern: 'Conv' | 'Gemm' | 'MatMul+Add';
  /** For 'MatMul+Add': the MatMul node's name. */
  matmul?: string;
  /** Name of the Relu or Clip node. */
  activation: string;
  /** The value between producer and activation (read by the activation alone). */
  value: string;
  kind: FusedActivationKind;
  /** Clamp bounds (relu: 0, Infinity; relu6: 0, 6). */
  min: number;
  max: number;
}

const FLOAT_MAX = 3.4028234663852886e38;

/** The clamp bounds of a Relu or Clip node, or undefined if not constant. */
function boundsOf(graph: Graph, node: Node, opset: number): [number, number] | undefined {
  if (node.op === 'Relu') return [0, Infinity];
  if (opset < 11) return [attrFloat(node, 'min', -Infinity), attrFloat(node, 'max', Infinity)];
  const bound = (slot: number, fallback: number) => {
    const name = node.inputs[slot];
    if (!name) return fallback;
    const t = constantOf(graph, name);
    return t && t.dims.every((d) => d === 1) ? tensorFloats(t)[0] : undefined;
  };
  const lo = bound(1, -Infinity);
  const hi = bound(2, Infinity);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

function kindOf(min: number, max: number): FusedActivationKind {
  if (min === 0 && max >= FLOAT_MAX) return 'relu';
  if (min === 0 && max === 6) return 'relu6';
  return 'clip';
}

/**
 * Every Conv / Gemm / MatMul+Add whose only reader is a Relu or a Clip with constant bounds
 * (and whose output is not a graph output). Node names are reported as they are; give unnamed
 * nodes names first (the pass does) if you need to refer to them.
 */
export function findActivationFusions(model: Model): ActivationFusion[] {
  const graph = model.graph;
  const opset = opsetOf(model.opsets) ?? 1;
  const uses = usesOf(graph);
  const outputs = graphOutputNames(graph);
  const producers = producersOf(graph);
  const found: ActivationFusion[] = [];
  for (const act of graph.nodes) {
    if ((act.op !== 'Relu' && act.op !== 'Clip') || act.domain !== '') continue;
    const value = act.inputs[0];
    const producer = producers.get(value);
    if (!producer || producer.domain !== '' || outputs.has(value) || uses.get(value)?.length !== 1) continue;
    let pattern: ActivationFusion['pattern'] | undefined;
    let matmul: string | undefined;
    if (producer.op === 'Conv' || producer.op === 'Gemm') pattern = producer.op;
    else if (producer.op === 'Add') {
      const mm = producer.inputs.map((n) => producers.get(n)).find((p) => p?.op === 'MatMul' && p.domain === '');
      const other = producer.inputs.find((n) => producers.get(n) !== mm);
      if (mm && other !== undefined && constantOf(graph, other) && uses.get(mm.outputs[0])?.length === 1 && !outputs.has(mm.outputs[0])) {
        pattern = 'MatMul+Add';
        matmul = mm.name;
      }
    }
    const bounds = pattern && boundsOf(graph, act, opset);
    if (!pattern || !bounds) continue;
    const [min, max] = bounds;
    found.push({ producer: producer.name, pattern, ...(matmul !== undefined ? { matmul } : {}), activation: act.name, value, kind: kindOf(min, max), min, max });
  }
  return found;
}

/** True while the recorded pair still exists as recorded in the graph. */
function stillHolds(graph: Graph, f: ActivationFusion): boolean {
  const producer = graph.nodes.find((n) => n.name === f.producer);
  const act = graph.nodes.find((n) => n.name === f.activation);
  return !!producer && !!act && producer.outputs[0] === f.value && act.inputs[0] === f.value &&
    graph.nodes.every((n) => n === act || !n.inputs.includes(f.value));
}

/** The fusions recorded by the fuse-activation pass that still hold, or a fresh analysis if none were recorded. */
export function activationFusionsOf(model: Model): ActivationFusion[] {
  const recorded = getAnalysis(model, 'activationFusions');
  return recorded ? recorded.filter((f) => stillHolds(model.graph, f)) : findActivationFusions(model);
}

/** The fuse-activation pass: names unnamed nodes, then records {@link findActivationFusions} on the model. */
export const fuseActivationPass: Pass = {
  name: 'fuse-activation',
  description: 'Record Conv/Gemm/MatMul+Add → Relu/Clip pairs for the quantizer and writers (the graph is unchanged).',
  run(model: Model, ctx) {
    nameUnnamedNodes(model.graph);
    const fusions = findActivationFusions(model);
    setAnalysis(model, 'activationFusions', fusions);
    if (fusions.length) ctx.log(`fuse-activation: recorded ${fusions.length} fusable activation(s)`);
    return model;
  },
};
