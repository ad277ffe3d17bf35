// Expose intermediate values as extra graph outputs, so a runtime can fetch activations (calibration, per-layer error).
import { GraphError } from '../errors.ts';
import type { Model, ValueInfo, ValueType } from './graph.ts';
import { inferModel } from './infer.ts';

/** Types of the main graph's values: declared (inputs, outputs, valueInfo) overridden by inference where it succeeded. */
export function valueTypes(model: Model): Map<string, ValueType> {
  const g = model.graph;
  const types = new Map<string, ValueType>();
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo.values()]) types.set(v.name, v.type);
  try {
    for (const [name, type] of inferModel(model, { tolerant: true }).types) if (type.kind === 'tensor') types.set(name, type);
  } catch {
    // Inference is a help here, not a requirement: declared types remain.
  }
  return types;
}

/**
 * A copy of `model` whose main graph also outputs `names` (node outputs). Types come from `types`, then the
 * graph's valueInfo; shapes are dropped (runtimes accept outputs without one), so a stale shape cannot break loading.
 * The copy shares nodes and tensors with `model` (neither is modified).
 * @throws GraphError for a name that no node produces.
 */
export function exposeValues(model: Model, names: readonly string[], types: ReadonlyMap<string, ValueType> = new Map()): Model {
  const graph = model.graph;
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const already = new Set(graph.outputs.map((o) => o.name));
  const extra: ValueInfo[] = [];
  for (const name of names) {
    if (already.has(name)) continue;
    if (!produced.has(name)) throw new GraphError(`cannot expose '${name}': no node of graph '${graph.name}' produces it`);
    already.add(name);
    const type = types.get(name) ?? graph.valueInfo.get(name)?.type ?? { kind: 'unknown' };
    extra.push({ name, type: type.kind === 'tensor' ? { kind: 'tensor', dtype: type.dtype } : type });
  }
  return { ...model, graph: { ...graph, outputs: [...graph.outputs, ...extra] } };
}
