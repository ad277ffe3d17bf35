// TensorFlow GatherV2 as ONNX Gather (int32 indices are fine in ONNX; batch_dims other than 0 is refused).
import { attrInt } from '../../../ir/graph.ts';
import { int, LiftRefusal, type TfjsLifter } from '../context.ts';
import { normAxis } from './common.ts';

/** GatherV2(params, indices, axis) and Gather(params, indices) (axis 0). */
export const liftGather: TfjsLifter = (node, ctx) => {
  const [params, indices, axisIn] = node.inputs;
  if (attrInt(node, 'batch_dims', 0) !== 0) throw new LiftRefusal(`batch_dims ${attrInt(node, 'batch_dims', 0)} is not supported`);
  const axis = axisIn ? ctx.requireInts(axisIn, 'axis')[0] : 0;
  ctx.emit('Gather', [params, indices], { axis: int(normAxis(axis, ctx.rank(params))) }, node.outputs[0]);
};
