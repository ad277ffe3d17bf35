// TensorFlow DepthToSpace / SpaceToDepth (NHWC) as the ONNX ops in NCHW: TensorFlow's channel order is ONNX's DCR.
import { attrInt } from '../../../ir/graph.ts';
import { int, str, TO_NCHW, TO_NHWC, type TfjsLifter } from '../context.ts';
import { requireNhwc } from './common.ts';

function depthSpace(op: 'DepthToSpace' | 'SpaceToDepth'): TfjsLifter {
  return (node, ctx) => {
    requireNhwc(node);
    const attrs = { blocksize: int(attrInt(node, 'block_size', 2)), ...(op === 'DepthToSpace' ? { mode: str('DCR') } : {}) };
    ctx.transpose(ctx.emit(op, [ctx.transpose(node.inputs[0], TO_NCHW)], attrs), TO_NHWC, node.outputs[0]);
  };
}

export const liftDepthToSpace = depthSpace('DepthToSpace');
export const liftSpaceToDepth = depthSpace('SpaceToDepth');
