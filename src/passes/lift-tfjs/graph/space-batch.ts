// TensorFlow SpaceToBatchND / BatchToSpaceND (2 block dims over NHWC): as one dilated conv when they wrap a convolution
// (TensorFlow's atrous convolution), else as Pad/Reshape/Transpose/Slice.
import { attrInts, type Node } from '../../../ir/graph.ts';
import { ints, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { tfProducer } from './common.ts';
import { liftConv2D, liftDepthwiseConv2D } from './conv.ts';

/** Block shape [bh, bw] and the [[before, after], [before, after]] pads or crops of a 4-D space/batch op. */
function blockSpec(ctx: TfjsLiftContext, node: Node, what: string): { block: number[]; edges: number[] } {
  const block = ctx.requireInts(node.inputs[1], 'block_shape');
  const edges = ctx.requireInts(node.inputs[2], what);
  if (block.length !== 2 || edges.length !== 4 || ctx.rank(node.inputs[0]) !== 4) throw new LiftRefusal('only 2 block dimensions over NHWC data are supported');
  return { block, edges };
}

/** SpaceToBatchND: pad, split H and W into blocks, move the block offsets to the batch axis. */
export const liftSpaceToBatchND: TfjsLifter = (node, ctx) => {
  const { block: [bh, bw], edges: [pt, pb, pl, pr] } = blockSpec(ctx, node, 'paddings');
  const [, h, w, c] = ctx.shape(node.inputs[0]);
  const [hp, wp] = [h + pt + pb, w + pl + pr];
  if (hp % bh || wp % bw) throw new LiftRefusal(`padded size ${hp}×${wp} is not a multiple of the block ${bh}×${bw}`);
  const padded = ctx.emit('Pad', [node.inputs[0], ctx.int64s('pads', [0, pt, pl, 0, 0, pb, pr, 0])]);
  const blocks = ctx.emit('Reshape', [padded, ctx.int64s('shape', [-1, hp / bh, bh, wp / bw, bw, c])]);
  const moved = ctx.transpose(blocks, [2, 4, 0, 1, 3, 5]);
  ctx.emit('Reshape', [moved, ctx.int64s('shape', [-1, hp / bh, wp / bw, c])], {}, node.outputs[0]);
};

/** The convolution between a SpaceToBatchND and `b2s` as one dilated convolution with explicit pads, or false. */
function liftAtrous(ctx: TfjsLiftContext, b2s: Node, block: number[], crops: number[]): boolean {
  const conv = tfProducer(ctx, b2s.inputs[0]);
  if (conv?.op !== 'Conv2D' && conv?.op !== 'DepthwiseConv2dNative') return false;
  const s2b = tfProducer(ctx, conv.inputs[0]);
  if (s2b?.op !== 'SpaceToBatchND' || ctx.knownInts(s2b.inputs[1])?.join() !== block.join()) return false;
  const ones = (name: string) => attrInts(conv, name, [1, 1, 1, 1]).every((v) => v === 1);
  const padding = conv.attributes.get('padding');
  if (!ones('strides') || !ones('dilations') || padding?.type !== 'string' || new TextDecoder().decode(padding.value) !== 'VALID') return false;
  const [pt, pb, pl, pr] = ctx.requireInts(s2b.inputs[2], 'paddings');
  const pads = [pt - crops[0], pb - crops[1], pl - crops[2], pr - crops[3]];
  if (pads.some((p) => p < 0)) return false;
  const attributes = new Map(conv.attributes);
  attributes.set('dilations', ints([1, block[0], block[1], 1]));
  attributes.set('padding', { type: 'string', value: new TextEncoder().encode('EXPLICIT') });
  attributes.set('explicit_paddings', ints([0, 0, pads[0], pads[1], pads[2], pads[3], 0, 0]));
  const dilated: Node = { ...conv, inputs: [s2b.inputs[0], conv.inputs[1]], outputs: [b2s.outputs[0]], attributes };
  (conv.op === 'Conv2D' ? liftConv2D : liftDepthwiseConv2D)(dilated, ctx);
  return true;
}

/** BatchToSpaceND: the inverse of SpaceToBatchND, then the crops; a wrapped convolution becomes a dilated one. */
export const liftBatchToSpaceND: TfjsLifter = (node, ctx) => {
  const { block, edges: crops } = blockSpec(ctx, node, 'crops');
  if (liftAtrous(ctx, node, block, crops)) return;
  const [bh, bw] = block;
  const [, h, w, c] = ctx.shape(node.inputs[0]);
  const blocks = ctx.emit('Reshape', [node.inputs[0], ctx.int64s('shape', [bh, bw, -1, h, w, c])]);
  const moved = ctx.transpose(blocks, [2, 3, 0, 4, 1, 5]);
  const merged = ctx.emit('Reshape', [moved, ctx.int64s('shape', [-1, h * bh, w * bw, c])]);
  const [ct, cb, cl, cr] = crops;
  ctx.emit('Slice', [merged, ctx.int64s('starts', [ct, cl]), ctx.int64s('ends', [h * bh - cb, w * bw - cr]), ctx.int64s('axes', [1, 2])], {}, node.outputs[0]);
};
