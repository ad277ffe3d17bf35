// The folder-level import graph of src/: every relative import resolved to the top-level folder it lands in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import: the importing file, the imported file, and their top-level folders under src/ (`.` for src/*.ts). */
export interface ImportEdge {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
  /** True for `import type` / `export type` (erased at run time, but still a design dependency). */
  typeOnly: boolean;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The top-level folder of a file under `src` ('ir', 'formats', …), or '.' for a file directly in src/. */
export function layerOf(src: string, file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? '.' : parts[0];
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import of every .ts file under `src`. */
export function importEdges(src: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4];
      const to = resolve(dirname(file), spec);
      if (!to.startsWith(resolve(src) + sep)) continue;
      edges.push({ from: relative(src, file), to: relative(src, to), fromLayer: layerOf(src, file), toLayer: layerOf(src, to), typeOnly: Boolean(m[2]) });
    }
  }
  return edges;
}

/** Folder cycles: each strongly connected set of two or more folders (Tarjan). */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) if (e.fromLayer !== e.toLayer) (graph.get(e.fromLayer) ?? graph.set(e.fromLayer, new Set()).get(e.fromLayer)!).add(e.toLayer);
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
