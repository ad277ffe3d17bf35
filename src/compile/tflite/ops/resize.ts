// Resize/Upsample over H, W → RESIZE_BILINEAR or RESIZE_NEAREST_NEIGHBOR (NHWC), coordinate modes mapped to TFLite's flags.
import { attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';

/** Emits Resize (opset 10+) or Upsample. */
export function emitResize(node: Node, ctx: EmitContext): void {
  const x = node.inputs[0];
  const inShape = ctx.shape(x);
  const outShape = ctx.shape(node.outputs[0]);
  if (inShape.length !== 4) throw new Unmappable(`resize of a rank-${inShape.length} tensor`);
  if (outShape[0] !== inShape[0] || outShape[1] !== inShape[1]) throw new Unmappable('resize that scales the batch or channel axis');
  const mode = attrString(node, 'mode', 'nearest');
  const coord = node.op === 'Upsample' || ctx.opset < 11 ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = ctx.opset < 11 ? 'floor' : attrString(node, 'nearest_mode', 'round_prefer_floor');
  const integerUpscale = outShape[2] % inShape[2] === 0 && outShape[3] % inShape[3] === 0;
  let flags: { align_corners: boolean; half_pixel_centers: boolean } | undefined;
  const linear = mode === 'linear' || mode === 'bilinear';
  if (linear) {
    if (coord === 'align_corners') flags = { align_corners: true, half_pixel_centers: false };
    else if (coord === 'half_pixel' || coord === 'pytorch_half_pixel') flags = { align_corners: false, half_pixel_centers: true };
    else if (coord === 'asymmetric') flags = { align_corners: false, half_pixel_centers: false };
  } else if (mode === 'nearest') {
    if (coord === 'asymmetric' && (nearestMode === 'floor' || integerUpscale)) flags = { align_corners: false, half_pixel_centers: false };
    else if ((coord === 'half_pixel' && nearestMode === 'round_prefer_ceil') || (coord === 'tf_half_pixel_for_nn' && nearestMode === 'floor')) flags = { align_corners: false, half_pixel_centers: true };
    else if (coord === 'align_corners' && nearestMode === 'round_prefer_ceil') flags = { align_corners: true, half_pixel_centers: false };
    else if (integerUpscale && (coord === 'half_pixel' || coord === 'pytorch_half_pixel')) flags = { align_corners: false, half_pixel_centers: false };
  }
  if (!flags) throw new Unmappable(`resize mode '${mode}' with coordinate mode '${coord}'${mode === 'nearest' ? ` and nearest mode '${nearestMode}'` : ''}`);
  const nhwc = ctx.spatial(4);
  const input = ctx.input(x, nhwc);
  const size = ctx.draft.int32(`${node.name}/size`, [outShape[2], outShape[3]]);
  const out = ctx.define(node.outputs[0], nhwc);
  ctx.draft.op(linear ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR', [input, size], [out], node.name, {
    table: linear ? 'ResizeBilinearOptions' : 'ResizeNearestNeighborOptions', values: flags,
  });
}
