// Keras convolutions (Conv1D/2D/3D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose) as ONNX Conv/ConvTranspose, channels first.
import type { Attribute, Node } from '../../../ir/graph.ts';
import { transposeData } from '../../lift-tflite/context.ts';
import { int, ints, LiftRefusal, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { applyActivation } from './activation.ts';
import { channelsFirstRegion, channelsLast, configOf, foldZeroPadding, onlyInput, paddingAttrs, requireWeight, tuple, weightOf, type KerasConfig } from './common.ts';

/** A Keras kernel [spatial…, A, B] as ONNX [B, A, spatial…] (Conv: HWIO → OIHW; Conv2DTranspose: HWOI → IOHW). */
function onnxKernel(ctx: TfjsLiftContext, value: string): { name: string; dims: number[] } {
  const t = ctx.constant(value, 'kernel');
  const r = t.dims.length;
  const perm = [r - 1, r - 2, ...[...Array(r - 2).keys()]];
  const { data, dims } = transposeData(ctx.floats(value, 'kernel'), t.dims, perm);
  return { name: ctx.addConstant(`${value}_onnx`, 'float32', dims, data), dims };
}

/** A depthwise kernel [spatial…, C, M] as ONNX [C·M, 1, spatial…] (output channel c·M + m, as TensorFlow orders them). */
function depthwiseKernel(ctx: TfjsLiftContext, value: string): { name: string; dims: number[]; channels: number } {
  const t = ctx.constant(value, 'depthwise_kernel');
  const r = t.dims.length;
  const perm = [r - 2, r - 1, ...[...Array(r - 2).keys()]];
  const { data } = transposeData(ctx.floats(value, 'depthwise_kernel'), t.dims, perm);
  const [c, m] = t.dims.slice(-2);
  const dims = [c * m, 1, ...t.dims.slice(0, -2)];
  return { name: ctx.addConstant(`${value}_onnx`, 'float32', dims, data), dims, channels: c };
}

/** Strides, dilations and padding attributes of a convolution over channels-first `x` with `kernel` spatial sizes. */
function windowAttrs(ctx: TfjsLiftContext, c: KerasConfig, x: string, kernel: number[]): Record<string, Attribute> {
  const n = kernel.length;
  const strides = tuple(c.strides, n, 'strides', 1);
  const dilations = tuple(c.dilation_rate, n, 'dilation_rate', 1);
  const pads = c.padding === 'causal'
    ? { pads: ints([(kernel[0] - 1) * dilations[0], 0]) }
    : paddingAttrs(ctx, x, c.padding ?? 'valid', kernel, strides, dilations);
  return { kernel_shape: ints(kernel), strides: ints(strides), dilations: ints(dilations), ...pads };
}

/** The layer's bias input (the Keras [out] weight as is), or none. */
function biasOf(node: Node): string[] {
  const b = weightOf(node, 'bias');
  return b ? [b] : [];
}

/** Runs `body` in the channels-first region of the layer's input, then the layer's activation. */
function convLayer(node: Node, ctx: TfjsLiftContext, body: (x: string, c: KerasConfig) => string): void {
  const c = configOf(node);
  const last = channelsLast(c);
  channelsFirstRegion(ctx, onlyInput(node), last, node.outputs[0], (x) => body(x, c), (y, out) => applyActivation(ctx, c.activation, y, last ? 1 : -1, out));
}

/** Conv1D / Conv2D / Conv3D (groups, dilation, strides, same/valid/causal padding, bias, activation). */
export const liftConv: TfjsLifter = (node, ctx) => {
  convLayer(node, ctx, (x, c) => {
    const w = onnxKernel(ctx, requireWeight(node, 'kernel'));
    const groups = typeof c.groups === 'number' ? c.groups : 1;
    const { x: input, attrs } = foldZeroPadding(ctx, x, windowAttrs(ctx, c, x, w.dims.slice(2)));
    return ctx.emit('Conv', [input, w.name, ...biasOf(node)], { ...attrs, group: int(groups) });
  });
};

/** The depthwise step of DepthwiseConv2D / SeparableConv2D: one group per input channel, depth_multiplier outputs each. */
function depthwise(ctx: TfjsLiftContext, node: Node, x: string, c: KerasConfig, bias: string[]): string {
  const w = depthwiseKernel(ctx, requireWeight(node, 'depthwise_kernel'));
  const { x: input, attrs } = foldZeroPadding(ctx, x, windowAttrs(ctx, c, x, w.dims.slice(2)));
  return ctx.emit('Conv', [input, w.name, ...bias], { ...attrs, group: int(w.channels) });
}

/** DepthwiseConv2D (depth_multiplier from the kernel's last axis). */
export const liftDepthwiseConv: TfjsLifter = (node, ctx) => {
  convLayer(node, ctx, (x, c) => depthwise(ctx, node, x, c, biasOf(node)));
};

/** SeparableConv2D: depthwise, then a 1×1 pointwise convolution with the bias. */
export const liftSeparableConv: TfjsLifter = (node, ctx) => {
  convLayer(node, ctx, (x, c) => {
    const d = depthwise(ctx, node, x, c, []);
    const p = onnxKernel(ctx, requireWeight(node, 'pointwise_kernel'));
    const ones = p.dims.slice(2).map(() => 1);
    return ctx.emit('Conv', [d, p.name, ...biasOf(node)], { kernel_shape: ints(ones), strides: ints(ones), pads: ints([...ones, ...ones].map(() => 0)) });
  });
};

/**
 * Conv2DTranspose as TF.js computes it: output size in·stride ('same') or in·stride + max(k − stride, 0) ('valid');
 * TensorFlow crops ⌊total/2⌋ at the start, and a kernel smaller than the stride leaves output padding at the end.
 */
export const liftConvTranspose: TfjsLifter = (node, ctx) => {
  convLayer(node, ctx, (x, c) => {
    const w = onnxKernel(ctx, requireWeight(node, 'kernel'));
    const kernel = w.dims.slice(2);
    const n = kernel.length;
    const strides = tuple(c.strides, n, 'strides', 1);
    if (tuple(c.dilation_rate, n, 'dilation_rate', 1).some((d) => d !== 1)) throw new LiftRefusal('dilated Conv2DTranspose is not supported (TF.js refuses it too)');
    if (c.output_padding !== undefined && c.output_padding !== null) throw new LiftRefusal('output_padding is not supported (TF.js ignores it)');
    if (c.padding !== 'same' && c.padding !== 'valid') throw new LiftRefusal(`padding '${String(c.padding)}' is not 'same' or 'valid'`);
    const pads = new Array<number>(2 * n).fill(0);
    const outputPadding = new Array<number>(n).fill(0);
    kernel.forEach((k, i) => {
      const total = k - strides[i];
      if (total < 0) outputPadding[i] = -total;
      else if (c.padding === 'same') [pads[i], pads[i + n]] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
    return ctx.emit('ConvTranspose', [x, w.name, ...biasOf(node)], {
      kernel_shape: ints(kernel), strides: ints(strides), pads: ints(pads), ...(outputPadding.some(Boolean) ? { output_padding: ints(outputPadding) } : {}),
    });
  });
};
