// Conv → CONV_2D (weights OIHW → OHWI; grouped filters hold C/group input channels) or DEPTHWISE_CONV_2D (group == channels,
// weights → 1HWO), NHWC in and out; a 1-D Conv (NCL) runs as a 2-D one over [N, 1, L, C] through free RESHAPEs.
import { attrInt, attrInts, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { transposeData } from '../layout.ts';
import { emitSpatialPad, resolvePadding } from './padding.ts';

/** Emits one ONNX Conv (1-D or 2-D). */
export function emitConv(node: Node, ctx: EmitContext): void {
  const [x, w, b] = node.inputs;
  const xs = ctx.shape(x);
  if (xs.length !== 4 && xs.length !== 3) throw new Unmappable(`only 1-D and 2-D convolution are supported (input rank ${xs.length})`);
  const wt = ctx.constant(w);
  if (!wt) throw new Unmappable('the weights are not constant');
  const oneD = xs.length === 3;
  // A 1-D conv is a 2-D one with height 1: NCL → N1LC costs a RESHAPE of channels-last data, no transpose.
  const lift = (v: number[], one: number) => (oneD ? [one, ...v] : v);
  const wdims = oneD ? [wt.dims[0], wt.dims[1], 1, wt.dims[2]] : wt.dims;
  const [O, IperG, kh, kw] = wdims;
  const group = attrInt(node, 'group', 1);
  const C = xs[1];
  const inHW = oneD ? [1, xs[2]] : [xs[2], xs[3]];
  const strides = lift(attrInts(node, 'strides', oneD ? [1] : [1, 1]), 1);
  const dilations = lift(attrInts(node, 'dilations', oneD ? [1] : [1, 1]), 1);
  const nhwc = ctx.spatial(xs.length);
  let input = ctx.input(x, nhwc);
  if (oneD) {
    const lifted = ctx.temp(`${x}/2d`, [xs[0], 1, xs[2], C], { value: x });
    ctx.draft.op('RESHAPE', [input, ctx.draft.int32(`${x}/2d_shape`, [xs[0], 1, xs[2], C])], [lifted], node.name, { table: 'ReshapeOptions', values: { new_shape: [xs[0], 1, xs[2], C] } });
    input = lifted;
  }
  const pads1 = attrInts(node, 'pads', []);
  const pad = resolvePadding(node, inHW, [kh, kw], strides, dilations, false, oneD && pads1.length ? [0, pads1[0], 0, pads1[1]] : undefined);
  if (pad.explicit) input = emitSpatialPad(ctx, node, input, pad.explicit);
  const bias = b ? ctx.constFloats(b, 'bias') : new Float32Array(O);
  const wf = ctx.constFloats(w, 'weights');
  const common = { padding: pad.padding === 'SAME' ? 0 : 1, stride_w: strides[1], stride_h: strides[0], dilation_w_factor: dilations[1], dilation_h_factor: dilations[0] };
  const { value, fused } = ctx.fuse(node);
  const fusedCode = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused);
  let filter: number;
  let op: 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  let options: Record<string, number>;
  if (group === C && IperG === 1 && O % C === 0 && group > 1) {
    filter = ctx.floatConst(w, transposeData(wf, wdims, [1, 2, 3, 0]), [1, kh, kw, O], 'depthwise-weight');
    op = 'DEPTHWISE_CONV_2D';
    options = { ...common, depth_multiplier: O / C, fused_activation_function: fusedCode };
  } else if (C === IperG * group && O % group === 0) {
    // TFLite's CONV_2D is grouped when the filter holds fewer input channels than the input (C / group).
    filter = ctx.floatConst(w, transposeData(wf, wdims, [0, 2, 3, 1]), [O, kh, kw, IperG], 'weight');
    op = 'CONV_2D';
    options = { ...common, fused_activation_function: fusedCode };
  } else throw new Unmappable(`group=${group} does not divide ${C} input and ${O} output channels`);
  const biasT = ctx.floatConst(b || `${w}/bias`, bias, [O], 'bias');
  const outShape = ctx.shape(value);
  const out = oneD ? ctx.temp(`${value}/2d`, [outShape[0], 1, outShape[2], O], { value }) : ctx.define(value, nhwc);
  ctx.draft.op(op, [input, filter, biasT], [out], node.name, { table: op === 'CONV_2D' ? 'Conv2DOptions' : 'DepthwiseConv2DOptions', values: options });
  if (!oneD) return;
  const y = ctx.define(value, nhwc);
  ctx.draft.op('RESHAPE', [out, ctx.draft.int32(`${value}/shape`, [outShape[0], outShape[2], O])], [y], node.name, { table: 'ReshapeOptions', values: { new_shape: [outShape[0], outShape[2], O] } });
}
