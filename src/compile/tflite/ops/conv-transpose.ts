// ConvTranspose (2-D, group 1) → TRANSPOSE_CONV (weights IOHW → OHWI, NHWC), SAME/VALID padding or a SLICE that crops the pads.
import { attrInt, attrInts, attrString, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { transposeData } from '../layout.ts';

/** ONNX begin/end padding of each spatial axis, from `pads`, `auto_pad` or `output_shape` (the total follows from the output size). */
function beginPads(node: Node, total: number[]): number[] {
  const auto = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads', []);
  if (auto === 'NOTSET' && pads.length && !node.attributes.has('output_shape')) return [pads[0], pads[1]];
  if (auto === 'SAME_UPPER') return total.map((t) => Math.floor(t / 2));
  if (auto === 'VALID') return [0, 0];
  // SAME_LOWER, or an explicit output_shape without auto_pad: the extra padding goes at the beginning.
  return total.map((t) => t - Math.floor(t / 2));
}

/** Emits one ONNX ConvTranspose over NCHW data. */
export function emitConvTranspose(node: Node, ctx: EmitContext): void {
  const [x, w, b] = node.inputs;
  const xs = ctx.shape(x);
  if (xs.length !== 4) throw new Unmappable(`only 2-D transposed convolution is supported (input rank ${xs.length})`);
  const wt = ctx.constant(w);
  if (!wt) throw new Unmappable('the weights are not constant');
  if (attrInt(node, 'group', 1) !== 1) throw new Unmappable(`grouped transposed convolution (group=${attrInt(node, 'group', 1)})`);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  if (dilations.some((d) => d !== 1)) throw new Unmappable('dilated transposed convolution');
  const [Cin, O, kh, kw] = wt.dims;
  const strides = attrInts(node, 'strides', [1, 1]);
  const out = ctx.shape(node.outputs[0]);
  const inHW = [xs[2], xs[3]];
  const kernel = [kh, kw];
  const outHW = [out[2], out[3]];
  // A VALID walk writes (in - 1)·stride + k rows; ONNX keeps `out` of them starting at the begin padding.
  const full = inHW.map((n, i) => (n - 1) * strides[i] + kernel[i]);
  const begin = beginPads(node, full.map((f, i) => f - outHW[i]));
  if (begin.some((p, i) => p < 0 || p + outHW[i] > full[i])) throw new Unmappable('output_padding beyond the cropped border (the extra rows would hold only the bias)');
  const sameTotal = inHW.map((n, i) => Math.max(full[i] - n * strides[i], 0));
  const same = outHW.every((o, i) => o === inHW[i] * strides[i] && begin[i] === Math.floor(sameTotal[i] / 2));
  const valid = outHW.every((o, i) => o === full[i] && begin[i] === 0);
  const nhwc = ctx.spatial(4);
  const input = ctx.input(x, nhwc);
  const filter = ctx.floatConst(w, transposeData(ctx.constFloats(w, 'weights'), wt.dims, [1, 2, 3, 0]), [O, kh, kw, Cin], 'weight');
  const biasT = ctx.floatConst(b || `${w}/bias`, b ? ctx.constFloats(b, 'bias') : new Float32Array(O), [O], 'bias');
  const cropped = !same && !valid;
  const { value, fused } = cropped ? { value: node.outputs[0], fused: 'NONE' as const } : ctx.fuse(node);
  const fusedCode = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused);
  const convShape = cropped ? [xs[0], full[0], full[1], O] : [xs[0], outHW[0], outHW[1], O];
  const target = cropped ? ctx.temp(`${value}/uncropped`, convShape) : ctx.define(value, nhwc);
  const options = { padding: same ? 0 : 1, stride_w: strides[1], stride_h: strides[0], fused_activation_function: fusedCode };
  ctx.draft.op('TRANSPOSE_CONV', [ctx.draft.int32(`${node.name}/output_shape`, convShape), filter, input, biasT], [target], node.name,
    { table: 'TransposeConvOptions', values: options }, fusedCode ? 4 : 3);
  if (!cropped) return;
  // The uncropped rows' range is not calibrated separately: they are the same values plus the border.
  ctx.draft.graph.tensors[target].range = { value };
  const sliced = ctx.define(value, nhwc);
  ctx.draft.op('SLICE', [target, ctx.draft.int32(`${node.name}/begin`, [0, begin[0], begin[1], 0]), ctx.draft.int32(`${node.name}/size`, [xs[0], outHW[0], outHW[1], O])], [sliced], node.name, { table: 'SliceOptions', values: {} });
}
