// A pre-quantized model given to `quantize`: dequantized to float first, with a warning, then quantized again.
import type { Model } from '../ir/graph.ts';
import { dequantizeModel, describeDequantize, describeOpCounts } from '../passes/dequantize/index.ts';
import type { QuantizeReport } from './report.ts';

/**
 * Dequantizes `model` in place when it already holds quantization ops, so the scheme starts from float weights (the
 * first quantization's rounding stays in them). Adds a warning and a pass-log line to `report`; returns the
 * `N Op, …` summary of what was found (for the provenance record), or undefined for a float model.
 */
export function dequantizeBeforeQuantizing(model: Model, scheme: string, report: QuantizeReport): string | undefined {
  const outcome = dequantizeModel(model);
  if (!outcome.found.length) return undefined;
  const found = describeOpCounts(outcome.found);
  report.passLog.push(describeDequantize(outcome));
  const left = outcome.left.length ? `; ${describeOpCounts(outcome.left)} could not be dequantized and stay as they are` : '';
  report.warnings.push(`model was pre-quantized (${found}): dequantized to float and re-quantized as ${scheme}; its weights keep the first quantization's rounding${left}`);
  return found;
}
