// Library entry for `inspect`: read any supported model file, verify its graph and summarise it.
import { readVerifiedModel } from './formats/read-verified.ts';
import { detectFormat } from './formats/registry.ts';
import { summarizeModel, type ModelSummary } from './report/summary.ts';

/**
 * Reads `file` (format detected by extension and magic bytes), verifies the graph and returns its summary.
 * Verifier warnings become summary warnings; a structural error (cycle, dangling input, ...) throws.
 */
export async function inspectModel(file: string): Promise<ModelSummary> {
  const format = await detectFormat(file);
  const { model, warnings: issues } = await readVerifiedModel(file);
  const summary = summarizeModel(model, file, format.name);
  summary.warnings.push(...issues.map((i) => i.message));
  return summary;
}
