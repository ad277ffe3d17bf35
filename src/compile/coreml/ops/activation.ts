// Activations → MIL: Clip (relu/relu6/clip/maximum/minimum), LeakyRelu, Elu, HardSigmoid, HardSwish, Gelu, PRelu, Softmax, LogSoftmax.
import { attrFloat, attrInt, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

/** Constant [min, max] of a Clip (attributes before opset 11, inputs after), or an Unmappable. */
function clipBounds(node: Node, ctx: MilEmitContext): [number, number] {
  if (ctx.opset < 11) return [attrFloat(node, 'min', -Infinity), attrFloat(node, 'max', Infinity)];
  const bound = (slot: number, fallback: number) => {
    const name = node.inputs[slot];
    if (!name) return fallback;
    const v = ctx.constNumbers(name, 'clip bound');
    if (v.length !== 1) throw new Unmappable('clip bound is not a scalar');
    return v[0];
  };
  return [bound(1, -Infinity), bound(2, Infinity)];
}

/** Emits Clip. */
export function emitClip(node: Node, ctx: MilEmitContext): void {
  const [lo, hi] = clipBounds(node, ctx);
  const x = ctx.input(node.inputs[0]);
  const finite = (v: number) => Number.isFinite(v) && Math.abs(v) < 3.4e38;
  if (lo === 0 && !finite(hi)) ctx.emit('relu', node, { x });
  else if (lo === 0 && hi === 6) ctx.emit('relu6', node, { x });
  else if (finite(lo) && finite(hi)) ctx.emit('clip', node, { x, alpha: ctx.scalar('alpha', lo, 'float'), beta: ctx.scalar('beta', hi, 'float') });
  else if (finite(lo)) ctx.emit('maximum', node, { x, y: ctx.scalar('lo', lo, 'float') });
  else if (finite(hi)) ctx.emit('minimum', node, { x, y: ctx.scalar('hi', hi, 'float') });
  else ctx.emit('identity', node, { x });
}

/** Emits LeakyRelu, Elu, HardSigmoid, HardSwish, Gelu. */
export function emitParametric(node: Node, ctx: MilEmitContext): void {
  const x = ctx.input(node.inputs[0]);
  const f = (name: string, v: number) => ctx.scalar(name, v, 'float');
  switch (node.op) {
    case 'LeakyRelu': ctx.emit('leaky_relu', node, { x, alpha: f('alpha', attrFloat(node, 'alpha', 0.01)) }); return;
    case 'Elu': ctx.emit('elu', node, { x, alpha: f('alpha', attrFloat(node, 'alpha', 1)) }); return;
    case 'HardSigmoid': ctx.emit('sigmoid_hard', node, { x, alpha: f('alpha', attrFloat(node, 'alpha', 0.2)), beta: f('beta', attrFloat(node, 'beta', 0.5)) }); return;
    case 'HardSwish': {
      const gate = ctx.temp('sigmoid_hard', node, { x, alpha: f('alpha', 1 / 6), beta: f('beta', 0.5) }, `${node.name}_gate`, ctx.milType(node.outputs[0]));
      ctx.emit('mul', node, { x, y: gate });
      return;
    }
    case 'Gelu': ctx.emit('gelu', node, { x, mode: ctx.scalar('mode', attrString(node, 'approximate', 'none') === 'tanh' ? 'TANH_APPROXIMATION' : 'EXACT', 'string') }); return;
    default: throw new Unmappable(`no Core ML mapping for ${node.op}`);
  }
}

/** Emits PRelu: MIL prelu for a per-channel slope over rank ≥ 3, else max(x, 0) + slope · min(x, 0). */
export function emitPRelu(node: Node, ctx: MilEmitContext): void {
  const [xName, s] = node.inputs;
  const xs = ctx.shape(xName);
  const slope = ctx.constant(s) ? ctx.constFloats(s, 'slope') : undefined;
  const ss = ctx.shape(s);
  const x = ctx.input(xName);
  const channelwise = slope && xs.length >= 3 && (ss.length === xs.length - 1 || ss.length === xs.length) &&
    ss.slice(ss.length - (xs.length - 1)).every((d, i) => (i === 0 ? d === xs[1] || d === 1 : d === 1));
  if (channelwise && slope) {
    const alpha = slope.length === 1 ? new Float32Array(xs[1]).fill(slope[0]) : slope;
    ctx.emit('prelu', node, { x, alpha: ctx.floats(`${node.name}_alpha`, [xs[1]], alpha) });
    return;
  }
  const t = ctx.milType(node.outputs[0]);
  const zero = ctx.scalar('zero', 0, 'float');
  const pos = ctx.temp('maximum', node, { x, y: zero }, `${node.name}_pos`, t);
  const neg = ctx.temp('minimum', node, { x, y: zero }, `${node.name}_neg`, t);
  const scaled = ctx.temp('mul', node, { x: neg, y: ctx.input(s) }, `${node.name}_scaled`, t);
  ctx.emit('add', node, { x: pos, y: scaled });
}

/** Emits Softmax / LogSoftmax (before opset 13 only over the last axis, where both definitions agree). */
export function emitSoftmax(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  let axis = attrInt(node, 'axis', ctx.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (ctx.opset < 13 && axis !== rank - 1) throw new Unmappable(`${node.op} before opset 13 over axis ${axis} of ${rank} (a flattened softmax) is not supported`);
  const inputs = { x: ctx.input(node.inputs[0]), axis: ctx.scalar('axis', axis) };
  if (node.op === 'Softmax') ctx.emit('softmax', node, inputs);
  else ctx.emit('log', node, { x: ctx.temp('softmax', node, inputs, `${node.name}_softmax`, ctx.milType(node.outputs[0])) });
}
