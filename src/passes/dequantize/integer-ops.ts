// DynamicQuantizeLinear + ConvInteger/MatMulInteger + Cast + Mul(x_scale × w_scale) (ONNX Runtime's dynamic quantizer) → float Conv/MatMul.
import type { Attribute, Node } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { elementCount } from '../../ir/tensor.ts';
import { producers as producersOf } from '../../ir/toposort.ts';
import { graphOutputNames, usesOf, type Use } from '../graph-edit.ts';
import type { DequantizeContext } from './context.ts';
import { dequantizeValues } from './values.ts';

const CONV_ATTRIBUTES = ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'];

/** The scale chain after the Cast: the Muls, and the constant weight scale found in them. */
interface ScaleChain {
  muls: Node[];
  weightScale: Tensor;
  /** The last Mul's output: the float result. */
  output: string;
}

/**
 * Rewrites every `DynamicQuantizeLinear(x) → ConvInteger|MatMulInteger(x_q, W_q, x_zp[, w_zp]) → Cast(float) → Mul…`
 * whose Muls multiply by exactly the dynamic x_scale and a constant weight scale (as one Mul(x_scale, w_scale) or two
 * Muls), into `Conv|MatMul(x, (W_q − w_zp) × w_scale)`. Per-tensor and per-output-channel weight scales and zero
 * points are handled; anything else is left as it is and recorded in `ctx.skipped`.
 */
export function rewriteIntegerOps(ctx: DequantizeContext): void {
  const graph = ctx.graph;
  const producers = producersOf(graph);
  const uses = usesOf(graph);
  const outputs = graphOutputNames(graph);
  const only = (value: string): Node | undefined => {
    const u = uses.get(value) ?? [];
    return u.length === 1 && !outputs.has(value) ? u[0].node : undefined;
  };
  const replaced = new Map<Node, Node | null>();
  for (const node of graph.nodes) {
    if (node.domain !== '' || (node.op !== 'ConvInteger' && node.op !== 'MatMulInteger')) continue;
    const [xq, wq, xzp, wzp] = node.inputs;
    const dql = producers.get(xq);
    if (!dql || dql.op !== 'DynamicQuantizeLinear' || dql.outputs[0] !== xq || (xzp && xzp !== dql.outputs[2])) {
      ctx.skip(node, 'its input is not quantized by a DynamicQuantizeLinear');
      continue;
    }
    const weight = ctx.constant(wq);
    const zp = wzp ? ctx.constant(wzp) : undefined;
    const cast = only(node.outputs[0]);
    if (!weight || (wzp && !zp) || !cast || cast.op !== 'Cast') {
      ctx.skip(node, !weight || (wzp && !zp) ? 'the weight or its zero point is not a constant' : 'its result is not read by one Cast to float');
      continue;
    }
    const chain = scaleChain(ctx, cast.outputs[0], dql.outputs[1], only, uses);
    if (typeof chain === 'string') {
      ctx.skip(node, chain);
      continue;
    }
    const conv = node.op === 'ConvInteger';
    const channelAxis = conv ? 0 : weight.dims.length - 1;
    const channels = weight.dims[channelAxis];
    const problem = channelProblem(chain.weightScale, channels, conv ? weight.dims.length : undefined) ?? (zp && ![1, channels].includes(elementCount(zp.dims)) ? `weight zero point has ${elementCount(zp.dims)} values for ${channels} channels` : undefined);
    if (problem) {
      ctx.skip(node, problem);
      continue;
    }
    const scaleFlat: Tensor = { ...chain.weightScale, dims: [elementCount(chain.weightScale.dims)] };
    const zpFlat: Tensor | undefined = zp && { ...zp, dims: [elementCount(zp.dims)] };
    let values: Float32Array;
    try {
      values = dequantizeValues(weight, scaleFlat, zpFlat, { axis: channelAxis }, `${node.op} '${node.name}' weight`);
    } catch (e) {
      ctx.skip(node, e instanceof Error ? e.message : String(e));
      continue;
    }
    const w = ctx.addFloat(`${wq}_dequantized`, [...weight.dims], values);
    const attributes = new Map<string, Attribute>(conv ? [...node.attributes].filter(([k]) => CONV_ATTRIBUTES.includes(k)) : []);
    replaced.set(node, ctx.node(conv ? 'Conv' : 'MatMul', [dql.inputs[0], w], [chain.output], attributes));
    replaced.set(cast, null);
    for (const m of chain.muls) replaced.set(m, null);
    ctx.count(node.op);
  }
  graph.nodes = graph.nodes.flatMap((n) => (replaced.has(n) ? (replaced.get(n) ? [replaced.get(n)!] : []) : [n]));
}

/**
 * Follows the Muls after the Cast (each the only reader of the previous value) until both the dynamic scale and one
 * constant weight scale have been multiplied in, directly or through a Mul(x_scale, w_scale). Returns why not otherwise.
 */
function scaleChain(ctx: DequantizeContext, start: string, xScale: string, only: (v: string) => Node | undefined, uses: Map<string, Use[]>): ScaleChain | string {
  const producers = producersOf(ctx.graph);
  const muls: Node[] = [];
  let value = start, sawX = false, weightScale: Tensor | undefined;
  while (!sawX || !weightScale) {
    const mul = only(value);
    if (!mul || mul.op !== 'Mul' || mul.domain !== '' || muls.length >= 2) return 'its result is not scaled by x_scale × a constant weight scale';
    const other = mul.inputs[0] === value ? mul.inputs[1] : mul.inputs[0];
    const c = ctx.constant(other);
    const product = producers.get(other);
    if (other === xScale && !sawX) sawX = true;
    else if (c && !weightScale) weightScale = c;
    else if (product && product.op === 'Mul' && product.inputs.includes(xScale) && !sawX && !weightScale && (uses.get(other)?.length ?? 0) === 1) {
      const ws = ctx.constant(product.inputs[0] === xScale ? product.inputs[1] : product.inputs[0]);
      if (!ws) return 'the weight scale is not a constant';
      sawX = true;
      weightScale = ws;
      muls.push(product);
    } else return 'its result is not scaled by x_scale × a constant weight scale';
    muls.push(mul);
    value = mul.outputs[0];
  }
  if (weightScale.dtype !== 'float32') return `the weight scale is ${weightScale.dtype}`;
  return { muls, weightScale, output: value };
}

/** Why a weight scale does not apply per tensor or per output channel (axis 1 of a conv output of `convRank`, else the last axis). */
function channelProblem(scale: Tensor, channels: number, convRank: number | undefined): string | undefined {
  const count = elementCount(scale.dims);
  if (count === 1) return undefined;
  if (count !== channels) return `weight scale has ${count} values for ${channels} channels`;
  const at = scale.dims.findIndex((d) => d !== 1);
  const axisFromEnd = scale.dims.length - at;
  const wanted = convRank === undefined ? 1 : convRank - 1;
  return axisFromEnd === wanted ? undefined : `weight scale [${scale.dims.join(',')}] does not run along the output channels`;
}
