// A model's real inputs (graph inputs that are not initializers) as the data layer and runtimes describe them.
import type { Model } from '../ir/graph.ts';
import type { IoInfo } from '../ir/host-tensor.ts';

/** Name, dtype and (possibly symbolic) shape of each input a caller must feed. */
export function modelInputs(model: Model): IoInfo[] {
  return model.graph.inputs
    .filter((v) => !model.graph.initializers.has(v.name))
    .map((v) => (v.type.kind === 'tensor' ? { name: v.name, dtype: v.type.dtype, shape: v.type.shape ?? [] } : { name: v.name, dtype: 'unknown' as const, shape: [] }));
}
