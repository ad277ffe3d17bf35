// Activation MIL ops (iOS15 activation.py, clip): computed in double, stored in x's dtype (fp16 rounded to half).
import type { Kernel, OpContext } from '../context.ts';
import { asFloat32, floatOut, fromNumbers, isFloatDtype, tensor, type RtTensor } from '../value.ts';
import { erf } from './math.ts';

function floatInput(ctx: OpContext): RtTensor {
  const x = ctx.tensor('x');
  if (!isFloatDtype(x.dtype)) throw ctx.error(`x is ${x.dtype}; expected fp16/fp32`);
  return x;
}

/** A parameter in x's dtype (alpha/beta constants are typed T: an fp16 op's constants are halves). */
function param(ctx: OpContext, x: RtTensor, name: string, def?: number): number {
  return fromNumbers(x.dtype, [], [ctx.num(name, def)]).data[0] as number;
}

/** An elementwise activation whose function may depend on the op's scalar parameters. */
function activation(make: (ctx: OpContext, x: RtTensor) => (v: number) => number): Kernel {
  return (ctx) => {
    const x = floatInput(ctx);
    const f = make(ctx, x);
    const a = asFloat32(x);
    const out = floatOut(x.dtype, a.length);
    for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
    return tensor(x.dtype, [...x.shape], out);
  };
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

const gelu: Kernel = activation((ctx) => {
  const mode = ctx.str('mode', 'EXACT');
  if (mode === 'EXACT') return (v) => 0.5 * v * (1 + erf(v / Math.SQRT2));
  if (mode === 'TANH_APPROXIMATION') {
    const k = Math.sqrt(2 / Math.PI);
    return (v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
  }
  if (mode === 'SIGMOID_APPROXIMATION') return (v) => v * sigmoid(1.702 * v);
  throw ctx.error(`unknown mode '${mode}' (EXACT, TANH_APPROXIMATION, SIGMOID_APPROXIMATION)`);
});

/** prelu: alpha per channel (axis 1). */
const prelu: Kernel = (ctx) => {
  const x = floatInput(ctx);
  if (x.shape.length < 3) throw ctx.error(`x must be rank 3 to 5, got rank ${x.shape.length}`);
  const alpha = asFloat32(ctx.tensor('alpha'));
  const c = x.shape[1];
  if (alpha.length !== c) throw ctx.error(`alpha has ${alpha.length} values for ${c} channels`);
  const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    out[i] = v > 0 ? v : alpha[Math.floor(i / inner) % c] * v;
  }
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** softmax over `axis` (default -1): exp(x - max) / sum, accumulated in double. */
const softmax: Kernel = (ctx) => {
  const x = floatInput(ctx);
  const rank = x.shape.length;
  let axis = ctx.num('axis', -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw ctx.error(`axis ${ctx.num('axis', -1)} out of range for rank ${rank}`);
  const n = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const a = asFloat32(x);
  const out = new Float64Array(a.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, a[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const e = Math.exp(a[base + k * inner] - max);
        out[base + k * inner] = e;
        sum += e;
      }
      for (let k = 0; k < n; k++) out[base + k * inner] /= sum;
    }
  }
  return fromNumbers(x.dtype, [...x.shape], out);
};

/** Activation kernels by op type. */
export const ACTIVATION_KERNELS: Record<string, Kernel> = {
  relu: activation(() => (v) => (v > 0 ? v : v === v ? 0 : v)),
  relu6: activation(() => (v) => Math.min(Math.max(v, 0), 6)),
  sigmoid: activation(() => sigmoid),
  silu: activation(() => (v) => v * sigmoid(v)),
  softplus: activation(() => (v) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0)),
  softsign: activation(() => (v) => v / (1 + Math.abs(v))),
  gelu,
  sigmoid_hard: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    const beta = param(ctx, x, 'beta');
    return (v) => Math.min(Math.max(alpha * v + beta, 0), 1);
  }),
  leaky_relu: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    return (v) => (v >= 0 ? v : alpha * v);
  }),
  elu: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    return (v) => (v > 0 ? v : alpha * Math.expm1(v));
  }),
  clip: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    const beta = param(ctx, x, 'beta');
    return (v) => Math.min(Math.max(v, alpha), beta);
  }),
  clamped_relu: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    const beta = param(ctx, x, 'beta');
    return (v) => (v >= 0 ? Math.min(v, beta) : Math.min(alpha * v, beta));
  }),
  linear_activation: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    const beta = param(ctx, x, 'beta');
    return (v) => alpha * v + beta;
  }),
  scaled_tanh: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha');
    const beta = param(ctx, x, 'beta');
    return (v) => alpha * Math.tanh(beta * v);
  }),
  thresholded_relu: activation((ctx, x) => {
    const alpha = param(ctx, x, 'alpha', 1);
    return (v) => (v > alpha ? v : 0);
  }),
  prelu,
  softmax,
};
