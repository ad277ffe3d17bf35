// DequantizeLinear of constants (weights, int32 biases; per tensor, per axis or blocked; 4- to 32-bit) → float32 constants.
import { attrInt, type Node } from '../../ir/graph.ts';
import { makeTensor, tensorValues } from '../../ir/tensor.ts';
import { CONSTANT_DQ, type DequantizeContext } from './context.ts';
import { dequantizeValues, integerValues, paramIndex, QUANTIZED_DTYPES } from './values.ts';

/** The tally name of float constants quantized in place (fake-quantized weights: Q(W) → DQ). */
export const CONSTANT_Q = 'constant QuantizeLinear folded';

/** Integer types a constant QuantizeLinear is folded to, with their typed arrays and ranges. */
const Q_TYPES = {
  int8: [Int8Array, -128, 127], uint8: [Uint8Array, 0, 255], int16: [Int16Array, -32768, 32767], uint16: [Uint16Array, 0, 65535],
} as const;

/** Rounds half to even, as QuantizeLinear does. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/**
 * Replaces every QuantizeLinear of a float32 constant (8- or 16-bit, per tensor or per axis, constant scale and zero
 * point) by the integer constant it computes, as exporters of fake-quantized (QAT) weights write `Q(W) → DQ`: the DQ
 * then folds like any other, so the weight keeps its rounding.
 */
export function foldConstantQuantize(ctx: DequantizeContext): void {
  const doomed = new Set<Node>();
  for (const node of ctx.graph.nodes) {
    if (!isQdq(node, 'QuantizeLinear') || attrInt(node, 'block_size', 0)) continue;
    const [x, s, z] = node.inputs;
    const w = ctx.constant(x), scale = ctx.constant(s), zp = z ? ctx.constant(z) : undefined;
    const dtype = zp?.dtype ?? (z ? undefined : 'uint8');
    if (!w || w.dtype !== 'float32' || !scale || scale.dtype !== 'float32' || !dtype || !(dtype in Q_TYPES) || attrInt(node, 'output_dtype', 0)) continue;
    const out = node.outputs[0];
    if (ctx.graph.outputs.some((v) => v.name === out)) continue;
    try {
      const [Ctor, lo, hi] = Q_TYPES[dtype as keyof typeof Q_TYPES];
      const index = paramIndex(w.dims, scale.dims, { axis: attrInt(node, 'axis', 1) }, `QuantizeLinear '${node.name}'`);
      const values = tensorValues(w) as Float32Array, scales = tensorValues(scale) as Float32Array;
      const zps = zp ? integerValues(zp) : undefined;
      const q = new Ctor(values.length);
      for (let i = 0; i < values.length; i++) {
        const p = index(i);
        q[i] = Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(values[i] / scales[p])) + (zps ? zps[zps.length === 1 ? 0 : p] : 0)));
      }
      ctx.graph.initializers.set(out, makeTensor(out, dtype as keyof typeof Q_TYPES, [...w.dims], q));
      ctx.graph.valueInfo.delete(out);
      doomed.add(node);
      ctx.count(CONSTANT_Q);
    } catch (e) {
      ctx.skip(node, e instanceof Error ? e.message : String(e));
    }
  }
  if (doomed.size) ctx.graph.nodes = ctx.graph.nodes.filter((n) => !doomed.has(n));
}

/** True for QuantizeLinear/DequantizeLinear of the ONNX or com.microsoft domain. */
export function isQdq(node: Node, op: 'QuantizeLinear' | 'DequantizeLinear'): boolean {
  return node.op === op && (node.domain === '' || node.domain === 'ai.onnx' || node.domain === 'com.microsoft');
}

/**
 * Replaces every DequantizeLinear whose input, scale and zero point are constants by a float32 initializer of the same
 * name as its output: the weights of a QDQ model become float32 again. Non-float32 scales and odd shapes are skipped.
 */
export function foldConstantDequantize(ctx: DequantizeContext): void {
  const doomed = new Set<Node>();
  for (const node of ctx.graph.nodes) {
    if (!isQdq(node, 'DequantizeLinear')) continue;
    const [x, s, z] = node.inputs;
    const q = ctx.constant(x), scale = ctx.scaleConstant(s), zp = z ? ctx.constant(z) : undefined;
    if (!q || !scale || (z && !zp) || !QUANTIZED_DTYPES.has(q.dtype)) continue;
    const out = node.outputs[0];
    if (ctx.graph.outputs.some((v) => v.name === out)) continue;
    try {
      const layout = { axis: attrInt(node, 'axis', 1), blockSize: attrInt(node, 'block_size', 0) };
      const values = dequantizeValues(q, scale, zp, layout, `DequantizeLinear '${node.name}'`);
      ctx.graph.initializers.delete(out);
      ctx.addFloatAs(out, [...q.dims], values);
      ctx.graph.valueInfo.delete(out);
      doomed.add(node);
      ctx.count(CONSTANT_DQ);
    } catch (e) {
      ctx.skip(node, e instanceof Error ? e.message : String(e));
    }
  }
  if (doomed.size) ctx.graph.nodes = ctx.graph.nodes.filter((n) => !doomed.has(n));
}
