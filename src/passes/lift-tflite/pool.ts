// Lifts TFLite pooling (MAX_POOL_2D, AVERAGE_POOL_2D) to ONNX MaxPool/AveragePool in NCHW.
import { attrInt, type Node } from '../../ir/graph.ts';
import { int, ints, spatialPads, TO_NCHW, TO_NHWC, type LiftContext } from './context.ts';
import type { Lifter } from './lifter.ts';

function pool(op: 'MaxPool' | 'AveragePool'): Lifter {
  return (node: Node, ctx: LiftContext) => {
    const input = ctx.shape4(node.inputs[0]);
    const kernel: [number, number] = [attrInt(node, 'filter_height', 1), attrInt(node, 'filter_width', 1)];
    const stride: [number, number] = [attrInt(node, 'stride_h', 1), attrInt(node, 'stride_w', 1)];
    // TFLite's average pooling divides by the number of pixels inside the image (count_include_pad = 0).
    const attrs = { kernel_shape: ints(kernel), strides: ints(stride), pads: ints(spatialPads(node, input, kernel, stride)), ...(op === 'AveragePool' ? { count_include_pad: int(0) } : {}) };
    const y = ctx.emit(op, [ctx.transpose(node.inputs[0], TO_NCHW)], attrs);
    ctx.transpose(ctx.fusedActivation(node, y), TO_NHWC, node.outputs[0]);
  };
}

/** MAX_POOL_2D. */
export const liftMaxPool2d = pool('MaxPool');
/** AVERAGE_POOL_2D. */
export const liftAveragePool2d = pool('AveragePool');
