// Keras BatchNormalization (inference: moving statistics) and LayerNormalization as ONNX ops.
import type { Node } from '../../../ir/graph.ts';
import { LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { axisToFront, configOf, float, inversePerm, onlyInput, requireWeight, weightOf } from './common.ts';

/** The layer's weight `role`, or a constant of `fill` shaped like `like` (gamma = 1 / beta = 0 when scale/center are off). */
function weightOr(ctx: TfjsLiftContext, node: Node, role: string, like: string, fill: number): string {
  const w = weightOf(node, role);
  if (w) return w;
  const dims = ctx.constant(like, 'weight').dims;
  return ctx.addConstant(`${node.name}_${role}`, 'float32', [...dims], new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill));
}

/** A single Keras `axis` argument (an int, or a list of one). */
function singleAxis(value: unknown, fallback: number): number {
  const a = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value ?? fallback;
  if (typeof a !== 'number') throw new LiftRefusal(`normalisation over axes ${JSON.stringify(value)} has no ONNX lifting`);
  return a;
}

/** BatchNormalization (axis, epsilon, center/scale) as ONNX BatchNormalization with the axis moved to 1 (NCHW for images). */
export const liftBatchNormalization: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const rank = ctx.rank(x);
  const mean = requireWeight(node, 'moving_mean');
  const params = [weightOr(ctx, node, 'gamma', mean, 1), weightOr(ctx, node, 'beta', mean, 0), mean, requireWeight(node, 'moving_variance')];
  const epsilon = { epsilon: float(typeof c.epsilon === 'number' ? c.epsilon : 1e-3) };
  const axis = singleAxis(c.axis, -1);
  const a = axis < 0 ? axis + rank : axis;
  if (a === 1) {
    ctx.emit('BatchNormalization', [x, ...params], epsilon, node.outputs[0]);
    return;
  }
  const perm = axisToFront(rank, a);
  const y = ctx.emit('BatchNormalization', [ctx.transpose(x, perm), ...params], epsilon);
  ctx.transpose(y, inversePerm(perm), node.outputs[0]);
};

/** LayerNormalization over trailing axes (gamma/beta over those axes, epsilon). */
export const liftLayerNormalization: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const rank = ctx.rank(x);
  const axes = (Array.isArray(c.axis) ? c.axis : [c.axis ?? -1]).map((v) => (typeof v === 'number' ? (v < 0 ? v + rank : v) : NaN)).sort((p, q) => p - q);
  if (!axes.length || axes.some((v, i) => v !== rank - axes.length + i)) throw new LiftRefusal(`layer normalisation over axes ${JSON.stringify(c.axis)} (not the trailing ones) has no ONNX lifting`);
  const gamma = weightOf(node, 'gamma');
  const beta = weightOf(node, 'beta');
  const ones = (dims: number[]) => ctx.addConstant(`${node.name}_gamma`, 'float32', dims, new Float32Array(dims.reduce((p, q) => p * q, 1)).fill(1));
  const scale = gamma ?? ones(ctx.shape(x).slice(axes[0]));
  const epsilon = float(typeof c.epsilon === 'number' ? c.epsilon : 1e-3);
  ctx.emit('LayerNormalization', [x, scale, ...(beta ? [beta] : [])], { axis: { type: 'int', value: axes[0] }, epsilon }, node.outputs[0]);
};
