// --exclude for int8 TFLite: the ops emitted for listed IR nodes (by name or op type) become float islands.
import { UsageError } from '../../errors.ts';
import type { Node } from '../../ir/graph.ts';
import { ExcludeList } from '../../quantize/exclude.ts';
import type { DraftGraph } from './draft.ts';

/**
 * Names of the nodes of `nodes` that `entries` (node names or op types, as `quantize --exclude` takes them) match.
 * An entry that matches none of `nodes` nor of `known` (e.g. the nodes before passes folded some away) is an error,
 * unless `allowUnknown` (a list computed on another pass pipeline's graph).
 * @throws UsageError naming the entries that match nothing.
 */
export function excludedNodes(entries: readonly string[], nodes: readonly Node[], known: readonly Node[], allowUnknown = false): Set<string> {
  const list = new ExcludeList(entries);
  const names = new Set(nodes.filter((n) => list.matches(n)).map((n) => n.name));
  const unknown = list.unmatched().filter((e) => !known.some((n) => n.name === e || n.op === e));
  if (unknown.length && !allowUnknown) throw new UsageError(`--exclude: no node named or of op type ${unknown.map((e) => `'${e}'`).join(', ')} in the model`);
  return names;
}

/**
 * Marks the draft ops emitted for `nodes` as float islands (see float-islands.ts); a float constant such an op shares
 * with an int8 op is copied, so the island keeps float data. Returns how many ops were marked.
 */
export function markExcluded(g: DraftGraph, nodes: ReadonlySet<string>): number {
  let marked = 0;
  for (const op of g.ops) {
    if (op.float || !op.node || !nodes.has(op.node)) continue;
    op.float = true;
    marked++;
  }
  if (!marked) return 0;
  marked += markLayoutOpsBetweenIslands(g);
  const int8Readers = new Set(g.ops.filter((o) => !o.float).flatMap((o) => o.inputs));
  const copies = new Map<number, number>();
  for (const op of g.ops) {
    if (!op.float) continue;
    op.inputs = op.inputs.map((i) => {
      const t = g.tensors[i];
      if (!(t.data instanceof Float32Array) || t.dtype !== 'float32' || !int8Readers.has(i)) return i;
      let c = copies.get(i);
      if (c === undefined) copies.set(i, (c = g.tensors.push({ ...t, name: `${t.name}/float-constant`, shape: [...t.shape], data: t.data.slice() }) - 1));
      return c;
    });
  }
  return marked;
}

/**
 * Node-less ops (boundary layout transposes) whose inputs are model inputs or island results and whose results are
 * model outputs or read only by islands join the islands: a model input an excluded first layer reads stays float.
 */
function markLayoutOpsBetweenIslands(g: DraftGraph): number {
  let marked = 0;
  for (let changed = true; changed;) {
    changed = false;
    const floatResults = new Set(g.ops.filter((o) => o.float).flatMap((o) => o.outputs));
    const inputs = new Set(g.inputs), outputs = new Set(g.outputs);
    for (const op of g.ops) {
      if (op.float || op.node) continue;
      const fromFloat = op.inputs.every((i) => i < 0 || g.tensors[i].data || inputs.has(i) || floatResults.has(i));
      const toFloat = op.outputs.every((o) => {
        const readers = g.ops.filter((r) => r.inputs.includes(o));
        return (outputs.has(o) || readers.length > 0) && readers.every((r) => r.float);
      });
      if (fromFloat && toFloat) { op.float = true; marked++; changed = true; }
    }
  }
  return marked;
}
