// The pass registry: every pass by name, and the default optimisation pipeline.
import { UsageError } from '../errors.ts';
import type { Pass } from './pass.ts';
import { eliminateIdentityPass } from './eliminate-identity.ts';
import { deadCodePass } from './dead-code.ts';
import { foldConstantsPass } from './fold-constants.ts';
import { foldIfPass } from './fold-if.ts';
import { unrollLoopPass } from './unroll-loop.ts';
import { foldBatchNormPass } from './fold-batchnorm.ts';
import { fuseMatMulAddPass } from './fuse-matmul-add.ts';
import { fuseActivationPass } from './fuse-activation.ts';
import { fuseConvBiasPass } from './fuse-conv-bias.ts';
import { fuseConvScalePass } from './fuse-conv-scale.ts';
import { fuseAffineConvPass } from './fuse-affine-conv.ts';
import { upgradeOpsetPass } from './upgrade-opset.ts';
import { fusePatternsPass } from './fuse-patterns.ts';
import { dequantizePass } from './dequantize/index.ts';
import { liftTflitePass } from './lift-tflite/index.ts';
import { ortEvaluator } from '../runtimes/ort-node-evaluator.ts';

/**
 * fold-constants with onnxruntime-node evaluating ops that have no TypeScript kernel. The pass itself knows only
 * the NodeEvaluator contract; this registry is where the runtime-backed evaluator is wired in.
 */
export const foldConstantsWithOrt: Pass = foldConstantsPass({ evaluate: ortEvaluator });

/** fold-if (Ifs with a constant condition inlined) with the same onnxruntime-backed constant folding. */
export const foldIfWithOrt: Pass = foldIfPass({ evaluate: ortEvaluator });

/** unroll-loop (Loops with a small constant trip count become plain nodes) with the same constant folding. */
export const unrollLoopWithOrt: Pass = unrollLoopPass({ evaluate: ortEvaluator });

/** Every pass, by name. */
export const PASSES: ReadonlyMap<string, Pass> = new Map(
  [eliminateIdentityPass, foldConstantsWithOrt, foldIfWithOrt, unrollLoopWithOrt, deadCodePass, fuseMatMulAddPass, fuseConvScalePass, fuseConvBiasPass, foldBatchNormPass, fuseAffineConvPass, fuseActivationPass, upgradeOpsetPass, dequantizePass, fusePatternsPass, liftTflitePass].map((p) => [p.name, p]),
);

/**
 * The default optimisation pipeline. Order matters: identities go first so constants and patterns
 * are adjacent; constants fold before dead code is swept; MatMul+Add becomes Gemm, a per-channel Mul after a conv
 * folds into its weights (so the Add after it can fold too), a scalar Mul → Add in front of unpadded convs folds into
 * them, and a separate conv-bias Add joins its conv before BatchNormalization folds (so those BNs fold too); dead code then drops the old BN
 * parameters; activation fusions are recorded last, on the final graph.
 */
export const DEFAULT_PASSES: readonly Pass[] = [
  eliminateIdentityPass, foldConstantsWithOrt, deadCodePass, fuseMatMulAddPass, fuseConvScalePass, fuseConvBiasPass, foldBatchNormPass, fuseAffineConvPass, deadCodePass,
  fuseActivationPass,
];

/** The pass called `name`, or a UsageError listing the known ones. */
export function passByName(name: string): Pass {
  const pass = PASSES.get(name);
  if (!pass) throw new UsageError(`unknown pass '${name}' (known: ${[...PASSES.keys()].join(', ')})`);
  return pass;
}

/** The passes named in a comma-separated list (e.g. from `--passes`), 'default' expanding to {@link DEFAULT_PASSES}. */
export function parsePassList(list: string): Pass[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).flatMap((n) => (n === 'default' ? [...DEFAULT_PASSES] : [passByName(n)]));
}

export type { Pass, PassContext } from './pass.ts';
export { runPasses, type PassStats, type PipelineResult, type RunPassesOptions } from './pipeline.ts';
export { eliminateIdentity } from './eliminate-identity.ts';
export { eliminateDeadCode } from './dead-code.ts';
export { foldConstants, foldConstantsPass, type FoldConstantsOptions, type NodeEvaluator } from './fold-constants.ts';
export { foldBatchNorm } from './fold-batchnorm.ts';
export { foldIf, foldIfPass, dynamicIfReason, type DynamicIf, type FoldIfOptions, type FoldIfStats } from './fold-if.ts';
export { unrollLoops, unrollLoopPass, type KeptLoop, type UnrollLoopOptions, type UnrollLoopStats } from './unroll-loop.ts';
export { fuseMatMulAdd } from './fuse-matmul-add.ts';
export { fuseConvBias } from './fuse-conv-bias.ts';
export { fuseConvScale } from './fuse-conv-scale.ts';
export { fuseAffineConv } from './fuse-affine-conv.ts';
export { upgradeOpset, upgradeOpsetPass, upgradeOpsetPassTo, type UpgradeOutcome } from './upgrade-opset.ts';
export { findActivationFusions, activationFusionsOf, type ActivationFusion, type FusedActivationKind } from './fuse-activation.ts';
export { getAnalysis, setAnalysis, type ModelAnalyses } from './analyses.ts';
export { fusePatternsPass } from './fuse-patterns.ts';
export { fusePatterns, RULE_SETS, type RuleSet } from './patterns/index.ts';
export { dequantizeModel, dequantizePass, describeDequantize, describeOpCounts, preQuantizedOps, isQuantizedOp, type DequantizeOutcome } from './dequantize/index.ts';
export { liftTflite, liftTfliteOrThrow, liftTflitePass, hasTfliteNodes, LIFTERS, type LiftOptions, type LiftReport, type UnliftableOp } from './lift-tflite/index.ts';
