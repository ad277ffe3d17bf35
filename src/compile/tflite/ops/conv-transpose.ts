// ConvTranspose (2-D, or 1-D as height 1; group 1) → TRANSPOSE_CONV (weights IOHW → OHWI, NHWC), SAME/VALID padding or a SLICE
// that crops the pads.
import { attrInt, attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { transposeData } from '../layout.ts';

/** ONNX begin/end padding of each spatial axis, from `pads`, `auto_pad` or `output_shape` (the total follows from the output size). */
function beginPads(node: Node, total: number[], oneD: boolean): number[] {
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads', []);
  if (auto === 'NOTSET' && pads.length && !node.attributes.has('output_shape')) return oneD ? [0, pads[0]] : [pads[0], pads[1]];
  if (auto === 'SAME_UPPER') return total.map((t) => Math.floor(t / 2));
  if (auto === 'VALID') return [0, 0];
  // SAME_LOWER, or an explicit output_shape without auto_pad: the extra padding goes at the beginning.
  return total.map((t) => t - Math.floor(t / 2));
}

/** Emits one ONNX ConvTranspose over NCHW (or NCL) data. */
export function emitConvTranspose(node: Node, ctx: EmitContext): void {
  const [x, w, b] = node.inputs;
  const xs4 = ctx.shape(x);
  if (xs4.length !== 4 && xs4.length !== 3) throw new Unmappable(`only 1-D and 2-D transposed convolution are supported (input rank ${xs4.length})`);
  const wt = ctx.constant(w);
  if (!wt) throw new Unmappable('the weights are not constant');
  if (attrInt(node, 'group', 1) !== 1) throw new Unmappable(`grouped transposed convolution (group=${attrInt(node, 'group', 1)})`);
  const dilations = attrInts(node, 'dilations', []);
  if (dilations.some((d) => d !== 1)) throw new Unmappable('dilated transposed convolution');
  // A 1-D one runs as 2-D over height 1: NCL stored channels-last is N1LC after a free RESHAPE.
  const oneD = xs4.length === 3;
  const lift = (v: number[]) => (oneD ? [1, ...v] : v);
  const xs = oneD ? [xs4[0], xs4[1], 1, xs4[2]] : xs4;
  const wdims = oneD ? [wt.dims[0], wt.dims[1], 1, wt.dims[2]] : wt.dims;
  const [Cin, O, kh, kw] = wdims;
  const strides = lift(attrInts(node, 'strides', oneD ? [1] : [1, 1]));
  const out = lift(ctx.shape(node.outputs[0]).slice(2));
  const inHW = [xs[2], xs[3]];
  const kernel = [kh, kw];
  const outHW = [out[0], out[1]];
  // A VALID walk writes (in - 1)·stride + k rows; ONNX keeps `out` of them starting at the begin padding.
  const full = inHW.map((n, i) => (n - 1) * strides[i] + kernel[i]);
  const begin = beginPads(node, full.map((f, i) => f - outHW[i]), oneD);
  if (begin.some((p, i) => p < 0 || p + outHW[i] > full[i])) throw new Unmappable('output_padding beyond the cropped border (the extra rows would hold only the bias)');
  const sameTotal = inHW.map((n, i) => Math.max(full[i] - n * strides[i], 0));
  const same = outHW.every((o, i) => o === inHW[i] * strides[i] && begin[i] === Math.floor(sameTotal[i] / 2));
  const valid = outHW.every((o, i) => o === full[i] && begin[i] === 0);
  const nhwc = ctx.spatial(xs4.length);
  let input = ctx.input(x, nhwc);
  if (oneD) {
    const lifted = ctx.temp(`${x}/2d`, [xs[0], 1, xs[3], Cin], { value: x });
    ctx.draft.op('RESHAPE', [input, ctx.draft.int32(`${x}/2d_shape`, [xs[0], 1, xs[3], Cin])], [lifted], node.name, { table: 'ReshapeOptions', values: { new_shape: [xs[0], 1, xs[3], Cin] } });
    input = lifted;
  }
  const filter = ctx.floatConst(w, transposeData(ctx.constFloats(w, 'weights'), wdims, [1, 2, 3, 0]), [O, kh, kw, Cin], 'weight');
  const biasT = ctx.floatConst(b || `${w}/bias`, b ? ctx.constFloats(b, 'bias') : new Float32Array(O), [O], 'bias');
  const cropped = !same && !valid;
  const { value, fused } = cropped ? { value: node.outputs[0], fused: 'NONE' as const } : ctx.fuse(node);
  const fusedCode = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused);
  const convShape = cropped ? [xs[0], full[0], full[1], O] : [xs[0], outHW[0], outHW[1], O];
  const final = [xs[0], outHW[0], outHW[1], O];
  const target = cropped ? ctx.temp(`${value}/uncropped`, convShape) : oneD ? ctx.temp(`${value}/2d`, final, { value }) : ctx.define(value, nhwc);
  const options = { padding: same ? 0 : 1, stride_w: strides[1], stride_h: strides[0], fused_activation_function: fusedCode };
  ctx.draft.op('TRANSPOSE_CONV', [ctx.draft.int32(`${node.name}/output_shape`, convShape), filter, input, biasT], [target], node.name,
    { table: 'TransposeConvOptions', values: options }, fusedCode ? 4 : 3);
  let result = target;
  if (cropped) {
    // The uncropped rows' range is not calibrated separately: they are the same values plus the border.
    ctx.draft.graph.tensors[target].range = { value };
    result = oneD ? ctx.temp(`${value}/2d`, final, { value }) : ctx.define(value, nhwc);
    ctx.draft.op('SLICE', [target, ctx.draft.int32(`${node.name}/begin`, [0, begin[0], begin[1], 0]), ctx.draft.int32(`${node.name}/size`, final)], [result], node.name, { table: 'SliceOptions', values: {} });
  }
  if (!oneD) return;
  const stored = [xs[0], outHW[1], O];
  ctx.draft.op('RESHAPE', [result, ctx.draft.int32(`${value}/shape`, stored)], [ctx.define(value, nhwc)], node.name, { table: 'ReshapeOptions', values: { new_shape: stored } });
}
