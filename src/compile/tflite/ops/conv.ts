// Conv → CONV_2D (weights OIHW → OHWI) or DEPTHWISE_CONV_2D (group == channels, weights → 1HWO), NHWC in and out.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { transposeData } from '../layout.ts';
import { emitSpatialPad, resolvePadding } from './padding.ts';

/** Emits one ONNX Conv. */
export function emitConv(node: Node, ctx: EmitContext): void {
  const [x, w, b] = node.inputs;
  const xs = ctx.shape(x);
  if (xs.length !== 4) throw new Unmappable(`only 2-D convolution is supported (input rank ${xs.length})`);
  const wt = ctx.constant(w);
  if (!wt) throw new Unmappable('the weights are not constant');
  const [O, IperG, kh, kw] = wt.dims;
  const group = attrInt(node, 'group', 1);
  const C = xs[1];
  const strides = attrInts(node, 'strides', [1, 1]);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  const nhwc = ctx.spatial(4);
  let input = ctx.input(x, nhwc);
  const pad = resolvePadding(node, [xs[2], xs[3]], [kh, kw], strides, dilations);
  if (pad.explicit) input = emitSpatialPad(ctx, node, input, pad.explicit);
  const bias = b ? ctx.constFloats(b, 'bias') : new Float32Array(O);
  const wf = ctx.constFloats(w, 'weights');
  const common = { padding: pad.padding === 'SAME' ? 0 : 1, stride_w: strides[1], stride_h: strides[0], dilation_w_factor: dilations[1], dilation_h_factor: dilations[0] };
  const { value, fused } = ctx.fuse(node);
  const fusedCode = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused);
  let filter: number;
  let op: 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  let options: Record<string, number>;
  if (group === 1) {
    filter = ctx.floatConst(w, transposeData(wf, wt.dims, [0, 2, 3, 1]), [O, kh, kw, IperG], 'weight');
    op = 'CONV_2D';
    options = { ...common, fused_activation_function: fusedCode };
  } else if (group === C && IperG === 1 && O % C === 0) {
    filter = ctx.floatConst(w, transposeData(wf, wt.dims, [1, 2, 3, 0]), [1, kh, kw, O], 'depthwise-weight');
    op = 'DEPTHWISE_CONV_2D';
    options = { ...common, depth_multiplier: O / C, fused_activation_function: fusedCode };
  } else throw new Unmappable(`grouped convolution with group=${group} is neither plain nor depthwise (channels ${C})`);
  const biasT = ctx.floatConst(b || `${w}/bias`, bias, [O], 'bias');
  const out = ctx.define(value, nhwc);
  ctx.draft.op(op, [input, filter, biasT], [out], node.name, { table: op === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions', values: options });
}
