// Lifts TFLite RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR to ONNX Resize (NCHW between a Transpose pair).
import { attrInt, type Attribute } from '../../ir/graph.ts';
import { LiftRefusal, str, TO_NCHW, TO_NHWC } from './context.ts';
import type { Lifter } from './lifter.ts';

/** RESIZE_*: size input [h, w] → ONNX Resize sizes in NCHW; align_corners / half_pixel_centers → coordinate_transformation_mode. */
function resize(mode: 'linear' | 'nearest'): Lifter {
  return (node, ctx) => {
    const input = ctx.shape4(node.inputs[0]);
    const [h, w] = ctx.ints(node.inputs[1], 'size');
    const alignCorners = attrInt(node, 'align_corners', 0) === 1;
    const halfPixel = attrInt(node, 'half_pixel_centers', 0) === 1;
    if (alignCorners && halfPixel) throw new LiftRefusal('align_corners and half_pixel_centers are both set');
    const coordinates = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
    // TFLite nearest rounds half-pixel and align-corners coordinates, and floors asymmetric ones.
    const nearest: Record<string, Attribute> = mode === 'nearest' ? { nearest_mode: str(alignCorners || halfPixel ? 'round_prefer_ceil' : 'floor') } : {};
    const sizes = ctx.int64s('sizes', [input[0], input[3], h, w]);
    const y = ctx.emit('Resize', [ctx.transpose(node.inputs[0], TO_NCHW), '', '', sizes], { mode: str(mode), coordinate_transformation_mode: str(coordinates), ...nearest });
    ctx.transpose(y, TO_NHWC, node.outputs[0]);
  };
}

/** RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR. */
export const liftResizeBilinear = resize('linear');
export const liftResizeNearest = resize('nearest');
