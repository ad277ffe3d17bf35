// The fold-constants NodeEvaluator backed by onnxruntime-node: runs one node with constant inputs as a one-node model.
// It lives with the runtimes (not in passes/) because it encodes ONNX and loads ORT; passes see only the NodeEvaluator type.
import { createRequire } from 'node:module';
import type { Model, Node } from '../ir/graph.ts';
import { emptyGraph } from '../ir/graph.ts';
import { makeTensor, type Tensor } from '../ir/tensor.ts';
import { encodeOnnx } from '../formats/onnx/index.ts';
import type { NodeEvaluator } from '../ir/node-evaluator.ts';
import { fromOrtTensor } from './ort-tensor.ts';

type OrtModule = typeof import('onnxruntime-node');
let ortModule: OrtModule | undefined;
// ort-node.ts has the same lazy loader but does not export it; this copy loads the same cached module.
const ort = (): OrtModule => (ortModule ??= createRequire(import.meta.url)('onnxruntime-node') as OrtModule);

/** A model whose only node is `node`, its inputs given as initializers and its outputs as graph outputs. */
export function singleNodeModel(node: Node, inputs: ReadonlyMap<string, Tensor>, model: Pick<Model, 'opsets' | 'irVersion'>): Model {
  const graph = emptyGraph('fold');
  for (const [name, t] of inputs) graph.initializers.set(name, { ...t, name });
  graph.nodes.push({ ...node, attributes: new Map(node.attributes) });
  for (const name of node.outputs) if (name) graph.outputs.push({ name, type: { kind: 'unknown' } });
  return { graph, opsets: model.opsets.map((o) => ({ ...o })), irVersion: model.irVersion, metadata: [], functions: [] };
}

/**
 * Evaluates a node through onnxruntime-node (CPU, graph optimisations off). Resolves undefined
 * when ORT rejects the node or returns a type the IR cannot hold; never throws.
 */
export const ortEvaluator: NodeEvaluator = async (node, inputs, model) => {
  let session: Awaited<ReturnType<OrtModule['InferenceSession']['create']>> | undefined;
  try {
    const bytes = encodeOnnx(singleNodeModel(node, inputs, model));
    session = await ort().InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', executionProviders: ['cpu'], logSeverityLevel: 3 });
    const result = await session.run({});
    return node.outputs.map((name) => {
      const t = name ? result[name] : undefined;
      if (!t) return undefined;
      if (t.type === 'string') {
        const values = (t.data as string[]).map((s) => new TextEncoder().encode(s));
        return { name, dtype: 'string', dims: [...t.dims], data: { kind: 'strings', values } } satisfies Tensor;
      }
      const host = fromOrtTensor(t as never);
      return makeTensor(name, host.dtype, host.dims, host.data.slice());
    });
  } catch {
    return undefined;
  } finally {
    await session?.release();
  }
};
