// Conv → MIL conv, ConvTranspose → conv_transpose (NCHW, weights in ONNX's layout, which is MIL's too); 1-D and 2-D.
import { attrInt, attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';
import { windowOf } from './window.ts';

function weightOf(node: Node, ctx: MilEmitContext): number[] {
  if (!ctx.constant(node.inputs[1])) throw new Unmappable('the weights are not constant');
  const dims = ctx.shape(node.inputs[1]);
  if (dims.length < 3 || dims.length > 4) throw new Unmappable(`only 1-D and 2-D convolution are supported (weight rank ${dims.length})`);
  return dims;
}

/** Emits one ONNX Conv. */
export function emitConv(node: Node, ctx: MilEmitContext): void {
  const [x, w, b] = node.inputs;
  const wd = weightOf(node, ctx);
  const xs = ctx.shape(x);
  const win = windowOf(node, xs.slice(2), wd.slice(2));
  const inputs: Record<string, string> = {
    x: ctx.input(x), weight: ctx.input(w), strides: ctx.ints('strides', win.strides), pad_type: ctx.scalar('pad_type', 'custom'),
    pad: ctx.ints('pad', win.pad), dilations: ctx.ints('dilations', win.dilations), groups: ctx.scalar('groups', attrInt(node, 'group', 1)),
  };
  if (b) inputs.bias = ctx.input(b);
  ctx.emit('conv', node, inputs);
}

/**
 * Emits one ONNX ConvTranspose. MIL's custom `pad` crops the full transposed output; ONNX's output_padding / output_shape /
 * auto_pad become that crop (begin and end per axis), so the output size always matches the IR's.
 */
export function emitConvTranspose(node: Node, ctx: MilEmitContext): void {
  const [x, w, b] = node.inputs;
  const wd = weightOf(node, ctx);
  const xs = ctx.shape(x);
  const out = ctx.shape(node.outputs[0]);
  const win = windowOf(node, xs.slice(2), wd.slice(2));
  const explicit = !attrInts(node, 'output_shape') && !node.attributes.get('auto_pad');
  for (let i = 0; i < win.kernel.length; i++) {
    const full = (xs[2 + i] - 1) * win.strides[i] + (win.kernel[i] - 1) * win.dilations[i] + 1;
    const crop = full - out[2 + i];
    // Given output_shape or auto_pad: SAME_UPPER puts the odd pixel at the end, otherwise at the start (as ONNX and onnxruntime do).
    const begin = explicit ? win.pad[2 * i] : attrString(node, 'auto_pad', 'NOTSET') === 'SAME_UPPER' ? Math.floor(crop / 2) : crop - Math.floor(crop / 2);
    if (crop - begin < 0) throw new Unmappable(`output_padding beyond the transposed window on axis ${i + 2} is not supported`);
    win.pad[2 * i] = begin;
    win.pad[2 * i + 1] = crop - begin;
  }
  const inputs: Record<string, string> = {
    x: ctx.input(x), weight: ctx.input(w), strides: ctx.ints('strides', win.strides), pad_type: ctx.scalar('pad_type', 'custom'),
    pad: ctx.ints('pad', win.pad), dilations: ctx.ints('dilations', win.dilations), groups: ctx.scalar('groups', attrInt(node, 'group', 1)),
  };
  if (b) inputs.bias = ctx.input(b);
  ctx.emit('conv_transpose', node, inputs);
}
