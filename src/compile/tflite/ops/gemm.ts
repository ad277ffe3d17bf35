// Gemm / MatMul with constant weights → FULLY_CONNECTED (alpha/beta folded; channels-last flattens absorbed into the weights).
import { attrFloat, attrInt, type Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { identity, transposeData } from '../layout.ts';

/** Emits Gemm (transA = 0, constant B) or MatMul (constant 2-D B) as FULLY_CONNECTED. */
export function emitFullyConnected(node: Node, ctx: EmitContext): void {
  const [a, b, c] = node.inputs;
  const isGemm = node.op === 'Gemm';
  if (isGemm && attrInt(node, 'transA', 0) !== 0) throw new Unmappable('Gemm with transA = 1');
  const bt = ctx.constant(b);
  if (!bt) throw new Unmappable('the right operand (weights) is not constant');
  if (bt.dims.length !== 2) throw new Unmappable(`weights of rank ${bt.dims.length}`);
  const transB = isGemm && attrInt(node, 'transB', 0) === 1;
  const [rows, cols] = bt.dims;
  const [outF, inF] = transB ? [rows, cols] : [cols, rows];
  let weights = transB ? Float32Array.from(ctx.constFloats(b, 'weights')) : transposeData(ctx.constFloats(b, 'weights'), bt.dims, [1, 0]);
  const alpha = isGemm ? attrFloat(node, 'alpha', 1) : 1;
  if (alpha !== 1) weights = weights.map((v) => v * alpha);
  const bias = new Float32Array(outF);
  if (isGemm && c) {
    const cv = ctx.constFloats(c, 'bias');
    if (cv.length !== 1 && cv.length !== outF) throw new Unmappable(`bias of ${cv.length} values for ${outF} outputs`);
    const beta = attrFloat(node, 'beta', 1);
    for (let o = 0; o < outF; o++) bias[o] = beta * cv[cv.length === 1 ? 0 : o];
  }
  const aRank = ctx.shape(a).length;
  const e = ctx.emitted(a);
  let input: number;
  if (e.columns) {
    // Stored columns are a channels-last flatten: permute the weight columns to match.
    const permuted = new Float32Array(weights.length);
    for (let o = 0; o < outF; o++) for (let j = 0; j < inF; j++) permuted[o * inF + j] = weights[o * inF + e.columns[j]];
    weights = permuted;
    input = e.index;
  } else input = ctx.input(a, identity(aRank));
  const w = ctx.floatConst(b, weights, [outF, inF], 'fc-weight');
  const biasT = ctx.floatConst(c || `${b}/bias`, bias, [outF], 'bias');
  const { value, fused } = ctx.fuse(node);
  const out = ctx.define(value, identity(ctx.shape(value).length));
  ctx.draft.op('FULLY_CONNECTED', [input, w, biasT], [out], node.name, {
    table: 'FullyConnectedOptions',
    values: { fused_activation_function: ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6'].indexOf(fused), keep_num_dims: aRank > 2 },
  });
}
