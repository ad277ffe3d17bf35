// TensorFlow convolutions and pooling (Conv2D, DepthwiseConv2dNative, their _Fused forms, MaxPool, AvgPool) as NCHW ONNX ops.
import { attrInts, attrString, type Attribute, type Node } from '../../../ir/graph.ts';
import { transposeData } from '../../lift-tflite/context.ts';
import { explicitPads, int, ints, LiftRefusal, str, TO_NCHW, TO_NHWC, type TfjsLiftContext, type TfjsLifter } from '../context.ts';
import { activate, fusedSpec, isLayoutFree, type FusedSpec } from './activation.ts';
import { requireNhwc } from './common.ts';

/** The spatial pair [h, w] of an NHWC attribute list (`strides`, `dilations`, `ksize`), checked to be 1 on N and C. */
export function spatial(node: Node, name: string): [number, number] {
  const v = attrInts(node, name, [1, 1, 1, 1]);
  if (v.length === 2) return [v[0], v[1]];
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) throw new LiftRefusal(`${name} [${v.join(',')}] must be [1, h, w, 1]`);
  return [v[1], v[2]];
}

/** ONNX padding attributes for TensorFlow `padding` (SAME / VALID / EXPLICIT) over NHWC input `x`. */
function padAttrs(ctx: TfjsLiftContext, node: Node, x: string, kernel: number[], stride: number[], dilation: number[]): Record<string, Attribute> {
  const padding = attrString(node, 'padding', 'VALID');
  if (padding === 'VALID') return { pads: ints([0, 0, 0, 0]) };
  if (padding === 'EXPLICIT') {
    const p = attrInts(node, 'explicit_paddings', []);
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) throw new LiftRefusal(`explicit_paddings [${p.join(',')}] must pad only H and W`);
    return { pads: ints([p[2], p[4], p[3], p[5]]) };
  }
  if (padding !== 'SAME') throw new LiftRefusal(`padding ${padding} is not SAME, VALID or EXPLICIT`);
  const dims = ctx.dims(x);
  const [h, w] = [dims?.[1], dims?.[2]];
  // TensorFlow's SAME puts the odd pixel at the end: ONNX SAME_UPPER when the size is only known at run time.
  if (typeof h !== 'number' || typeof w !== 'number') return { auto_pad: str('SAME_UPPER') };
  const [t, b] = explicitPads(true, h, kernel[0], stride[0], dilation[0]);
  const [l, r] = explicitPads(true, w, kernel[1], stride[1], dilation[1]);
  return { pads: ints([t, l, b, r]) };
}

/** Per-output-channel factor and offset of an inference batch norm: y = x·a + b. */
function batchNormFactors(ctx: TfjsLiftContext, bn: NonNullable<FusedSpec['batchNorm']>): { a: Float32Array; b: Float32Array } {
  const scale = ctx.floats(bn.scale, 'scale'), offset = ctx.floats(bn.offset, 'offset');
  const mean = ctx.floats(bn.mean, 'mean'), variance = ctx.floats(bn.variance, 'variance');
  const a = scale.map((s, i) => s / Math.sqrt(variance[i] + bn.epsilon));
  const b = offset.map((o, i) => o - mean[i] * a[i]);
  return { a, b };
}

/**
 * The ONNX weight (OIHW) and bias of a TensorFlow filter: HWIO for Conv2D, HWCM for depthwise (→ [C·M, 1, H, W]),
 * with a fused batch norm folded in. Returns the group count for `channels` input channels.
 */
