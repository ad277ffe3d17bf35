// Resize/Upsample of NCHW data over H and W → upsample_nearest_neighbor / upsample_bilinear (integer factors) or resize_bilinear.
import { attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

/** Emits one ONNX Resize (or Upsample) whose batch and channel sizes do not change. */
export function emitResize(node: Node, ctx: MilEmitContext): void {
  const xs = ctx.shape(node.inputs[0]);
  const out = ctx.shape(node.outputs[0]);
  if (xs.length !== 4 || xs[0] !== out[0] || xs[1] !== out[1]) throw new Unmappable('only H/W resizing of rank-4 NCHW data is supported');
  const mode = attrString(node, 'mode', 'nearest');
  const coord = node.op === 'Upsample' ? 'asymmetric' : attrString(node, 'coordinate_transformation_mode', 'half_pixel');
  const nearestMode = attrString(node, 'nearest_mode', 'round_prefer_floor');
  const factors = [out[2] / xs[2], out[3] / xs[3]];
  const integer = factors.every((f) => Number.isInteger(f) && f >= 1);
  const x = ctx.input(node.inputs[0]);
  if (mode === 'nearest') {
    // Integer upscaling picks source pixel floor(o / f) for asymmetric+floor, and for any rounding when f ≤ 2 or coordinates are half-pixel.
    const floorLike = coord === 'asymmetric' ? nearestMode === 'floor' || factors.every((f) => f <= 2) : coord === 'half_pixel' || coord === 'pytorch_half_pixel';
    if (!integer || !floorLike) throw new Unmappable(`nearest resize by ${factors.join('×')} with ${coord}/${nearestMode} is not supported (integer upscaling only)`);
    ctx.emit('upsample_nearest_neighbor', node, { x, scale_factor_height: ctx.scalar('scale_factor_height', factors[0]), scale_factor_width: ctx.scalar('scale_factor_width', factors[1]) });
    return;
  }
  if (mode !== 'linear') throw new Unmappable(`Resize mode '${mode}' is not supported`);
  const sampling = { half_pixel: 'UNALIGN_CORNERS', pytorch_half_pixel: 'UNALIGN_CORNERS', align_corners: 'STRICT_ALIGN_CORNERS', asymmetric: 'DEFAULT' }[coord];
  if (!sampling) throw new Unmappable(`linear resize with coordinate_transformation_mode '${coord}' is not supported`);
  if (coord === 'pytorch_half_pixel' && (out[2] === 1 || out[3] === 1)) throw new Unmappable('pytorch_half_pixel resize to size 1 is not supported');
  ctx.emit('resize_bilinear', node, {
    x, target_size_height: ctx.scalar('target_size_height', out[2]), target_size_width: ctx.scalar('target_size_width', out[3]), sampling_mode: ctx.scalar('sampling_mode', sampling, 'string'),
  });
}
