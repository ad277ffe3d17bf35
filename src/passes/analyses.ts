// Typed side table of analysis results that passes attach to a model for later stages (quantizer, writers).
import type { Model } from '../ir/graph.ts';
import type { ActivationFusion } from './fuse-activation.ts';

/**
 * Results a pass can leave on a model, by key. Analyses are facts about the graph, not part of
 * it: they live beside the model object (never written to files) and a reader must check they
 * still hold, since later passes may have rewritten the graph. Add a key here (or by declaration
 * merging) for each new analysis.
 */
export interface ModelAnalyses {
  /** Producer → activation pairs that a backend may execute as one fused op (see fuse-activation). */
  activationFusions: ActivationFusion[];
}

const tables = new WeakMap<Model, Partial<ModelAnalyses>>();

/** Records an analysis result on a model (replacing an earlier one under the same key). */
export function setAnalysis<K extends keyof ModelAnalyses>(model: Model, key: K, value: ModelAnalyses[K]): void {
  let table = tables.get(model);
  if (!table) tables.set(model, (table = {}));
  table[key] = value;
}

/** The analysis result recorded under `key`, or undefined if no pass recorded one. */
export function getAnalysis<K extends keyof ModelAnalyses>(model: Model, key: K): ModelAnalyses[K] | undefined {
  return tables.get(model)?.[key];
}
