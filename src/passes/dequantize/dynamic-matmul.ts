// com.microsoft DynamicQuantizeMatMul and MatMulIntegerToFloat (after a DynamicQuantizeLinear) → float MatMul (+ Add bias).
import type { Node } from '../../ir/graph.ts';
import { elementCount, type Tensor } from '../../ir/tensor.ts';
import { producers as producersOf } from '../../ir/toposort.ts';
import type { DequantizeContext } from './context.ts';
import { dequantizeValues } from './values.ts';

/**
 * Rewrites `DynamicQuantizeMatMul(A, B_q, b_scale[, b_zp[, bias]])` and `MatMulIntegerToFloat(A_q, B_q, a_scale, b_scale,
 * a_zp, b_zp[, bias])` with A_q, a_scale, a_zp from one DynamicQuantizeLinear(A), into `MatMul(A, B)` (+ `Add(bias)`)
 * with B dequantized per tensor or per column. Others stay, recorded in `ctx.skipped`.
 */
export function rewriteDynamicMatMuls(ctx: DequantizeContext): void {
  const producers = producersOf(ctx.graph);
  const replaced = new Map<Node, Node[]>();
  for (const node of ctx.graph.nodes) {
    if (node.domain !== 'com.microsoft') continue;
    let a: string, b: string, bScale: string, bZp: string | undefined, bias: string | undefined;
    if (node.op === 'DynamicQuantizeMatMul') {
      [a, b, bScale, bZp, bias] = node.inputs;
    } else if (node.op === 'MatMulIntegerToFloat') {
      const [aq, bq, aScale, bs, aZp, bz, c] = node.inputs;
      const dql = producers.get(aq);
      if (!dql || dql.op !== 'DynamicQuantizeLinear' || dql.outputs[0] !== aq || aScale !== dql.outputs[1] || (aZp && aZp !== dql.outputs[2])) {
        ctx.skip(node, 'its input is not quantized by a DynamicQuantizeLinear');
        continue;
      }
      [a, b, bScale, bZp, bias] = [dql.inputs[0], bq, bs, bz, c];
    } else continue;
    const weight = ctx.constant(b);
    const scale = ctx.constant(bScale);
    const zp = bZp ? ctx.constant(bZp) : undefined;
    if (!weight || !scale || (bZp && !zp) || weight.dims.length !== 2) {
      ctx.skip(node, 'B, its scale or zero point is not a constant 2-D weight');
      continue;
    }
    const n = weight.dims[1];
    const per = elementCount(scale.dims);
    if ((per !== 1 && per !== n) || (zp && elementCount(zp.dims) !== per)) {
      ctx.skip(node, `B scale has ${per} values for ${n} columns`);
      continue;
    }
    const flat = (t: Tensor): Tensor => ({ ...t, dims: [elementCount(t.dims)] });
    let values: Float32Array;
    try {
      values = dequantizeValues(weight, flat(scale), zp && flat(zp), { axis: 1 }, `${node.op} '${node.name}' B`);
    } catch (e) {
      ctx.skip(node, e instanceof Error ? e.message : String(e));
      continue;
    }
    const w = ctx.addFloat(`${b}_dequantized`, [...weight.dims], values);
    replaced.set(node, ctx.matMulWithBias(a, w, bias, node.outputs[0]));
    ctx.count(node.op);
  }
  ctx.graph.nodes = ctx.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
}
