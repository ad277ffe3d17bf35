// Lifts TFLite convolutions (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, MediaPipe's Convolution2DTransposeBias) to ONNX Conv/ConvTranspose in NCHW.
import { attrInt, type Node } from '../../ir/graph.ts';
import { int, ints, LiftRefusal, spatialPads, TO_NCHW, TO_NHWC, transposeData, type LiftContext } from './context.ts';
import type { Lifter } from './lifter.ts';

/** A float weight permuted at lift time and added as a float32 constant. */
function permutedWeight(ctx: LiftContext, value: string, perm: number[], suffix: string): { name: string; dims: number[] } {
  const t = ctx.constant(value, 'weight');
  if (t.dims.length !== 4) throw new LiftRefusal(`weight '${value}' has rank ${t.dims.length}, not 4`);
  const { data, dims } = transposeData(ctx.floats(value, 'weight'), t.dims, perm);
  return { name: ctx.addConstant(`${value}_${suffix}`, 'float32', dims, data), dims };
}

/** The bias as a float32 constant (or none). */
function bias(ctx: LiftContext, value: string | undefined): string[] {
  if (!value) return [];
  return [ctx.addConstant(`${value}_f32`, 'float32', [ctx.constant(value, 'bias').dims.reduce((a, b) => a * b, 1)], ctx.floats(value, 'bias'))];
}

/** Conv over NCHW between the two boundary transposes, fused activation included. */
function convNchw(ctx: LiftContext, node: Node, input: string, op: string, weight: string, biasIn: string[], attrs: Record<string, ReturnType<typeof int>>): void {
  const x = ctx.transpose(input, TO_NCHW);
  const y = ctx.emit(op, [x, weight, ...biasIn], attrs);
  ctx.transpose(ctx.fusedActivation(node, y), TO_NHWC, node.outputs[0]);
}

/** CONV_2D: OHWI weights → OIHW, SAME/VALID → explicit pads. */
export const liftConv2d: Lifter = (node, ctx) => {
  const input = ctx.shape4(node.inputs[0]);
  const w = permutedWeight(ctx, node.inputs[1], TO_NCHW, 'oihw');
  const stride: [number, number] = [attrInt(node, 'stride_h', 1), attrInt(node, 'stride_w', 1)];
  const dilation: [number, number] = [attrInt(node, 'dilation_h_factor', 1), attrInt(node, 'dilation_w_factor', 1)];
  const kernel: [number, number] = [w.dims[2], w.dims[3]];
  const group = input[3] / w.dims[1];
  if (!Number.isInteger(group)) throw new LiftRefusal(`input channels ${input[3]} are not a multiple of the weight's ${w.dims[1]}`);
  convNchw(ctx, node, node.inputs[0], 'Conv', w.name, bias(ctx, node.inputs[2]), {
    kernel_shape: ints(kernel), strides: ints(stride), dilations: ints(dilation), pads: ints(spatialPads(node, input, kernel, stride, dilation)), group: int(group),
  });
};

/** DEPTHWISE_CONV_2D: 1HWO weights → [O, 1, H, W] with group = input channels. */
export const liftDepthwiseConv2d: Lifter = (node, ctx) => {
  const input = ctx.shape4(node.inputs[0]);
  const w = permutedWeight(ctx, node.inputs[1], [3, 0, 1, 2], 'o1hw');
  const stride: [number, number] = [attrInt(node, 'stride_h', 1), attrInt(node, 'stride_w', 1)];
  const dilation: [number, number] = [attrInt(node, 'dilation_h_factor', 1), attrInt(node, 'dilation_w_factor', 1)];
  const kernel: [number, number] = [w.dims[2], w.dims[3]];
  convNchw(ctx, node, node.inputs[0], 'Conv', w.name, bias(ctx, node.inputs[2]), {
    kernel_shape: ints(kernel), strides: ints(stride), dilations: ints(dilation), pads: ints(spatialPads(node, input, kernel, stride, dilation)), group: int(input[3]),
  });
};

/**
 * MediaPipe's Convolution2DTransposeBias (inputs: x, OHWI weights, bias). Its custom options are the raw C struct
 * TfLiteTransposeConvParams { int32 padding (1 = SAME, 2 = VALID); int32 stride_width; int32 stride_height }.
 * The padding is recovered from the static output shape: full = (in − 1)·stride + kernel, cropped evenly (begin = ⌊total/2⌋).
 */
export const liftTransposeConvBias: Lifter = (node, ctx) => {
  const options = node.attributes.get('custom_options');
  if (options?.type !== 'string' || options.value.byteLength < 12) throw new LiftRefusal('custom options are missing or shorter than 12 bytes');
  const view = new DataView(options.value.buffer, options.value.byteOffset, options.value.byteLength);
  transposeConv(ctx, node, node.inputs[0], node.inputs[1], node.inputs[2], [view.getInt32(8, true), view.getInt32(4, true)]);
};

/** TRANSPOSE_CONV (inputs: output shape, OHWI weights, x, optional bias): padding recovered from the static shapes, as above. */
export const liftTransposeConv: Lifter = (node, ctx) => {
  transposeConv(ctx, node, node.inputs[2], node.inputs[1], node.inputs[3] || undefined, [attrInt(node, 'stride_h', 1), attrInt(node, 'stride_w', 1)]);
};

/** ConvTranspose of NHWC `x` by OHWI `weights`, the output size read from the node's static output shape. */
function transposeConv(ctx: LiftContext, node: Node, x: string, weights: string, biasIn: string | undefined, stride: number[]): void {
  const input = ctx.shape4(x);
  const output = ctx.shape4(node.outputs[0]);
  const w = permutedWeight(ctx, weights, [3, 0, 1, 2], 'iohw');
  const kernel = [w.dims[2], w.dims[3]];
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  for (let a = 0; a < 2; a++) {
    const total = (input[1 + a] - 1) * stride[a] + kernel[a] - output[1 + a];
    if (total >= 0) [pads[a], pads[a + 2]] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    else outputPadding[a] = -total;
  }
  const attrs = { kernel_shape: ints(kernel), strides: ints(stride), pads: ints(pads), ...(outputPadding.some(Boolean) ? { output_padding: ints(outputPadding) } : {}) };
  convNchw(ctx, node, x, 'ConvTranspose', w.name, bias(ctx, biasIn), attrs);
}
