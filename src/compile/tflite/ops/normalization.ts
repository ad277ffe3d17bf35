// LayerNormalization → its decomposition over the stored axes (MEAN, SUB, MUL, MEAN, ADD ε, RSQRT, MUL, scale, bias), a float island in int8 models.
import { attrFloat, attrInt, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity } from '../layout.ts';
import { constOperand } from './elementwise.ts';

/** Emits ONNX LayerNormalization (opset 17) in the layout its input is stored in. */
export function emitLayerNorm(node: Node, ctx: EmitContext): void {
  const [x, scale, bias] = node.inputs;
  if (node.outputs.slice(1).some(Boolean)) throw new Unmappable('the Mean / InvStdDev outputs are not supported');
  const shape = ctx.shape(x);
  const rank = shape.length;
  let axis = attrInt(node, 'axis', -1);
  if (axis < 0) axis += rank;
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const { perm } = ctx.emitted(x);
  const input = ctx.input(x);
  const stored = ctx.draft.graph.tensors[input].shape;
  const axes = identity(rank).filter((a) => a >= axis);
  const reduced = stored.map((d, i) => (perm[i] >= axis ? 1 : d));
  const axesT = ctx.draft.int32(`${node.name}/axes`, axes.map((a) => perm.indexOf(a)));
  const y = node.outputs[0];
  const keep = { table: 'ReducerOptions', values: { keep_dims: true } };
  const plain = (table: string) => ({ table, values: { fused_activation_function: 0 } });
  // Float in an int8 model too: the intermediates have no calibrated range.
  ctx.draft.floatIsland(() => {
    const mean = ctx.temp(`${y}/mean`, reduced, { value: x });
    ctx.draft.op('MEAN', [input, axesT], [mean], node.name, keep);
    const centred = ctx.temp(`${y}/centred`, stored);
    ctx.draft.op('SUB', [input, mean], [centred], node.name, plain('SubOptions'));
    const squared = ctx.temp(`${y}/squared`, stored);
    ctx.draft.op('MUL', [centred, centred], [squared], node.name, plain('MulOptions'));
    const variance = ctx.temp(`${y}/variance`, reduced);
    ctx.draft.op('MEAN', [squared, axesT], [variance], node.name, keep);
    const shifted = ctx.temp(`${y}/variance_eps`, reduced);
    ctx.draft.op('ADD', [variance, ctx.floatConst(`${node.name}/epsilon`, Float32Array.of(eps), [], 'operand')], [shifted], node.name, plain('AddOptions'));
    const inv = ctx.temp(`${y}/inv_std`, reduced);
    ctx.draft.op('RSQRT', [shifted], [inv], node.name);
    const normed = scale || bias ? ctx.temp(`${y}/normalized`, stored) : ctx.define(y, perm);
    ctx.draft.op('MUL', [centred, inv], [normed], node.name, plain('MulOptions'));
    let cur = normed;
    if (scale) {
      const next = bias ? ctx.temp(`${y}/scaled`, stored) : ctx.define(y, perm);
      ctx.draft.op('MUL', [cur, constOperand(ctx, scale, rank, perm)], [next], node.name, plain('MulOptions'));
      cur = next;
    }
    if (bias) ctx.draft.op('ADD', [cur, constOperand(ctx, bias, rank, perm)], [ctx.define(y, perm)], node.name, plain('AddOptions'));
  });
}
