// Gemm → linear (constant B, folded alpha/beta and transposes) or matmul + add; MatMul → linear (constant 2-D B) or matmul.
import { attrFloat, attrInt, type Node } from '../../../ir/graph.ts';
import { transposeData } from '../../../ir/transpose.ts';
import { Unmappable, type MilEmitContext } from '../context.ts';

/** Emits one ONNX Gemm (2-D). */
export function emitGemm(node: Node, ctx: MilEmitContext): void {
  const [a, b, c] = node.inputs;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const transA = attrInt(node, 'transA', 0) === 1;
  const transB = attrInt(node, 'transB', 0) === 1;
  const bs = ctx.shape(b);
  const out = ctx.shape(node.outputs[0]);
  let x = ctx.input(a);
  if (transA) {
    const as = ctx.shape(a);
    x = ctx.temp('transpose', node, { x, perm: ctx.ints('perm', [1, 0]) }, `${node.name}_at`, { dtype: ctx.compute, shape: [as[1], as[0]] });
  }
  if (ctx.constant(b)) {
    // linear wants weight [N, K]: B is [K, N] unless transB.
    let wf = ctx.constFloats(b, 'B');
    if (!transB) wf = transposeData(wf, bs, [1, 0]) as Float32Array;
    const N = out[1];
    const K = wf.length / N;
    const weight = ctx.floats(`${node.name}_weight`, [N, K], alpha === 1 ? wf : wf.map((v) => v * alpha));
    const inputs: Record<string, string> = { x, weight };
    if (c) {
      const cs = ctx.shape(c);
      const cf = ctx.constant(c) ? ctx.constFloats(c, 'C') : undefined;
      if (cf && (cs.length === 1 || (cs.length === 2 && cs[0] === 1)) && cf.length === N) inputs.bias = ctx.floats(`${node.name}_bias`, [N], beta === 1 ? cf : cf.map((v) => v * beta));
      else if (cf && cf.length === 1) inputs.bias = ctx.floats(`${node.name}_bias`, [N], new Float32Array(N).fill(cf[0] * beta));
      else {
        const y = ctx.temp('linear', node, inputs, `${node.name}_xw`, { dtype: ctx.compute, shape: out });
        const cc = beta === 1 ? ctx.input(c) : ctx.temp('mul', node, { x: ctx.input(c), y: ctx.scalar('beta', beta, 'float') }, `${node.name}_c`, ctx.milType(c));
        ctx.emit('add', node, { x: y, y: cc });
        return;
      }
    }
    ctx.emit('linear', node, inputs);
    return;
  }
  if (c) throw new Unmappable('Gemm with a computed B and a C input is not supported');
  if (alpha !== 1) throw new Unmappable('Gemm with a computed B and alpha ≠ 1 is not supported');
  ctx.emit('matmul', node, { x, y: ctx.input(b), transpose_x: ctx.scalar('transpose_x', false), transpose_y: ctx.scalar('transpose_y', transB) });
}

/** Emits one ONNX MatMul. */
export function emitMatMul(node: Node, ctx: MilEmitContext): void {
  const [a, b] = node.inputs;
  const as = ctx.shape(a);
  const bs = ctx.shape(b);
  if (as.length < 1 || bs.length < 1) throw new Unmappable('MatMul of scalars');
  if (ctx.constant(b) && bs.length === 2 && as.length >= 2) {
    const wf = transposeData(ctx.constFloats(b, 'B'), bs, [1, 0]) as Float32Array;
    ctx.emit('linear', node, { x: ctx.input(a), weight: ctx.floats(`${node.name}_weight`, [bs[1], bs[0]], wf) });
    return;
  }
  ctx.emit('matmul', node, { x: ctx.input(a), y: ctx.input(b), transpose_x: ctx.scalar('transpose_x', false), transpose_y: ctx.scalar('transpose_y', false) });
}
