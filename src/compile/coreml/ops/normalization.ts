// Normalisations → MIL: BatchNormalization, InstanceNormalization, LayerNormalization (gamma/beta shaped like the normalised axes), LpNormalization.
import { attrFloat, attrInt, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

/** Emits BatchNormalization (inference form) and InstanceNormalization. */
export function emitChannelNorm(node: Node, ctx: MilEmitContext): void {
  const [x, scale, bias, mean, variance] = node.inputs;
  const epsilon = ctx.scalar('epsilon', attrFloat(node, 'epsilon', 1e-5), 'float');
  if (node.op === 'InstanceNormalization') {
    ctx.emit('instance_norm', node, { x: ctx.input(x), gamma: ctx.input(scale), beta: ctx.input(bias), epsilon });
    return;
  }
  if (node.outputs.length > 1 && node.outputs.slice(1).some((o) => o)) throw new Unmappable('BatchNormalization in training mode');
  ctx.emit('batch_norm', node, { x: ctx.input(x), mean: ctx.input(mean), variance: ctx.input(variance), gamma: ctx.input(scale), beta: ctx.input(bias), epsilon });
}

/** Emits LayerNormalization over axes [axis, rank). */
export function emitLayerNorm(node: Node, ctx: MilEmitContext): void {
  const [x, scale, bias] = node.inputs;
  const xs = ctx.shape(x);
  let axis = attrInt(node, 'axis', -1);
  if (axis < 0) axis += xs.length;
  if (node.outputs.slice(1).some((o) => o)) throw new Unmappable('LayerNormalization mean/inv_std_dev outputs are not supported');
  const normShape = xs.slice(axis);
  const count = normShape.reduce((a, b) => a * b, 1);
  const param = (name: string | undefined, fill: number, what: string) => {
    const values = name ? ctx.constFloats(name, what) : new Float32Array(count).fill(fill);
    if (values.length !== count) throw new Unmappable(`${what} does not cover the normalised axes exactly`);
    return ctx.floats(`${node.name}_${what}`, normShape, values);
  };
  ctx.emit('layer_norm', node, {
    x: ctx.input(x), axes: ctx.ints('axes', normShape.map((_, i) => axis + i)), gamma: param(scale, 1, 'gamma'), beta: param(bias, 0, 'beta'),
    epsilon: ctx.scalar('epsilon', attrFloat(node, 'epsilon', 1e-5), 'float'),
  });
}

/** Emits LpNormalization as x / reduce_l{1,2}_norm(x) over the axis. */
export function emitLpNorm(node: Node, ctx: MilEmitContext): void {
  const xs = ctx.shape(node.inputs[0]);
  let axis = attrInt(node, 'axis', -1);
  if (axis < 0) axis += xs.length;
  const p = attrInt(node, 'p', 2);
  if (p !== 1 && p !== 2) throw new Unmappable(`LpNormalization p=${p}`);
  const x = ctx.input(node.inputs[0]);
  const t = ctx.milType(node.outputs[0]);
  const normShape = xs.map((d, i) => (i === axis ? 1 : d));
  const n = ctx.temp(p === 2 ? 'reduce_l2_norm' : 'reduce_l1_norm', node, { x, axes: ctx.ints('axes', [axis]), keep_dims: ctx.scalar('keep_dims', true) }, `${node.name}_norm`, { dtype: t.dtype, shape: normShape });
  ctx.emit('real_div', node, { x, y: n });
}
