// The declarative graph rewrites: every rule set, in the order they are tried, and the one call that applies them.
import type { Model } from '../../ir/graph.ts';
import { applyRules, type ApplyOptions, type RuleSet } from './matcher.ts';
import { erfGeluRules, tanhGeluRules } from './gelu.ts';
import { hardSigmoidRules } from './hard-sigmoid.ts';
import { hardSwishRules } from './hard-swish.ts';
import { layerNormRules } from './layer-norm.ts';
import { lpNormRules } from './lp-norm.ts';

/**
 * Every rule set. Hard-swish goes before hard-sigmoid so x·relu6(x+3)/6 becomes one HardSwish, not x·HardSigmoid(x)
 * (which the next round turns into HardSwish anyway).
 */
export const RULE_SETS: readonly RuleSet[] = [hardSwishRules, hardSigmoidRules, erfGeluRules, tanhGeluRules, layerNormRules, lpNormRules];

/** Applies `sets` (default: all) to the model in place until none fires; returns how many matches each set rewrote. */
export function fusePatterns(model: Model, sets: readonly RuleSet[] = RULE_SETS, options: ApplyOptions = {}): Record<string, number> {
  return applyRules(model, sets, options);
}

export { applyRules, matchAt, type ApplyOptions, type RewriteContext, type Rule, type RuleSet } from './matcher.ts';
export { P, scalarOf, type ConstantValue, type Pattern, type PatternView } from './pattern.ts';
