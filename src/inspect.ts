// Library entry for `inspect`: read any supported model file, verify its graph and summarise it.
import { GraphError } from './errors.ts';
import { detectFormat, readModel } from './formats/registry.ts';
import { verifyGraph } from './ir/verify.ts';
import { summarizeModel, type ModelSummary } from './report/summary.ts';

/**
 * Reads `file` (format detected by extension and magic bytes), verifies the graph and returns its summary.
 * Verifier warnings become summary warnings; a structural error (cycle, dangling input, ...) throws.
 */
export async function inspectModel(file: string): Promise<ModelSummary> {
  const format = await detectFormat(file);
  const model = await readModel(file);
  const issues = verifyGraph(model);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new GraphError(`invalid graph: ${errors[0].message}${more}`, { file });
  }
  const summary = summarizeModel(model, file, format.name);
  summary.warnings.push(...issues.map((i) => i.message));
  return summary;
}
