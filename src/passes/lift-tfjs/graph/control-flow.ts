// The graph-level rewrite run before lifting: TF1 while frames unrolled, TensorLists resolved, what became dead removed.
import type { Graph } from '../../../ir/graph.ts';
import { eliminateDeadCode } from '../../dead-code.ts';
import type { TfjsLifter } from '../context.ts';
import { resolveTensorLists, TENSOR_LIST_LIFTERS } from './tensor-list.ts';
import { unrollWhileFrames, WHILE_FRAME_LIFTERS, type WhileUnrollStats } from './while-frames.ts';

/** What {@link prepareControlFlow} did. */
export interface ControlFlowStats extends WhileUnrollStats {
  /** TensorList nodes turned into plain ops (or found unneeded). */
  tensorLists: number;
}

/**
 * Turns the TF1 control flow of an `ai.tensorflow` graph into straight-line TensorFlow nodes the per-op lifters handle:
 * while frames with a trip count known before running the model are unrolled, then TensorLists over static counts become
 * GatherV2/Pack/Identity; nodes nothing reads any more (list plumbing, the loop counters) are removed. What cannot be
 * rewritten stays as nodes whose lifters refuse with why.
 */
export function prepareControlFlow(graph: Graph): ControlFlowStats {
  const frames = unrollWhileFrames(graph);
  const tensorLists = resolveTensorLists(graph);
  if (frames.unrolled.length || frames.refused.length || tensorLists) eliminateDeadCode(graph);
  return { ...frames, tensorLists };
}

/** Lifters of the control-flow ops (all refusals: the rewrite above removes the ops it can handle). */
export const CONTROL_FLOW_LIFTERS: ReadonlyArray<readonly [string, TfjsLifter]> = [...WHILE_FRAME_LIFTERS, ...TENSOR_LIST_LIFTERS];
