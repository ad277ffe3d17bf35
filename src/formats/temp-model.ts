// A model written to a fresh temp folder for a runtime to load (augmented copies, trial quantizations).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../ir/graph.ts';
import { writeModel } from './registry.ts';
import { trackTemp } from '../util/temp-paths.ts';

/** A model written to a fresh temp folder; call `dispose()` to delete it. */
export interface TempModel {
  path: string;
  dispose(): void;
}

/** Write `model` to a temp ONNX file (for a runtime to load). */
export async function writeTempModel(model: Model, name = 'augmented.onnx'): Promise<TempModel> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-model-'));
  const untrack = trackTemp(dir);
  const path = join(dir, name);
  const dispose = () => {
    rmSync(dir, { recursive: true, force: true });
    untrack();
  };
  try {
    await writeModel(model, path);
  } catch (e) {
    dispose();
    throw e;
  }
  return { path, dispose };
}
