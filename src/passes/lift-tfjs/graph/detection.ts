// Lifters for the ops of detection post-processing: NonMaxSuppressionV2–V5, TopKV2, Where.
import type { Node } from '../../../ir/graph.ts';
import { attrInt } from '../../../ir/graph.ts';
import { int, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { castTo, emitMulti } from './common.ts';

/** Output `k` of `node` when anything reads it (the reader lists outputs up to the highest one used). */
function output(node: Node, k: number): string | undefined {
  return node.outputs[k] || undefined;
}

/** A scalar (or one-element) value as a rank-1 [1] tensor of `dtype`, as ONNX NonMaxSuppression/TopK want their operands. */
function asVector1(ctx: TfjsLiftContext, value: string, dtype: 'int64' | 'float32'): string {
  return ctx.emit('Reshape', [castTo(ctx, value, dtype), ctx.int64s('one_element', [1])]);
}

/** Zero-pads a rank-1 value at its end up to `length` (an int64 [1] value ≥ its size). */
function padTo(ctx: TfjsLiftContext, value: string, size: string, length: string, output?: string): string {
  const missing = ctx.emit('Sub', [length, size]);
  const pads = ctx.emit('Concat', [ctx.int64s('pad_begin', [0]), missing], { axis: int(0) });
  return ctx.emit('Pad', [value, pads], {}, output);
}

/**
 * NonMaxSuppression V2–V5 (TensorFlow: boxes [N,4], scores [N] → selected indices int32 [M] in score order, for V5 also
 * their scores, for V4/V5 the count) as ONNX NonMaxSuppression over one batch and one class, with column 2 of its
 * [M,3] output as the indices. `pad_to_max_output_size` zero-pads indices (and scores) to max_output_size. Both suppress
 * a box whose IoU with a kept one exceeds the threshold and keep scores strictly above score_threshold (TF.js also
 * suppresses at IoU equal to the threshold). Soft-NMS (a non-zero soft_nms_sigma) has no ONNX counterpart: refused.
 */
const nonMaxSuppression: TfjsLifter = (node, ctx) => {
  const version = Number(node.op.slice(-1));
  const [boxes, scores, maxOutput, iou, scoreThreshold, sigma] = node.inputs;
  if (version === 5) {
    const s = ctx.floats(sigma, 'soft_nms_sigma');
    if (s.some((v) => v !== 0)) throw new LiftRefusal(`soft_nms_sigma ${s[0]} (Soft-NMS) has no ONNX counterpart; only 0 (hard NMS) is lifted`);
  }
  const pad = version >= 4 && attrInt(node, 'pad_to_max_output_size', 0) === 1;
  const boxes3 = ctx.emit('Unsqueeze', [castTo(ctx, boxes, 'float32'), ctx.int64s('batch_axis', [0])]);
  const scores3 = ctx.emit('Reshape', [castTo(ctx, scores, 'float32'), ctx.int64s('one_class', [1, 1, -1])]);
  const max = asVector1(ctx, maxOutput, 'int64');
  const nmsInputs = [boxes3, scores3, max, asVector1(ctx, iou, 'float32')];
  if (version >= 3) nmsInputs.push(asVector1(ctx, scoreThreshold, 'float32'));
  const selected = ctx.emit('NonMaxSuppression', nmsInputs, { center_point_box: int(0) });
  const index64 = ctx.emit('Gather', [selected, ctx.addConstant('box_column', 'int64', [], BigInt64Array.of(2n))], { axis: int(1) });
  const count = ctx.emit('Shape', [index64]);
  // Each output is written directly, or through a zero Pad up to max_output_size.
  const write = (build: (out?: string) => string, out: string) => (pad ? padTo(ctx, build(), count, max, out) : build(out));
  const indicesOut = output(node, 0);
  if (indicesOut) write((out) => castTo(ctx, index64, 'int32', out), indicesOut);
  const scoresOut = version === 5 ? output(node, 1) : undefined;
  if (scoresOut) write((out) => ctx.emit('Gather', [scores, index64], { axis: int(0) }, out), scoresOut);
  const validOut = version >= 4 ? output(node, version - 3) : undefined;
  if (validOut) castTo(ctx, ctx.emit('Reshape', [count, ctx.int64s('scalar_shape', [])]), 'int32', validOut);
};

/** TopKV2 (largest k along the last axis, sorted, int32 indices; equal values keep index order) as ONNX TopK. */
const topKV2: TfjsLifter = (node, ctx) => {
  const [x, k] = node.inputs;
  const [, indices] = emitMulti(ctx, 'TopK', [x, asVector1(ctx, k, 'int64')], { axis: int(-1), largest: int(1), sorted: int(1) }, [output(node, 0), undefined]);
  if (output(node, 1)) castTo(ctx, indices, 'int32', output(node, 1));
};

/** Where with one input (coordinates of the true / non-zero elements, int64 [M, rank], row-major order) as NonZero. */
const where: TfjsLifter = (node, ctx) => {
  if (node.inputs.length !== 1) throw new LiftRefusal(`Where with ${node.inputs.length} inputs (use Select) is not lifted`);
  const coords = ctx.emit('NonZero', [node.inputs[0]]);
  const rank = ctx.rank(node.inputs[0]);
  // [rank, M] → [M, rank]: a Reshape when rank is 1, so no Transpose is left for the layout optimiser.
  if (rank === 1) ctx.emit('Reshape', [coords, ctx.int64s('coords_shape', [-1, 1])], {}, node.outputs[0]);
  else ctx.transpose(coords, [1, 0], node.outputs[0]);
};

/** The detection post-processing lifters by TensorFlow op name. */
export const DETECTION_LIFTERS: ReadonlyArray<readonly [string, TfjsLifter]> = [
  ['NonMaxSuppressionV2', nonMaxSuppression],
  ['NonMaxSuppressionV3', nonMaxSuppression],
  ['NonMaxSuppressionV4', nonMaxSuppression],
  ['NonMaxSuppressionV5', nonMaxSuppression],
  ['TopKV2', topKV2],
  ['Where', where],
];

