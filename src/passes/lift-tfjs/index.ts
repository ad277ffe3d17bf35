// Lifts a TF.js model read as `ai.tensorflow` (graph model) or `ai.keras` (layers model) nodes onto standard ONNX ops.
import { GraphError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import type { InputShapes } from '../../ir/input-shapes.ts';
import { eliminateDeadCode } from '../dead-code.ts';
import { countOps } from '../graph-edit.ts';
import { countTransposes, optimizeTransposes, type TransposeCounts } from '../lift-tflite/layout.ts';
import { TfjsLiftContext, TFJS_LIFTED_OPSET, type TfjsLifter } from './context.ts';
import { GRAPH_LIFTERS, prepareGraphModel } from './graph/index.ts';
import { KERAS_LIFTERS } from './keras/index.ts';
import { nchwIo, unliftableMessage } from '../nchw-io.ts';
import { liftNodes, type Unliftable } from '../lift-nodes.ts';
import { collapseUnitAxisRoundTrips } from './unit-axes.ts';

/** Domains of the nodes the TF.js reader creates (formats/tfjs). */
const GRAPH_DOMAIN = 'ai.tensorflow';
const KERAS_DOMAIN = 'ai.keras';

/** Options for {@link liftTfjs}. */
export interface TfjsLiftOptions {
  /** Fixed shapes for graph inputs (by name) before lifting: TF.js models often leave batch and image size open. */
  inputShapes?: InputShapes;
  /** Declare rank-4 inputs and outputs NCHW (default: NHWC, as the TF.js model has them). */
  nchwIo?: boolean;
}

/** A node the lift could not express in ONNX. */
export type TfjsUnliftable = Unliftable;

/** What {@link liftTfjs} did. */
export interface TfjsLiftReport {
  unliftable: TfjsUnliftable[];
  transposes: TransposeCounts;
  /** ONNX op → count in the lifted graph. */
  ops: Record<string, number>;
}

/** True when the model holds nodes read from a TF.js model.json. */
export function hasTfjsNodes(model: Model): boolean {
  return model.graph.nodes.some((n) => n.domain === GRAPH_DOMAIN || n.domain === KERAS_DOMAIN);
}

/**
 * Rewrites every `ai.tensorflow` / `ai.keras` node of `model` into ONNX ops (opset {@link TFJS_LIFTED_OPSET}). Data stays
 * NHWC between ops as TensorFlow computes it; spatial ops compute NCHW between Transposes, which are then pushed
 * through layout-agnostic ops and cancelled in pairs. When any node cannot be lifted the report lists every one with why.
 */
export function liftTfjs(model: Model, options: TfjsLiftOptions = {}): { model: Model; report: TfjsLiftReport } {
  const graph = model.graph;
  for (const input of graph.inputs) {
    const shape = options.inputShapes?.[input.name];
    if (shape && input.type.kind === 'tensor') input.type = { ...input.type, shape: [...shape] };
  }
  prepareGraphModel(model);
  const ctx = new TfjsLiftContext(graph);
  const unliftable: TfjsUnliftable[] = liftNodes(graph, ctx, (node) => {
    const table: ReadonlyMap<string, TfjsLifter> | undefined = node.domain === GRAPH_DOMAIN ? GRAPH_LIFTERS : node.domain === KERAS_DOMAIN ? KERAS_LIFTERS : undefined;
    return table && (table.get(node.op) ?? `no ONNX lifting for this ${node.domain === KERAS_DOMAIN ? 'Keras layer' : 'TensorFlow op'}`);
  });
  if (unliftable.length) return { model, report: { unliftable, transposes: { boundary: 0, inside: 0 }, ops: {} } };
  graph.nodes = ctx.nodes;
  graph.valueInfo.clear();
  for (const out of graph.outputs) {
    const t = ctx.infer.type(out.name);
    if (t && t.kind === 'tensor') out.type = t;
  }
  if (options.nchwIo) nchwIo(model, ctx);
  eliminateDeadCode(graph);
  collapseUnitAxisRoundTrips(graph);
  optimizeTransposes(graph);
  model.opsets = [{ domain: '', version: TFJS_LIFTED_OPSET }, ...model.opsets.filter((o) => o.domain !== '' && o.domain !== GRAPH_DOMAIN && o.domain !== KERAS_DOMAIN)];
  model.irVersion = 8;
  return { model, report: { unliftable, transposes: countTransposes(graph), ops: Object.fromEntries(countOps(graph)) } };
}

/**
 * The model with its TF.js nodes lifted (unchanged when it has none), for commands that work on ONNX semantics.
 * @throws GraphError listing every node that cannot be lifted, with why.
 */
export function liftTfjsOrThrow(model: Model, options: TfjsLiftOptions = {}): { model: Model; report?: TfjsLiftReport } {
  if (!hasTfjsNodes(model)) return { model };
  const { model: out, report } = liftTfjs(model, options);
  if (report.unliftable.length) {
    throw new GraphError(unliftableMessage('TF.js', report.unliftable));
  }
  return { model: out, report };
}

export { TfjsLiftContext, type TfjsLifter } from './context.ts';
