// MaxPool/AveragePool → MAX_POOL_2D/AVERAGE_POOL_2D; GlobalAveragePool/GlobalMaxPool → MEAN/REDUCE_MAX over H, W.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { emitSpatialPad, resolvePadding } from './padding.ts';

/** Emits MaxPool or AveragePool (2-D). */
export function emitPool(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const xs = ctx.shape(x);
  if (xs.length !== 4) throw new Unmappable(`only 2-D pooling is supported (input rank ${xs.length})`);
  if (node.outputs.length > 1 && node.outputs[1]) throw new Unmappable('MaxPool indices output is not supported');
  const kernel = attrInts(node, 'kernel_shape', [1, 1]);
  const strides = attrInts(node, 'strides', [1, 1]);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  if (dilations.some((d) => d !== 1)) throw new Unmappable('dilated pooling');
  const isMax = node.op === 'MaxPool';
  const nhwc = ctx.spatial(4);
  let input = ctx.input(x, nhwc);
  const pad = resolvePadding(node, [xs[2], xs[3]], kernel, strides, dilations, attrInt(node, 'ceil_mode', 0) === 1);
  if (pad.explicit) {
    if (!isMax && attrInt(node, 'count_include_pad', 0) === 0) throw new Unmappable('average pooling that excludes padding other than TFLite SAME padding');
    input = emitSpatialPad(ctx, node, input, pad.explicit, isMax ? -3.4028234663852886e38 : 0);
  } else if (pad.padding === 'SAME' && !isMax && attrInt(node, 'count_include_pad', 0) === 1) {
    throw new Unmappable('average pooling that counts padding with SAME padding');
  }
  const out = ctx.define(node.outputs[0], nhwc, { value: node.outputs[0] });
  ctx.draft.op(isMax ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', [input], [out], node.name, {
    table: 'Pool2DOptions',
    values: { padding: pad.padding === 'SAME' ? 0 : 1, stride_w: strides[1], stride_h: strides[0], filter_width: kernel[1], filter_height: kernel[0], fused_activation_function: 0 },
  });
}

/** Emits GlobalAveragePool / GlobalMaxPool as a reduction over the spatial axes, keeping dims. */
export function emitGlobalPool(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const rank = ctx.shape(x).length;
  if (rank < 3) throw new Unmappable(`global pooling needs rank ≥ 3 (got ${rank})`);
  const perm = ctx.spatial(rank);
  const input = ctx.input(x, perm);
  const axes = ctx.draft.int32(`${node.name}/axes`, Array.from({ length: rank - 2 }, (_, i) => i + 1));
  const out = ctx.define(node.outputs[0], perm);
  ctx.draft.op(node.op === 'GlobalMaxPool' ? 'REDUCE_MAX' : 'MEAN', [input, axes], [out], node.name, { table: 'ReducerOptions', values: { keep_dims: true } });
}
