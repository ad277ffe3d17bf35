// Lifts a TFLite model read as `ai.tflite` nodes onto standard ONNX ops: the lifter table, the lift itself and its pass.
import { GraphError } from '../../errors.ts';
import type { Model } from '../../ir/graph.ts';
import { eliminateDeadCode } from '../dead-code.ts';
import { countOps } from '../graph-edit.ts';
import type { Pass } from '../pass.ts';
import { LiftContext } from './context.ts';
import { liftConv2d, liftDepthwiseConv2d, liftTransposeConv, liftTransposeConvBias } from './conv.ts';
import { liftDequantize } from './dequantize.ts';
import * as ew from './elementwise.ts';
import { countTransposes, optimizeTransposes, type TransposeCounts } from './layout.ts';
import { nchwIo, unliftableMessage } from '../nchw-io.ts';
import { liftNodes, type Unliftable } from '../lift-nodes.ts';
import type { Lifter } from './lifter.ts';
import { liftBatchMatMul, liftFullyConnected } from './matmul.ts';
import { liftResizeBilinear, liftResizeNearest } from './resize.ts';
import { liftSoftmax } from './softmax.ts';
import { liftAveragePool2d, liftMaxPool2d } from './pool.ts';
import { liftConcatenation, liftMean, liftPad, liftReshape, liftSlice, liftTranspose } from './shape.ts';

/** Domain of the nodes the TFLite reader creates (formats/tflite/to-ir.ts). */
const TFLITE_DOMAIN = 'ai.tflite';

/** ONNX opset the lifted model imports (HardSwish needs 14; ReduceMean still takes `axes` as an attribute in 17). */
export const LIFTED_OPSET = 17;

/** One lifter per TFLite op (builtin name, or the custom code of a custom op). */
export const LIFTERS: ReadonlyMap<string, Lifter> = new Map<string, Lifter>([
  ['CONV_2D', liftConv2d], ['DEPTHWISE_CONV_2D', liftDepthwiseConv2d], ['Convolution2DTransposeBias', liftTransposeConvBias],
  ['TRANSPOSE_CONV', liftTransposeConv],
  ['MAX_POOL_2D', liftMaxPool2d], ['AVERAGE_POOL_2D', liftAveragePool2d],
  ['ADD', ew.liftAdd], ['SUB', ew.liftSub], ['MUL', ew.liftMul], ['DIV', ew.liftDiv], ['MAXIMUM', ew.liftMaximum], ['MINIMUM', ew.liftMinimum],
  ['RELU', ew.liftRelu], ['RELU6', ew.liftRelu6], ['RELU_N1_TO_1', ew.liftReluN1To1], ['LOGISTIC', ew.liftLogistic], ['TANH', ew.liftTanh],
  ['HARD_SWISH', ew.liftHardSwish], ['PRELU', ew.liftPrelu], ['LEAKY_RELU', ew.liftLeakyRelu], ['RSQRT', ew.liftRsqrt], ['SQRT', ew.liftSqrt],
  ['EXP', ew.liftExp], ['ABS', ew.liftAbs],
  ['RESHAPE', liftReshape], ['CONCATENATION', liftConcatenation], ['TRANSPOSE', liftTranspose], ['PAD', liftPad], ['PADV2', liftPad],
  ['MEAN', liftMean], ['SLICE', liftSlice], ['SOFTMAX', liftSoftmax], ['FULLY_CONNECTED', liftFullyConnected], ['BATCH_MATMUL', liftBatchMatMul],
  ['RESIZE_BILINEAR', liftResizeBilinear], ['RESIZE_NEAREST_NEIGHBOR', liftResizeNearest], ['DEQUANTIZE', liftDequantize],
]);

/** Options for {@link liftTflite}. */
export interface LiftOptions {
  /** Declare rank-4 inputs and outputs NCHW (default: NHWC, as the .tflite model has them). */
  nchwIo?: boolean;
}

/** A node the lift could not express in ONNX. */
export type UnliftableOp = Unliftable;

/** What {@link liftTflite} did. */
export interface LiftReport {
  /** Nodes left as `ai.tflite` (empty when the lift succeeded). */
  unliftable: UnliftableOp[];
  /** Transposes after cancelling: at the model boundary and inside. */
  transposes: TransposeCounts;
  /** ONNX op → count in the lifted graph. */
  ops: Record<string, number>;
}

/** True when the model holds nodes read from a .tflite file. */
export function hasTfliteNodes(model: Model): boolean {
  return model.graph.nodes.some((n) => n.domain === TFLITE_DOMAIN);
}

/**
 * Rewrites every `ai.tflite` node of `model` into standard ONNX ops (opset {@link LIFTED_OPSET}) with ONNX semantics:
 * weights permuted to OIHW, SAME padding made explicit, fused activations as Relu/Clip/Tanh, float16/int8 constant
 * weights dequantized to float32. Spatial ops compute in NCHW between Transposes, which are then pushed through
 * layout-agnostic ops and cancelled in pairs. When any node cannot be lifted, the report lists every such node with why
 * and the graph's nodes stay as they were (constants folded from DEQUANTIZE may have been added).
 */
export function liftTflite(model: Model, options: LiftOptions = {}): { model: Model; report: LiftReport } {
  const graph = model.graph;
  const ctx = new LiftContext(graph);
  const unliftable: UnliftableOp[] = liftNodes(graph, ctx, (node) => (node.domain !== TFLITE_DOMAIN ? undefined : LIFTERS.get(node.op) ?? 'no ONNX lifting for this TFLite op'));
  if (unliftable.length) return { model, report: { unliftable, transposes: { boundary: 0, inside: 0 }, ops: {} } };
  graph.nodes = ctx.nodes;
  graph.valueInfo.clear();
  if (options.nchwIo) nchwIo(model, ctx);
  eliminateDeadCode(graph);
  optimizeTransposes(graph);
  model.opsets = [{ domain: '', version: LIFTED_OPSET }, ...model.opsets.filter((o) => o.domain !== '' && o.domain !== TFLITE_DOMAIN)];
  model.irVersion = 8;
  if (model.extra) delete model.extra.tflite;
  return { model, report: { unliftable, transposes: countTransposes(graph), ops: Object.fromEntries(countOps(graph)) } };
}

/**
 * The model with its `ai.tflite` nodes lifted (unchanged when it has none), for commands that work on ONNX semantics.
 * @throws GraphError listing every node that cannot be lifted, with why.
 */
export function liftTfliteOrThrow(model: Model, options: LiftOptions = {}): { model: Model; report?: LiftReport } {
  if (!hasTfliteNodes(model)) return { model };
  const { model: out, report } = liftTflite(model, options);
  if (report.unliftable.length) {
    throw new GraphError(unliftableMessage('TFLite', report.unliftable));
  }
  return { model: out, report };
}

/** The lift as a pass: a node that cannot be lifted is a GraphError listing every such node. */
export const liftTflitePass: Pass = {
  name: 'lift-tflite',
  description: 'Rewrite TFLite operators (ai.tflite nodes) into standard ONNX ops with ONNX semantics, NCHW inside.',
  run(model, pctx) {
    const { model: out, report } = liftTfliteOrThrow(model);
    if (report) pctx.log(`lift-tflite: ${out.graph.nodes.length} ONNX nodes, transposes ${report.transposes.boundary} at the boundary, ${report.transposes.inside} inside`);
    return out;
  },
};

export { countTransposes, optimizeTransposes, type TransposeCounts } from './layout.ts';
export type { Lifter } from './lifter.ts';
