// TensorFlow FusedBatchNorm / V2 / V3 (inference) as y = x·a + b along the NHWC channel axis.
import { attrFloat, attrInt } from '../../../ir/graph.ts';
import { LiftRefusal, type TfjsLifter } from '../context.ts';
import { requireNhwc } from './common.ts';

/**
 * FusedBatchNorm in inference mode: a = scale / √(variance + ε), b = offset − mean·a (folded at lift time when the four
 * operands are constants, else computed). Outputs 1 and 2 (batch mean and variance) are the given mean and variance.
 */
export const liftFusedBatchNorm: TfjsLifter = (node, ctx) => {
  requireNhwc(node);
  if (attrInt(node, 'is_training', 0) === 1) throw new LiftRefusal('training-mode batch norm (statistics of the batch) is not supported');
  const [x, scale, offset, mean, variance] = node.inputs;
  const eps = attrFloat(node, 'epsilon', 1e-4);
  let a: string, b: string;
  try {
    const [s, o, m, v] = [ctx.floats(scale, 'scale'), ctx.floats(offset, 'offset'), ctx.floats(mean, 'mean'), ctx.floats(variance, 'variance')];
    const fa = s.map((si, i) => si / Math.sqrt(v[i] + eps));
    a = ctx.addConstant(`${node.name}_a`, 'float32', [fa.length], fa);
    b = ctx.addConstant(`${node.name}_b`, 'float32', [fa.length], o.map((oi, i) => oi - m[i] * fa[i]));
  } catch (e) {
    if (!(e instanceof LiftRefusal)) throw e;
    a = ctx.emit('Div', [scale, ctx.emit('Sqrt', [ctx.emit('Add', [variance, ctx.scalar('epsilon', eps)])])]);
    b = ctx.emit('Sub', [offset, ctx.emit('Mul', [mean, a])]);
  }
  ctx.emit('Add', [ctx.emit('Mul', [x, a]), b], {}, node.outputs[0]);
  if (node.outputs[1]) ctx.emit('Identity', [mean], {}, node.outputs[1]);
  if (node.outputs[2]) ctx.emit('Identity', [variance], {}, node.outputs[2]);
  if (node.outputs.length > 3) throw new LiftRefusal('outputs beyond y, mean and variance (reserve spaces) are read');
};
