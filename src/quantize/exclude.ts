// The --exclude list: node names or op types kept in float, and which graph values are float tensors.
import type { Node, ValueType } from '../ir/graph.ts';

/** Matches nodes against user-given names or op types; remembers which entries matched something. */
export class ExcludeList {
  private readonly entries: Set<string>;
  private readonly used = new Set<string>();
  constructor(entries: readonly string[]) {
    this.entries = new Set(entries.map((e) => e.trim()).filter(Boolean));
  }

  /** True if the node's name or op type is listed. */
  matches(node: Node): boolean {
    for (const key of [node.name, node.op]) {
      if (this.entries.has(key)) {
        this.used.add(key);
        return true;
      }
    }
    return false;
  }

  /** Entries that matched no node (probably typos). */
  unmatched(): string[] {
    return [...this.entries].filter((e) => !this.used.has(e));
  }

  /** The entries, as given. */
  list(): string[] {
    return [...this.entries];
  }
}

/** True if a node reads or writes a float32/float16 tensor (only such nodes are worth reporting as "left in float"). */
export function computesOnFloat(node: Node, types: ReadonlyMap<string, ValueType>): boolean {
  if (node.op === 'Constant') return false;
  return [...node.inputs, ...node.outputs].some((v) => {
    const t = v ? types.get(v) : undefined;
    return t?.kind === 'tensor' && (t.dtype === 'float32' || t.dtype === 'float16');
  });
}
