// Opset 21 for int4 weights (w4a8, w4a16): DequantizeLinear takes int4 and block_size only from opset 21.
import { GraphError, UsageError } from '../errors.ts';
import type { Model } from '../ir/graph.ts';
import { upgradeOpset, type UpgradeOutcome } from '../passes/upgrade-opset.ts';

/** The opset int4 Q/DQ needs. */
export const INT4_OPSET = 21;

/**
 * Raises `model` to opset {@link INT4_OPSET} for `scheme`; a model the upgrade pass cannot convert is a UsageError
 * saying why (the model is then left as it was).
 */
export function upgradeForInt4(model: Model, scheme: string): UpgradeOutcome {
  try {
    return upgradeOpset(model, INT4_OPSET);
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    throw new UsageError(`${scheme} needs opset ${INT4_OPSET} (int4 DequantizeLinear), and this model cannot be upgraded to it: ${e.message}; use w8a8/w8a16 instead`);
  }
}
