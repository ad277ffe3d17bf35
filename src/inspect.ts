// Library entry for `inspect`: read any supported model file, verify its graph and summarise it.
import { readVerifiedModel } from './formats/read-verified.ts';
import { detectFormat } from './formats/registry.ts';
import { describeTfjs } from './formats/tfjs/describe.ts';
import { readModelJson } from './formats/tfjs/model-json.ts';
import { summarizeModel, type ModelSummary } from './report/summary.ts';

/**
 * Reads `file` (format detected by extension and magic bytes), verifies the graph and returns its summary.
 * Verifier warnings become summary warnings; a structural error (cycle, dangling input, ...) throws. A TF.js model.json
 * also gets its kind (graph/layers), converter and weight storage (float32/float16/uint8 counts).
 */
export async function inspectModel(file: string): Promise<ModelSummary> {
  const format = await detectFormat(file);
  const { model, warnings: issues } = await readVerifiedModel(file);
  const summary = summarizeModel(model, file, format.name);
  summary.warnings.push(...issues.map((i) => i.message));
  if (format.name === 'tfjs') summary.tfjs = describeTfjs(readModelJson(file), file);
  return summary;
}