function weights(ctx: TfjsLiftContext, node: Node, depthwise: boolean, spec: FusedSpec, channels: number | undefined): { weight: string; bias: string[]; kernel: number[]; group: number } {
  const filter = node.inputs[1];
  const t = ctx.constant(filter, 'filter');
  if (t.dims.length !== 4) throw new LiftRefusal(`filter '${filter}' has rank ${t.dims.length}, not 4`);
  const [kh, kw, ci, co] = t.dims;
  const moved = transposeData(ctx.floats(filter, 'filter'), t.dims, depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1]);
  const data = moved.data;
  const outChannels = depthwise ? ci * co : co;
  const dims = depthwise ? [outChannels, 1, kh, kw] : moved.dims;
  let group = 1;
  if (depthwise) group = ci;
  else if (channels !== undefined) {
    group = channels / ci;
    if (!Number.isInteger(group) || group < 1) throw new LiftRefusal(`input channels ${channels} are not a multiple of the filter's ${ci}`);
  } else throw new LiftRefusal(`the channel count of '${node.inputs[0]}' is not known`);
  let bias: Float32Array | undefined;
  if (spec.bias) bias = ctx.floats(spec.bias, 'bias');
  if (spec.batchNorm) {
    const { a, b } = batchNormFactors(ctx, spec.batchNorm);
    const per = data.length / outChannels;
    for (let o = 0; o < outChannels; o++) for (let k = 0; k < per; k++) data[o * per + k] *= a[o];
    bias = b;
  }
  if (bias && bias.length !== outChannels) throw new LiftRefusal(`bias has ${bias.length} values for ${outChannels} output channels`);
  const weight = ctx.addConstant(`${filter}_oihw`, 'float32', dims, data);
  return { weight, bias: bias ? [ctx.addConstant(`${spec.bias ?? spec.batchNorm!.offset}_bias`, 'float32', [outChannels], bias)] : [], kernel: [kh, kw], group };
}

/** Conv2D-like op (plain or fused, regular or depthwise) as Transpose → Conv → activation → Transpose. */
function conv(depthwise: boolean, fused: boolean): TfjsLifter {
  return (node, ctx) => {
    requireNhwc(node);
    const x = node.inputs[0];
    const dims = ctx.dims(x);
    if (dims && dims.length !== 4) throw new LiftRefusal(`input '${x}' has rank ${dims.length}, not 4`);
    const spec: FusedSpec = fused ? fusedSpec(node) : { alpha: 0.2 };
    const stride = spatial(node, 'strides');
    const dilation = spatial(node, 'dilations');
    const channels = typeof dims?.[3] === 'number' ? dims[3] : undefined;
    const w = weights(ctx, node, depthwise, spec, channels);
    const attrs = { kernel_shape: ints(w.kernel), strides: ints(stride), dilations: ints(dilation), group: int(w.group), ...padAttrs(ctx, node, x, w.kernel, stride, dilation) };
    let y = ctx.emit('Conv', [ctx.transpose(x, TO_NCHW), w.weight, ...w.bias], attrs);
    const act = spec.activation;
    if (act && isLayoutFree(act)) y = activate(ctx, act, y, { alpha: spec.alpha });
    if (act && !isLayoutFree(act)) activate(ctx, act, ctx.transpose(y, TO_NHWC), { slope: spec.slope, output: node.outputs[0] });
    else ctx.transpose(y, TO_NHWC, node.outputs[0]);
  };
}

/** Conv2D, _FusedConv2D (BiasAdd / FusedBatchNorm + Relu, Relu6, Elu, LeakyRelu, Prelu, …). */
export const liftConv2D = conv(false, false);
export const liftFusedConv2D = conv(false, true);
/** DepthwiseConv2dNative and FusedDepthwiseConv2dNative. */
export const liftDepthwiseConv2D = conv(true, false);
export const liftFusedDepthwiseConv2D = conv(true, true);

/** MaxPool / AvgPool (TensorFlow's average excludes padding: count_include_pad 0). */
function pool(op: 'MaxPool' | 'AveragePool'): TfjsLifter {
  return (node, ctx) => {
    requireNhwc(node);
    const kernel = spatial(node, 'ksize');
    const stride = spatial(node, 'strides');
    const attrs = { kernel_shape: ints(kernel), strides: ints(stride), ...padAttrs(ctx, node, node.inputs[0], kernel, stride, [1, 1]), ...(op === 'AveragePool' ? { count_include_pad: int(0) } : {}) };
    ctx.transpose(ctx.emit(op, [ctx.transpose(node.inputs[0], TO_NCHW)], attrs), TO_NHWC, node.outputs[0]);
  };
}

export const liftMaxPool = pool('MaxPool');
export const liftAvgPool = pool('AveragePool');
