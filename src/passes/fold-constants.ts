// Pass: evaluates nodes whose inputs are all constant (TS kernels first, then an optional runtime evaluator).
import type { NodeEvaluator } from '../ir/node-evaluator.ts';
import type { Model, Node } from '../ir/graph.ts';
import { subgraphsOf } from '../ir/graph.ts';
import { TYPED_ARRAY_OF } from '../ir/dtype.ts';
import { elementCount, makeTensor, type Tensor } from '../ir/tensor.ts';
import type { Pass, PassContext } from './pass.ts';
import { opsetOf, removeNodes, shapeResolver } from './graph-edit.ts';
import { KERNELS, SHAPE_ONLY_OPS, type KernelContext } from './constant-eval/kernels.ts';
import { fromTensor, toTensor } from './constant-eval/ndarray.ts';

export type { NodeEvaluator } from '../ir/node-evaluator.ts';

/** Options of the fold-constants pass. */
export interface FoldConstantsOptions {
  /** Results larger than this many elements are kept only if no bigger than the inputs (default 1M). */
  maxElements?: number;
  /** Evaluator for ops without a TS kernel (default: none, only TS kernels). */
  evaluate?: NodeEvaluator;
  /** Ops never folded even with constant inputs (default: the (De)QuantizeLinear family, so QDQ stays). */
  keep?: ReadonlySet<string>;
}

/** What {@link foldConstants} did. */
export interface FoldConstantsStats {
  /** Nodes replaced by initializers (Constant nodes included). */
  folded: number;
  /** Of those, how many went through the evaluator rather than a TS kernel. */
  evaluated: number;
}

/** Ops whose results differ from run to run. */
export const NONDETERMINISTIC_OPS: ReadonlySet<string> = new Set([
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli',
]);

/** Ops kept by default so quantized (QDQ) graphs keep their structure. */
export const QDQ_OPS: ReadonlySet<string> = new Set(['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear']);

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

/** The tensor a Constant node holds, named after its output; undefined for sparse values. */
export function constantNodeValue(node: Node): Tensor | undefined {
  const name = node.outputs[0];
  for (const [key, a] of node.attributes) {
    if (a.type === 'tensor' && key === 'value') return { ...a.value, name };
    if (a.type === 'float') return makeTensor(name, 'float32', [], new Float32Array([a.value]));
    if (a.type === 'floats') return makeTensor(name, 'float32', [a.value.length], Float32Array.from(a.value));
    if (a.type === 'int') return makeTensor(name, 'int64', [], new BigInt64Array([BigInt(a.value)]));
    if (a.type === 'ints') return makeTensor(name, 'int64', [a.value.length], BigInt64Array.from(a.value, BigInt));
    if (a.type === 'string') return { name, dtype: 'string', dims: [], data: { kind: 'strings', values: [a.value] } };
    if (a.type === 'strings') return { name, dtype: 'string', dims: [a.value.length], data: { kind: 'strings', values: a.value } };
  }
  return undefined;
}

/** Runs the TS kernel for a node, or undefined when there is none or it declines. */
function runKernel(node: Node, constants: Map<string, Tensor>, ctx: KernelContext): Tensor[] | undefined {
  const kernel = KERNELS[node.op];
  if (!kernel) return undefined;
  const tensors = node.inputs.map((n) => (n ? constants.get(n) : undefined));
  // Strings, 4-bit and complex values have no typed array to compute on: leave those to the evaluator.
  if (tensors.some((t) => t && (t.data.kind === 'strings' || !TYPED_ARRAY_OF[t.dtype]))) return undefined;
  const arrays = tensors.map((t) => (t ? fromTensor(t) : undefined));
  const results = kernel(node, arrays, ctx);
  return results?.map((r, i) => toTensor(node.outputs[i] ?? '', r));
}

/**
 * Replaces every node computable from constants with initializers holding its results, sweeping
 * until nothing changes. Constant nodes always become initializers. Shape/Size fold when the
 * input's shape is static. Non-deterministic ops, ops with subgraphs, non-standard domains and
 * results that would grow past `maxElements` are left alone.
 */
export async function foldConstants(model: Model, options: FoldConstantsOptions = {}): Promise<FoldConstantsStats> {
  const graph = model.graph;
  const maxElements = options.maxElements ?? 1 << 20;
  const keep = options.keep ?? QDQ_OPS;
  const opset = opsetOf(model.opsets) ?? 1;
  const inputNames = new Set(graph.inputs.map((v) => v.name));
  const constants = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) if (!inputNames.has(name)) constants.set(name, t);
  const kernelContext: KernelContext = { opset, shapeOf: shapeResolver(model), maxElements };
  const folded = new Set<Node>();
  const declined = new Set<Node>();
  const stats: FoldConstantsStats = { folded: 0, evaluated: 0 };
  const accept = (node: Node, results: (Tensor | undefined)[]) => {
    node.outputs.forEach((name, i) => {
      const t = results[i];
      if (!name || !t) return;
      const named = t.name === name ? t : { ...t, name };
      constants.set(name, named);
      graph.initializers.set(name, named);
    });
    folded.add(node);
    stats.folded++;
  };

  for (let changed = true; changed; ) {
    changed = false;
    for (const node of graph.nodes) {
      if (folded.has(node) || declined.has(node) || !DEFAULT_DOMAINS.has(node.domain)) continue;
      if (node.op === 'Constant') {
        const t = constantNodeValue(node);
        if (t) { accept(node, [t]); changed = true; } else declined.add(node);
        continue;
      }
      if (NONDETERMINISTIC_OPS.has(node.op) || keep.has(node.op) || subgraphsOf(node).length || !node.inputs.some(Boolean)) {
        declined.add(node);
        continue;
      }
      const allConstant = node.inputs.every((n) => !n || constants.has(n));
      if (!allConstant && !SHAPE_ONLY_OPS.has(node.op)) continue;
      let results: (Tensor | undefined)[] | undefined = runKernel(node, constants, kernelContext);
      let viaEvaluator = false;
      if (!results && allConstant && options.evaluate) {
        const inputs = new Map(node.inputs.filter(Boolean).map((n) => [n, constants.get(n)!] as const));
        results = await options.evaluate(node, inputs, model);
        viaEvaluator = true;
      }
      if (!results || node.outputs.some((n, i) => n && !results![i])) {
        if (allConstant) declined.add(node);
        continue;
      }
      const inElements = node.inputs.reduce((s, n) => s + (n && constants.has(n) ? elementCount(constants.get(n)!.dims) : 0), 0);
      const outElements = results.reduce((s, t) => s + (t ? elementCount(t.dims) : 0), 0);
      if (outElements > maxElements && outElements > inElements) {
        declined.add(node);
        continue;
      }
      if (viaEvaluator) stats.evaluated++;
      accept(node, results);
      changed = true;
    }
  }
  removeNodes(graph, folded);
  return stats;
}

/** Makes a fold-constants pass with the given options. */
export function foldConstantsPass(options: FoldConstantsOptions = {}): Pass {
  return {
    name: 'fold-constants',
    description: 'Evaluate nodes whose inputs are all constant and replace them with initializers.',
    async run(model: Model, ctx: PassContext) {
      const s = await foldConstants(model, options);
      if (s.folded) ctx.log(`fold-constants: folded ${s.folded} node(s) (${s.evaluated} through the evaluator)`);
      return model;
    },
  };
}
