// Graph edit: keep only the chosen outputs (graph outputs or any value a node computes) and what they need.
import { UsageError } from '../errors.ts';
import type { Model, ValueType } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import { eliminateDeadCode } from './dead-code.ts';

/** How many valid names an unknown-name error suggests. */
const SUGGESTED = 8;

/** Splits a comma-separated `--outputs` list, dropping blanks; an empty list is a UsageError. */
export function parseOutputNames(list: string): string[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--outputs needs at least one output name');
  return names;
}

/**
 * Makes `names` the graph outputs of `model` (in that order) and removes every node they do not need: e.g. a detector's
 * raw heads without its NMS post-processing. A name may be a current output or any value a node produces; graph inputs
 * stay (they are the interface). Types come from the model's declarations, else from shape inference, else unknown
 * (a later lift or inference fills them). The model is edited in place and returned.
 * @throws UsageError for a name the graph does not compute, listing a few that it does.
 */
export function selectOutputs(model: Model, names: readonly string[]): Model {
  const graph = model.graph;
  const produced = graph.nodes.flatMap((n) => n.outputs.filter(Boolean));
  const known = new Set([...graph.outputs.map((o) => o.name), ...produced]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    const current = graph.outputs.map((o) => o.name);
    const suggestions = [...new Set([...current, ...produced.slice().reverse()])].slice(0, SUGGESTED);
    throw new UsageError(`--outputs: no value ${unknown.map((n) => `'${n}'`).join(', ')} in the graph ` +
      `(outputs: ${current.join(', ') || 'none'}; values include ${suggestions.join(', ')}${known.size > SUGGESTED ? ', …' : ''})`);
  }
  let inferred: Map<string, ValueType> | undefined;
  const typeOf = (name: string): ValueType => {
    const declared = graph.outputs.find((o) => o.name === name)?.type ?? graph.valueInfo.get(name)?.type;
    if (declared && declared.kind !== 'unknown') return declared;
    inferred ??= inferTypes(model, { tolerant: true });
    return inferred.get(name) ?? { kind: 'unknown' };
  };
  graph.outputs = [...new Set(names)].map((name) => ({ name, type: typeOf(name) }));
  eliminateDeadCode(graph);
  return model;
}
