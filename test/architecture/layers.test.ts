// The layers of docs/architecture.md, checked over the real import graph of src/: no import runs up a layer, no folder cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { folderCycles, importEdges, type ImportEdge } from './import-graph.ts';

const SRC = join(PACKAGE_ROOT, 'src');

/**
 * Lowest first; a folder may import its own layer and any lower one. `errors.ts`/`paths.ts` are the base, `index.ts`
 * and `inspect.ts` the public API. The same list is in docs/architecture.md ("Layers").
 */
export const LAYERS = ['base', 'util', 'ir', 'data', 'tasks', 'formats', 'runtimes', 'passes', 'quantize', 'compile', 'evaluate', 'profile', 'report', 'pipeline', 'deploy', 'hub', 'api', 'cli'] as const;

function layerOfFile(path: string, folder: string): string {
  if (folder !== '.') return folder;
  return path === 'errors.ts' || path === 'paths.ts' ? 'base' : 'api';
}

function upward(edges: readonly ImportEdge[]): string[] {
  const rank = (l: string) => (LAYERS as readonly string[]).indexOf(l);
  return edges.flatMap((e) => {
    const from = layerOfFile(e.from, e.fromLayer), to = layerOfFile(e.to, e.toLayer);
    if (rank(from) < 0 || rank(to) < 0) return [`${e.from} → ${e.to}: folder not in LAYERS`];
    return rank(to) > rank(from) ? [`${e.from} (${from}) imports ${e.to} (${to})${e.typeOnly ? ' [type]' : ''}`] : [];
  });
}

test('no file imports from a higher layer (type imports included)', () => {
  const edges = importEdges(SRC);
  assert.ok(edges.length > 500, `read the import graph (${edges.length} imports)`);
  assert.deepEqual(upward(edges), []);
});

test('no import cycle between folders', () => {
  const edges = importEdges(SRC).map((e) => ({ ...e, fromLayer: layerOfFile(e.from, e.fromLayer), toLayer: layerOfFile(e.to, e.toLayer) }));
  assert.deepEqual(folderCycles(edges), []);
});

test('the checker sees a violation: formats importing compile, data importing runtimes, a folder cycle', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, fromLayer: from.split('/')[0], toLayer: to.split('/')[0], typeOnly: false });
  assert.deepEqual(upward([edge('formats/tflite/index.ts', 'compile/tflite/compile.ts')]), ['formats/tflite/index.ts (formats) imports compile/tflite/compile.ts (compile)']);
  assert.equal(upward([edge('data/source.ts', 'runtimes/runtime.ts')]).length, 1);
  assert.equal(upward([edge('compile/compile.ts', 'formats/registry.ts')]).length, 0);
  assert.deepEqual(folderCycles([edge('report/a.ts', 'evaluate/b.ts'), edge('evaluate/b.ts', 'report/c.ts')]), [['evaluate', 'report']]);
});
