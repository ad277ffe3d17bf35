// The contract for evaluating one node on constant inputs (e.g. through onnxruntime): passes use it, runtimes implement it.
import type { Model, Node } from './graph.ts';
import type { Tensor } from './tensor.ts';

/**
 * Evaluates one node on constant inputs (e.g. through onnxruntime); resolves one tensor per
 * output, or undefined when it cannot. Kept abstract so passes need not depend on a runtime.
 */
export type NodeEvaluator = (
  node: Node,
  inputs: ReadonlyMap<string, Tensor>,
  model: Pick<Model, 'opsets' | 'irVersion'>,
) => Promise<(Tensor | undefined)[] | undefined>;
