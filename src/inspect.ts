// Library entry for `inspect`: read any supported model file and summarise it.
import { detectFormat, readModel } from './formats/registry.ts';
import { summarizeModel, type ModelSummary } from './report/summary.ts';

/** Reads `file` (format detected by extension and magic bytes) and returns its summary. */
export async function inspectModel(file: string): Promise<ModelSummary> {
  const format = await detectFormat(file);
  const model = await readModel(file);
  return summarizeModel(model, file, format.name);
}
