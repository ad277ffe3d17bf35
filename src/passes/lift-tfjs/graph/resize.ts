// TensorFlow ResizeBilinear / ResizeNearestNeighbor as ONNX Resize in NCHW, with the sampling positions TF.js uses.
import { attrInt, type Attribute } from '../../../ir/graph.ts';
import { int, LiftRefusal, str, TO_NCHW, TO_NHWC, type TfjsLifter } from '../context.ts';
import { castTo } from './common.ts';

/**
 * Coordinate mapping per TensorFlow flag: align_corners → 'align_corners'; half_pixel_centers → 'half_pixel' for
 * bilinear ((out + ½)·scale − ½, clamped like ONNX) and 'tf_half_pixel_for_nn' for nearest ((out + ½)·scale, floored);
 * neither → 'asymmetric'. Nearest rounds align-corners positions (TF: round half up) and floors the others.
 */
function resize(mode: 'linear' | 'nearest'): TfjsLifter {
  return (node, ctx) => {
    const [x, sizeIn] = node.inputs;
    const alignCorners = attrInt(node, 'align_corners', 0) === 1;
    const halfPixel = attrInt(node, 'half_pixel_centers', 0) === 1;
    if (alignCorners && halfPixel) throw new LiftRefusal('align_corners and half_pixel_centers are both set');
    const coordinates = alignCorners ? 'align_corners' : !halfPixel ? 'asymmetric' : mode === 'linear' ? 'half_pixel' : 'tf_half_pixel_for_nn';
    const nearest: Record<string, Attribute> = mode === 'nearest' ? { nearest_mode: str(alignCorners ? 'round_prefer_ceil' : 'floor') } : {};
    const nchw = ctx.transpose(x, TO_NCHW);
    const dims = ctx.dims(x);
    const size = ctx.knownInts(sizeIn);
    const [n, c] = [dims?.[0], dims?.[3]];
    let sizes: string;
    if (size && typeof n === 'number' && typeof c === 'number') sizes = ctx.int64s('sizes', [n, c, ...size]);
    else {
      const nc = ctx.emit('Slice', [ctx.emit('Shape', [nchw]), ctx.int64s('zero', [0]), ctx.int64s('two', [2])]);
      sizes = ctx.emit('Concat', [nc, size ? ctx.int64s('hw', size) : castTo(ctx, sizeIn, 'int64')], { axis: int(0) });
    }
    const y = ctx.emit('Resize', [nchw, '', '', sizes], { mode: str(mode), coordinate_transformation_mode: str(coordinates), ...nearest });
    ctx.transpose(y, TO_NHWC, node.outputs[0]);
  };
}

export const liftResizeBilinear = resize('linear');
export const liftResizeNearestNeighbor = resize('nearest');
