// Expose intermediate values as extra graph outputs so a runtime can fetch activations for calibration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphError } from '../../errors.ts';
import { writeModel } from '../../formats/registry.ts';
import type { Model, ValueInfo, ValueType } from '../../ir/graph.ts';

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

/** An augmented model written to a fresh temp folder; call `dispose()` to delete it. */
export interface TempModel {
  path: string;
  dispose(): void;
}

/** Write `model` to a temp ONNX file (for a runtime to load). */
export async function writeTempModel(model: Model, name = 'augmented.onnx'): Promise<TempModel> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-calibrate-'));
  const path = join(dir, name);
  try {
    await writeModel(model, path);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
