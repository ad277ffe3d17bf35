// Keras activations (the `activation` argument and the Activation, ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax layers) as ONNX ops.
import { int, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { configOf, float, onlyInput, requireWeight } from './common.ts';

/** An activation identifier as a snake_case name: 'relu', 'hardSigmoid' → 'hard_sigmoid', Keras 3 `{config: 'relu'}`. */
export function activationName(value: unknown): string {
  if (value === undefined || value === null) return 'linear';
  const name = typeof value === 'string' ? value : typeof value === 'object' && typeof (value as { config?: unknown }).config === 'string' ? (value as { config: string }).config
    : typeof value === 'object' && typeof (value as { class_name?: unknown }).class_name === 'string' ? (value as { class_name: string }).class_name : undefined;
  if (!name) throw new LiftRefusal(`activation ${JSON.stringify(value)} is not understood`);
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** x · sigmoid(x) (swish / silu). */
function swish(ctx: TfjsLiftContext, x: string, output?: string): string {
  return ctx.emit('Mul', [x, ctx.emit('Sigmoid', [x])], {}, output);
}

/**
 * Applies Keras activation `value` (a name or identifier) to `x` as TF.js computes it; `axis` is the axis softmax
 * normalises (Keras' last axis, wherever the lift keeps it). Writes `output` when given; returns the result's name.
 */
export function applyActivation(ctx: TfjsLiftContext, value: unknown, x: string, axis: number, output?: string): string {
  const name = activationName(value);
  const unary = (op: string, attrs = {}) => ctx.emit(op, [x], attrs, output);
  switch (name) {
    case 'linear': return output ? ctx.emit('Identity', [x], {}, output) : x;
    case 'relu': return unary('Relu');
    case 'relu6': return ctx.clip(x, 0, 6, output);
    case 'sigmoid': return unary('Sigmoid');
    // tfjs-layers 4.22 (K.hardSigmoid): clip(0.2·x + 0.5, 0, 1), the Keras 2 definition.
    case 'hard_sigmoid': return unary('HardSigmoid', { alpha: float(0.2), beta: float(0.5) });
    case 'tanh': return unary('Tanh');
    case 'softmax': return unary('Softmax', { axis: int(axis) });
    case 'log_softmax': return unary('LogSoftmax', { axis: int(axis) });
    case 'softplus': return unary('Softplus');
    case 'softsign': return unary('Softsign');
    case 'elu': return unary('Elu', { alpha: float(1) });
    case 'selu': return unary('Selu');
    case 'swish': case 'silu': return swish(ctx, x, output);
    case 'exponential': return unary('Exp');
    case 'mish': return ctx.emit('Mul', [x, ctx.emit('Tanh', [ctx.emit('Softplus', [x])])], {}, output);
    case 'gelu': {
      // Exact GELU as tfjs-layers computes it: x · ½(1 + erf(x/√2)).
      const erf = ctx.emit('Erf', [ctx.emit('Div', [x, ctx.scalar('sqrt2', Math.SQRT2)])]);
      const cdf = ctx.emit('Mul', [ctx.emit('Add', [erf, ctx.scalar('one', 1)]), ctx.scalar('half', 0.5)]);
      return ctx.emit('Mul', [x, cdf], {}, output);
    }
    case 'gelu_new': {
      // ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
      const cube = ctx.emit('Mul', [ctx.emit('Mul', [x, x]), x]);
      const inner = ctx.emit('Mul', [ctx.emit('Add', [x, ctx.emit('Mul', [cube, ctx.scalar('c', 0.044715)])]), ctx.scalar('k', Math.sqrt(2 / Math.PI))]);
      const gate = ctx.emit('Mul', [ctx.emit('Add', [ctx.emit('Tanh', [inner]), ctx.scalar('one', 1)]), ctx.scalar('half', 0.5)]);
      return ctx.emit('Mul', [x, gate], {}, output);
    }
    default: throw new LiftRefusal(`activation '${name}' has no ONNX lifting`);
  }
}

/** Activation layer. */
export const liftActivation: TfjsLifter = (node, ctx) => {
  applyActivation(ctx, configOf(node).activation, onlyInput(node), -1, node.outputs[0]);
};

/**
 * ReLU layer, Keras semantics: max_value above, x from threshold up, negative_slope·(x − threshold) below.
 * (tfjs-layers 4.22 ignores negative_slope and threshold; with their defaults both agree.)
 */
export const liftReLU: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const x = onlyInput(node);
  const max = typeof c.max_value === 'number' ? c.max_value : undefined;
  const slope = typeof c.negative_slope === 'number' ? c.negative_slope : 0;
  const threshold = typeof c.threshold === 'number' ? c.threshold : 0;
  const out = node.outputs[0];
  if (threshold === 0) {
    const y = slope === 0 ? (max === undefined ? ctx.emit('Relu', [x], {}, out) : undefined) : ctx.emit('LeakyRelu', [x], { alpha: float(slope) }, max === undefined ? out : undefined);
    if (y === undefined) ctx.clip(x, 0, max!, out);
    else if (max !== undefined) ctx.emit('Min', [y, ctx.scalar('max_value', max)], {}, out);
    return;
  }
  // x ≥ threshold ? x : slope·(x − threshold), then min(…, max_value).
  const below = ctx.emit('Mul', [ctx.emit('Sub', [x, ctx.scalar('threshold', threshold)]), ctx.scalar('negative_slope', slope)]);
  const y = ctx.emit('Where', [ctx.emit('GreaterOrEqual', [x, ctx.scalar('threshold', threshold)]), x, below], {}, max === undefined ? out : undefined);
  if (max !== undefined) ctx.emit('Min', [y, ctx.scalar('max_value', max)], {}, out);
};

/** LeakyReLU (alpha, default 0.3; Keras 3 calls it negative_slope). */
export const liftLeakyReLU: TfjsLifter = (node, ctx) => {
  const c = configOf(node);
  const alpha = typeof c.alpha === 'number' ? c.alpha : typeof c.negative_slope === 'number' ? c.negative_slope : 0.3;
  ctx.emit('LeakyRelu', [onlyInput(node)], { alpha: float(alpha) }, node.outputs[0]);
};

/** PReLU: alpha has the input's shape without batch (shared axes of size 1), so it broadcasts as ONNX PRelu's slope. */
export const liftPReLU: TfjsLifter = (node, ctx) => {
  const alpha = requireWeight(node, 'alpha');
  const dims = ctx.constant(alpha, 'alpha').dims;
  const slope = ctx.addConstant(`${alpha}_slope`, 'float32', [1, ...dims], ctx.floats(alpha, 'alpha'));
  ctx.emit('PRelu', [onlyInput(node), slope], {}, node.outputs[0]);
};

/** ELU layer (alpha; tfjs-layers supports only 1). */
export const liftELU: TfjsLifter = (node, ctx) => {
  const alpha = configOf(node).alpha;
  ctx.emit('Elu', [onlyInput(node)], { alpha: float(typeof alpha === 'number' ? alpha : 1) }, node.outputs[0]);
};

/** ThresholdedReLU: x where x > theta, else 0. */
export const liftThresholdedReLU: TfjsLifter = (node, ctx) => {
  const theta = configOf(node).theta;
  ctx.emit('ThresholdedRelu', [onlyInput(node)], { alpha: float(typeof theta === 'number' ? theta : 1) }, node.outputs[0]);
};

/** Softmax layer over `axis` (tfjs-layers' default when the config has none is 1). */
export const liftSoftmax: TfjsLifter = (node, ctx) => {
  const axis = configOf(node).axis;
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : undefined) : axis ?? 1;
  if (typeof a !== 'number') throw new LiftRefusal(`softmax over axes ${JSON.stringify(axis)} has no ONNX lifting`);
  ctx.emit('Softmax', [onlyInput(node)], { axis: int(a) }, node.outputs[0]);
};
