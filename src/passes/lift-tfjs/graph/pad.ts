// TensorFlow Pad, PadV2 (constant value) and MirrorPad (REFLECT) as ONNX Pad.
import { attrString } from '../../../ir/graph.ts';
import { int, LiftRefusal, str, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { castTo } from './common.ts';

/** ONNX pads [befores…, afters…] from TensorFlow paddings [[before, after] per axis]: a constant when known, else gathered. */
function onnxPads(ctx: TfjsLiftContext, x: string, paddings: string): string {
  const p = ctx.knownInts(paddings);
  const rank = p ? p.length / 2 : ctx.rank(x);
  const order = [...Array.from({ length: rank }, (_, i) => 2 * i), ...Array.from({ length: rank }, (_, i) => 2 * i + 1)];
  if (p) return ctx.int64s('pads', order.map((k) => p[k]));
  const flat = ctx.emit('Reshape', [castTo(ctx, paddings, 'int64'), ctx.int64s('flat', [-1])]);
  return ctx.emit('Gather', [flat, ctx.int64s('order', order)], { axis: int(0) });
}

/** Pad (zeros) and PadV2 (its third input, of the data's type, is the value). */
export const liftPad: TfjsLifter = (node, ctx) => {
  const [x, paddings, value] = node.inputs;
  ctx.emit('Pad', [x, onnxPads(ctx, x, paddings), ...(value ? [value] : [])], { mode: str('constant') }, node.outputs[0]);
};

/** MirrorPad: REFLECT is ONNX 'reflect'; SYMMETRIC (edge repeated) has no ONNX mode. */
export const liftMirrorPad: TfjsLifter = (node, ctx) => {
  const mode = attrString(node, 'mode', 'REFLECT');
  if (mode !== 'REFLECT') throw new LiftRefusal(`MirrorPad mode ${mode} has no ONNX Pad mode`);
  ctx.emit('Pad', [node.inputs[0], onnxPads(ctx, node.inputs[0], node.inputs[1])], { mode: str('reflect') }, node.outputs[0]);
};
