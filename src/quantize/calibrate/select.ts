// Which values calibration watches: by default every float32 graph input and node output of the main graph.
import { UsageError } from '../../errors.ts';
import type { Graph, Model, ValueType } from '../../ir/graph.ts';
import { subgraphsOf } from '../../ir/graph.ts';

/** True if `type` is a float32 tensor. */
function isFloat32(type: ValueType | undefined): boolean {
  return type?.kind === 'tensor' && type.dtype === 'float32';
}

/**
 * The values to calibrate: `requested` (checked to exist and be float32) or, by default, every float32
 * graph input (not an initializer) and output of a non-Constant node, in graph order.
 * @throws UsageError naming a requested value that does not exist or is not float32.
 */
export function calibrationTargets(model: Model, types: ReadonlyMap<string, ValueType>, requested?: readonly string[]): string[] {
  const g = model.graph;
  const inputs = g.inputs.filter((i) => !g.initializers.has(i.name)).map((i) => i.name);
  const outputs = g.nodes.filter((n) => n.op !== 'Constant').flatMap((n) => n.outputs.filter((o) => o !== ''));
  if (!requested) return [...new Set([...inputs, ...outputs])].filter((n) => isFloat32(types.get(n)));
  const known = new Set([...inputs, ...outputs, ...bodyOutputs(g)]);
  for (const name of requested) {
    if (!known.has(name)) throw new UsageError(`cannot calibrate '${name}': it is neither a graph input nor a node output (of the main graph or of an If/Loop/Scan body)`);
    if (!isFloat32(types.get(name))) {
      const t = types.get(name);
      throw new UsageError(`cannot calibrate '${name}': it is ${t?.kind === 'tensor' ? t.dtype : 'of unknown type'}, not float32`);
    }
  }
  return [...new Set(requested)];
}

/** Inputs (Loop/Scan iteration values) and node outputs of every If/Loop/Scan body of `graph`, nested ones included. */
function bodyOutputs(graph: Graph): string[] {
  return graph.nodes.flatMap((n) => subgraphsOf(n).flatMap((g) => [...g.inputs.map((v) => v.name), ...g.nodes.flatMap((m) => m.outputs.filter((o) => o !== '')), ...bodyOutputs(g)]));
}
