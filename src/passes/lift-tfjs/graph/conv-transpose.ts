// TensorFlow Conv2DBackpropInput (transposed convolution) as ONNX ConvTranspose in NCHW, cropped as TensorFlow crops it.
import { attrInts, attrString } from '../../../ir/graph.ts';
import { transposeData } from '../../lift-tflite/context.ts';
import { int, ints, LiftRefusal, TO_NCHW, TO_NHWC, type TfjsLifter } from '../context.ts';
import { requireNhwc } from './common.ts';
import { spatial } from './conv.ts';

/**
 * Conv2DBackpropInput(input_sizes, filter [kh, kw, out, in], x): the gradient of a convolution from an `input_sizes`
 * image to x. The crop at the start is the forward convolution's leading pad (SAME: ⌊total/2⌋; EXPLICIT: as given;
 * VALID: 0); the end is cropped (or padded by output_padding) to reach input_sizes exactly.
 */
export const liftConv2DBackpropInput: TfjsLifter = (node, ctx) => {
  requireNhwc(node);
  const [sizesIn, filter, x] = node.inputs;
  const sizes = ctx.requireInts(sizesIn, 'input_sizes');
  const [, h, w] = ctx.shape(x);
  const t = ctx.constant(filter, 'filter');
  if (t.dims.length !== 4 || sizes.length !== 4) throw new LiftRefusal('filter and input_sizes must describe 2-D NHWC convolutions');
  const [kh, kw, cout] = t.dims;
  const stride = spatial(node, 'strides');
  const dilation = spatial(node, 'dilations');
  const kernel = [kh, kw];
  const padding = attrString(node, 'padding', 'VALID');
  const explicit = attrInts(node, 'explicit_paddings', []);
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  [h, w].forEach((inSize, a) => {
    const out = sizes[1 + a];
    const span = (kernel[a] - 1) * dilation[a] + 1;
    const full = (inSize - 1) * stride[a] + span;
    let begin = 0;
    if (padding === 'SAME') begin = Math.floor(Math.max(full - out, 0) / 2);
    else if (padding === 'EXPLICIT') begin = explicit[2 + 2 * a] ?? 0;
    else if (padding !== 'VALID') throw new LiftRefusal(`padding ${padding} is not SAME, VALID or EXPLICIT`);
    const end = full - out - begin;
    pads[a] = begin;
    if (end >= 0) pads[a + 2] = end;
    else outputPadding[a] = -end;
  });
  const moved = transposeData(ctx.floats(filter, 'filter'), t.dims, [3, 2, 0, 1]);
  const weight = ctx.addConstant(`${filter}_iohw`, 'float32', moved.dims, moved.data);
  const attrs = { kernel_shape: ints(kernel), strides: ints(stride), dilations: ints(dilation), pads: ints(pads), group: int(1), ...(outputPadding.some(Boolean) ? { output_padding: ints(outputPadding) } : {}) };
  if (sizes[3] !== cout) throw new LiftRefusal(`input_sizes has ${sizes[3]} channels, the filter ${cout}`);
  ctx.transpose(ctx.emit('ConvTranspose', [ctx.transpose(x, TO_NCHW), weight], attrs), TO_NHWC, node.outputs[0]);
};
