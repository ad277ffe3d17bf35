// QLinear* operators (QLinearConv, QLinearMatMul; com.microsoft QGemm, QLinearAdd, …) → DequantizeLinear → float op → QuantizeLinear.
import { attrFloat, attrInt, type Attribute, type Node } from '../../ir/graph.ts';
import { elementCount, tensorValues } from '../../ir/tensor.ts';
import type { DequantizeContext } from './context.ts';
import { dequantizeValues } from './values.ts';

/** Input slots of one quantized operand: value, scale, zero point. */
type Operand = [number, number, number];

/** How one QLinear op maps to a float op. */
interface QLinearSpec {
  domain: '' | 'com.microsoft';
  float: string;
  /** Quantized operands, in the float op's input order (a function for variadic ops). */
  operands: Operand[] | ((node: Node) => Operand[]);
  /** Slots of the output scale and zero point (absent: the op already outputs float). */
  output?: [number, number];
  /** Attributes the float op keeps. */
  attributes?: readonly string[];
  /** Axis of per-channel scales of operand `i` (the weight), from the node. */
  channelAxis?: (node: Node, operand: number) => number;
  /** Why the node cannot be expanded, if it cannot. */
  refuse?: (node: Node) => string | undefined;
}

const channelsLast = (node: Node) => (attrInt(node, 'channels_last', 0) ? 'channels_last (NHWC) layout is not expanded' : undefined);
const POOL_ATTRIBUTES = ['auto_pad', 'ceil_mode', 'count_include_pad', 'kernel_shape', 'pads', 'strides', 'dilations'];

/** The QLinear ops this file expands, by `domain/op`. */
export const QLINEAR_SPECS: Readonly<Record<string, QLinearSpec>> = {
  QLinearConv: {
    domain: '', float: 'Conv', operands: [[0, 1, 2], [3, 4, 5]], output: [6, 7],
    attributes: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'], channelAxis: () => 0,
  },
  'com.microsoft/QLinearConv': {
    domain: 'com.microsoft', float: 'Conv', operands: [[0, 1, 2], [3, 4, 5]], output: [6, 7],
    attributes: ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'], channelAxis: () => 0,
  },
  QLinearMatMul: { domain: '', float: 'MatMul', operands: [[0, 1, 2], [3, 4, 5]], output: [6, 7], channelAxis: () => -1 },
  'com.microsoft/QGemm': {
    domain: 'com.microsoft', float: 'Gemm', operands: [[0, 1, 2], [3, 4, 5]], output: [7, 8],
    attributes: ['alpha', 'transA', 'transB'], channelAxis: (node) => (attrInt(node, 'transB', 0) ? 0 : 1),
  },
  'com.microsoft/QLinearAdd': { domain: 'com.microsoft', float: 'Add', operands: [[0, 1, 2], [3, 4, 5]], output: [6, 7] },
  'com.microsoft/QLinearMul': { domain: 'com.microsoft', float: 'Mul', operands: [[0, 1, 2], [3, 4, 5]], output: [6, 7] },
  'com.microsoft/QLinearSigmoid': { domain: 'com.microsoft', float: 'Sigmoid', operands: [[0, 1, 2]], output: [3, 4] },
  'com.microsoft/QLinearLeakyRelu': { domain: 'com.microsoft', float: 'LeakyRelu', operands: [[0, 1, 2]], output: [3, 4], attributes: ['alpha'] },
  'com.microsoft/QLinearGlobalAveragePool': { domain: 'com.microsoft', float: 'GlobalAveragePool', operands: [[0, 1, 2]], output: [3, 4], refuse: channelsLast },
  'com.microsoft/QLinearAveragePool': { domain: 'com.microsoft', float: 'AveragePool', operands: [[0, 1, 2]], output: [3, 4], attributes: POOL_ATTRIBUTES, refuse: channelsLast },
  'com.microsoft/QLinearConcat': {
    domain: 'com.microsoft', float: 'Concat', output: [0, 1], attributes: ['axis'],
    operands: (node) => Array.from({ length: Math.floor((node.inputs.length - 2) / 3) }, (_, i): Operand => [2 + 3 * i, 3 + 3 * i, 4 + 3 * i]),
  },
};

/** The spec for a node, if it is a QLinear op this file knows. */
export function qlinearSpecOf(node: Node): QLinearSpec | undefined {
  const key = node.domain === '' || node.domain === 'ai.onnx' ? node.op : `${node.domain}/${node.op}`;
  const spec = Object.hasOwn(QLINEAR_SPECS, key) ? QLINEAR_SPECS[key] : undefined;
  return spec && (spec.domain === node.domain || (spec.domain === '' && node.domain === 'ai.onnx')) ? spec : undefined;
}

