// MaxPool/AveragePool → max_pool/avg_pool; GlobalAveragePool/GlobalMaxPool → reduce_mean/reduce_max over the spatial axes.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';
import { windowOf } from './window.ts';

/** Emits one ONNX MaxPool or AveragePool. */
export function emitPool(node: Node, ctx: MilEmitContext): void {
  const x = node.inputs[0];
  const xs = ctx.shape(x);
  if (node.outputs.length > 1 && node.outputs[1]) throw new Unmappable('MaxPool indices output is not supported');
  const kernel = attrInts(node, 'kernel_shape', []);
  const win = windowOf(node, xs.slice(2), kernel);
  if (win.dilations.some((d) => d !== 1)) throw new Unmappable('dilated pooling is not supported');
  const inputs: Record<string, string> = {
    x: ctx.input(x), kernel_sizes: ctx.ints('kernel_sizes', kernel), strides: ctx.ints('strides', win.strides),
    pad_type: ctx.scalar('pad_type', 'custom'), pad: ctx.ints('pad', win.pad), ceil_mode: ctx.scalar('ceil_mode', attrInt(node, 'ceil_mode', 0) === 1),
  };
  if (node.op === 'AveragePool') inputs.exclude_padding_from_average = ctx.scalar('exclude_padding_from_average', attrInt(node, 'count_include_pad', 0) === 0);
  ctx.emit(node.op === 'MaxPool' ? 'max_pool' : 'avg_pool', node, inputs);
}

/** Emits one ONNX GlobalAveragePool or GlobalMaxPool. */
export function emitGlobalPool(node: Node, ctx: MilEmitContext): void {
  const rank = ctx.shape(node.inputs[0]).length;
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  ctx.emit(node.op === 'GlobalAveragePool' ? 'reduce_mean' : 'reduce_max', node, { x: ctx.input(node.inputs[0]), axes: ctx.ints('axes', axes), keep_dims: ctx.scalar('keep_dims', true) });
}
