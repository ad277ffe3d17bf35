// The TensorFlow op lifters (graph models): one per op, plus the rewrites run before lifting (while frames, ...).
import type { Model } from '../../../ir/graph.ts';
import type { TfjsLifter } from '../context.ts';
import { CORE_LIFTERS } from './core-ops.ts';
import { CONTROL_FLOW_LIFTERS, prepareControlFlow } from './control-flow.ts';
import { DETECTION_LIFTERS } from './detection.ts';

/** One lifter per TensorFlow op name (as in the GraphDef, e.g. `_FusedConv2D`). */
export const GRAPH_LIFTERS: ReadonlyMap<string, TfjsLifter> = new Map<string, TfjsLifter>([
  ...CORE_LIFTERS,
  ...DETECTION_LIFTERS,
  ...CONTROL_FLOW_LIFTERS,
]);

/** Graph-level rewrites of `ai.tensorflow` nodes before per-node lifting (e.g. TF1 while frames unrolled). */
export function prepareGraphModel(model: Model): void {
  prepareControlFlow(model.graph);
}