/**
 * Replaces every QLinear op with DequantizeLinear on its inputs (constants are dequantized into float32 weights at once),
 * the float op, and a QuantizeLinear on its output; the int32 bias of QLinearConv/QGemm becomes a float32 bias.
 * The activation Q→DQ pairs this leaves are removed by the pair step.
 */
export function expandQLinearOps(ctx: DequantizeContext): void {
  const replaced = new Map<Node, Node[]>();
  for (const node of ctx.graph.nodes) {
    const spec = qlinearSpecOf(node);
    if (!spec) continue;
    const refusal = spec.refuse?.(node);
    if (refusal) {
      ctx.skip(node, refusal);
      continue;
    }
    try {
      replaced.set(node, expand(ctx, node, spec));
      ctx.count(node.op);
    } catch (e) {
      ctx.skip(node, e instanceof Error ? e.message : String(e));
    }
  }
  ctx.graph.nodes = ctx.graph.nodes.flatMap((n) => replaced.get(n) ?? [n]);
}

function expand(ctx: DequantizeContext, node: Node, spec: QLinearSpec): Node[] {
  const nodes: Node[] = [];
  const operands = typeof spec.operands === 'function' ? spec.operands(node) : spec.operands;
  const floats = operands.map(([v, s, z], i) => {
    const scale = ctx.constant(node.inputs[s]);
    const perChannel = scale && elementCount(scale.dims) > 1;
    const axis = perChannel && spec.channelAxis ? spec.channelAxis(node, i) : undefined;
    return ctx.dequantized(node.inputs[v], node.inputs[s], node.inputs[z] ?? '', axis === undefined ? {} : { axis }, nodes, `${node.op} '${node.name}' input ${v}`);
  });
  const bias = biasInput(ctx, node);
  if (bias) floats.push(bias);
  const attributes = new Map<string, Attribute>([...node.attributes].filter(([k]) => spec.attributes?.includes(k)));
  const out = node.outputs[0];
  const quantizedOut = spec.output && node.inputs[spec.output[0]];
  const floatOut = quantizedOut ? ctx.fresh(`${out}_float`) : out;
  const rank = ctx.constant(node.inputs[3])?.dims.length ?? 0;
  if (spec.float === 'Conv' && attrInt(node, 'channels_last', 0) && rank >= 3) {
    // com.microsoft QLinearConv in NHWC (onnxruntime's layout optimisation): NCHW Conv between two Transposes.
    const toFirst = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
    const toLast = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    const nchw = ctx.fresh(`${floats[0]}_nchw`), convOut = ctx.fresh(`${out}_nchw`);
    nodes.push(ctx.node('Transpose', [floats[0]], [nchw], new Map([['perm', { type: 'ints', value: toFirst }]])));
    nodes.push(ctx.node('Conv', [nchw, ...floats.slice(1)], [convOut], attributes));
    nodes.push(ctx.node('Transpose', [convOut], [floatOut], new Map([['perm', { type: 'ints', value: toLast }]])));
  } else {
    nodes.push(ctx.node(spec.float, floats, [floatOut], attributes));
  }
  if (!quantizedOut) return nodes;
  nodes.push(ctx.quantizeNode(floatOut, node.inputs[spec.output![0]], node.inputs[spec.output![1]] ?? '', out));
  return nodes;
}

/**
 * The float32 bias of QLinearConv (input 8) or QGemm (input 6): int32 values at scale x_scale × w_scale (× alpha for
 * QGemm), per output channel. Throws when the bias or the scales are not constants.
 */
function biasInput(ctx: DequantizeContext, node: Node): string | undefined {
  const slot = node.op === 'QLinearConv' ? 8 : node.op === 'QGemm' ? 6 : -1;
  const name = slot >= 0 ? node.inputs[slot] : undefined;
  if (!name) return undefined;
  const bias = ctx.constant(name);
  const xs = ctx.constant(node.inputs[1]);
  const ws = ctx.constant(node.inputs[4]);
  if (!bias || !xs || !ws || bias.dtype !== 'int32' || xs.dtype !== 'float32' || ws.dtype !== 'float32') throw new Error('the int32 bias or the scales are not constants');
  const alpha = node.op === 'QGemm' ? attrFloat(node, 'alpha', 1) : 1;
  const x = (tensorValues(xs) as Float32Array)[0];
  const w = tensorValues(ws) as Float32Array;
  const scale = Float32Array.from(w, (v) => Math.fround(Math.fround(x * v) * alpha));
  const values = dequantizeValues(bias, { name: `${name}_scale`, dtype: 'float32', dims: [scale.length], data: { kind: 'bytes', bytes: new Uint8Array(scale.buffer) } }, undefined, { axis: -1 }, `${node.op} '${node.name}' bias`);
  return ctx.addFloat(`${name}_dequantized`, [...bias.dims], values);
}
