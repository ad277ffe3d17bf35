// The int8-dynamic scheme: int8 weights, activations quantized at run time (DynamicQuantizeMatMul, ConvInteger).
import type { Attribute, Graph, Model, Node } from '../ir/graph.ts';
import { attrFloat } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { constantOf, nameAllocator, opsetOf } from '../passes/graph-edit.ts';
import { describeRewrites, upgradeOpset, UPGRADE_DEFAULT_TARGET } from '../passes/upgrade-opset.ts';
import type { ExcludeList } from './exclude.ts';
import { applyReplacements, matMulWeight, rewriteFloatNodes } from './weight-nodes.ts';
import { dequantizedRecurrentWeights, dynamicLstm } from './dynamic-recurrent.ts';
import { quantizeWeight } from './params.ts';
import type { QuantizeReport } from './report.ts';
import type { ResolvedOptions } from './schemes.ts';
import { ensureOpset, qdqDomain } from './static.ts';

type Fresh = (base: string) => string;

/** What the report says of each rewritten op. */
function detailOf(node: Node, options: ResolvedOptions): string {
  if (node.op === 'LSTM') return `int8 ${options.perChannel ? 'per-gate-unit' : 'per-direction'} W and R in com.microsoft DynamicQuantizeLSTM (inputs quantized at run time); gates and the h/c state stay float32`;
  if (node.op === 'GRU' || node.op === 'RNN') return `int8 ${options.perChannel ? 'per-channel' : 'per-tensor'} W and R dequantized on load (onnxruntime has no integer ${node.op}); the recurrence stays float32`;
  return `int8 ${options.perChannel ? 'per-channel' : 'per-tensor'} weights, uint8 activations quantized at run time`;
}

/** Quantizes MatMul/Gemm/Conv with constant weights (and LSTM/GRU/RNN weights) in place, bodies included; fills the report. */
export async function quantizeDynamic(model: Model, options: ResolvedOptions, exclude: ExcludeList, report: QuantizeReport): Promise<Model> {
  // DynamicQuantizeLinear (what ConvInteger reads) exists from opset 11: older models are upgraded first.
  if ((opsetOf(model.opsets) ?? 1) < 11 && model.graph.nodes.some((n) => n.op === 'Conv' && n.domain === '' && !exclude.matches(n))) {
    const r = upgradeOpset(model, UPGRADE_DEFAULT_TARGET);
    report.passLog.push(`upgrade-opset: opset ${r.from} → ${r.to} for DynamicQuantizeLinear, rewrote ${describeRewrites(r.rewritten)}`);
  }
  const fresh = nameAllocator(model.graph);
  const dqDomain = qdqDomain(model, false, options.perChannel);
  const replaced = rewriteFloatNodes(model, exclude, report, (node) => detailOf(node, options), (node, graph) => {
    const isDefault = node.domain === '' || node.domain === 'ai.onnx';
    return !isDefault ? 'custom-domain op'
      : node.op === 'MatMul' || node.op === 'Gemm' ? dynamicMatMul(graph, node, options, fresh)
      : node.op === 'Conv' ? dynamicConv(graph, node, options, fresh)
      : node.op === 'LSTM' ? dynamicLstm(graph, node, options, fresh)
      : node.op === 'GRU' || node.op === 'RNN' ? dequantizedRecurrentWeights(graph, node, options, fresh, dqDomain)
      : 'int8-dynamic quantizes only MatMul, Gemm, Conv and LSTM/GRU/RNN weights';
  });
  const added = [...replaced.values()].flat();
  applyReplacements(model, replaced);
  if (added.some((n) => n.domain === 'com.microsoft')) ensureOpset(model, 'com.microsoft', 1);
  return model;
}

/** MatMul [.., K] × B[K, N] or Gemm → com.microsoft DynamicQuantizeMatMul with per-column int8 B and float bias. */
function dynamicMatMul(graph: Graph, node: Node, options: ResolvedOptions, fresh: Fresh): Node[] | string {
  const gemm = node.op === 'Gemm';
  const [a, b, c] = node.inputs;
  const mw = matMulWeight(graph, node);
  if (typeof mw === 'string') return mw;
  const { weight, transB, k, n } = mw;
  const w = transposedIf(tensorFloats(weight), weight.dims, transB);
  const alpha = gemm ? attrFloat(node, 'alpha', 1) : 1;
  let bias: Float32Array | undefined;
  if (gemm && c) {
    const t = constantOf(graph, c);
    if (!t || t.dtype !== 'float32' || t.dims.reduce((x, y) => x * y, 1) !== n || (t.dims.length === 2 && t.dims[0] !== 1)) return 'Gemm bias is not a [N] float32 constant';
    const beta = attrFloat(node, 'beta', 1);
    bias = Float32Array.from(tensorFloats(t), (v) => v * beta);
  }
  const q = quantizeWeight(w, [k, n], 'int8', options.symmetric, options.perChannel ? 1 : undefined);
  const shape = q.params.length > 1 ? [n] : [];
  const base = node.name || b;
  const bName = addInit(graph, fresh(`${b}_quantized`), 'int8', [k, n], Int8Array.from(q.values));
  const sName = addInit(graph, fresh(`${b}_scale`), 'float32', shape, Float32Array.from(q.params, (p) => p.scale * alpha));
  const zName = options.symmetric ? '' : addInit(graph, fresh(`${b}_zero_point`), 'int8', shape, Int8Array.from(q.params, (p) => p.zeroPoint));
  const inputs = [a, bName, sName, zName];
  if (bias) inputs.push(addInit(graph, fresh(`${base}_bias`), 'float32', [n], bias));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return [{ op: 'DynamicQuantizeMatMul', domain: 'com.microsoft', name: fresh(`${base}_dynamic`), inputs, outputs: [...node.outputs], attributes: new Map() }];
}

/** Conv → DynamicQuantizeLinear + ConvInteger (int8 weights) + Cast + Mul(x_scale × w_scale) (+ Add bias). */
function dynamicConv(graph: Graph, node: Node, options: ResolvedOptions, fresh: Fresh): Node[] | string {
  const [x, w, b] = node.inputs;
  const weight = constantOf(graph, w);
  if (!weight || weight.dtype !== 'float32') return 'weight is not a float32 constant';
  const bias = b ? constantOf(graph, b) : undefined;
  if (b && (!bias || bias.dtype !== 'float32')) return 'bias is not a float32 constant';
  const m = weight.dims[0];
  const rank = weight.dims.length;
  const q = quantizeWeight(tensorFloats(weight), weight.dims, 'int8', options.symmetric, options.perChannel ? 0 : undefined);
  const channelShape = [1, q.params.length > 1 ? m : 1, ...new Array(rank - 2).fill(1)];
  const base = node.name || w;
  const wq = addInit(graph, fresh(`${w}_quantized`), 'int8', weight.dims, Int8Array.from(q.values));
  const wzp = options.symmetric ? '' : addInit(graph, fresh(`${w}_zero_point`), 'int8', [q.params.length], Int8Array.from(q.params, (p) => p.zeroPoint));
  const wScale = addInit(graph, fresh(`${w}_scale`), 'float32', channelShape, Float32Array.from(q.params, (p) => p.scale));
  const [xq, xs, xz, acc, accF, scale] = ['x_quantized', 'x_scale', 'x_zero_point', 'int32', 'float', 'scale'].map((s) => fresh(`${base}_${s}`));
  const out = node.outputs[0];
  const scaled = bias ? fresh(`${base}_scaled`) : out;
  const convAttrs = new Map<string, Attribute>([...node.attributes].filter(([k]) => ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'].includes(k)));
  const nodes: Node[] = [
    mk('DynamicQuantizeLinear', fresh(`${base}_DynamicQuantizeLinear`), [x], [xq, xs, xz]),
    { ...mk('ConvInteger', fresh(`${base}_ConvInteger`), wzp ? [xq, wq, xz, wzp] : [xq, wq, xz], [acc]), attributes: convAttrs },
    { ...mk('Cast', fresh(`${base}_Cast`), [acc], [accF]), attributes: new Map([['to', { type: 'int', value: 1 }]]) },
    mk('Mul', fresh(`${base}_scale_Mul`), [xs, wScale], [scale]),
    mk('Mul', fresh(`${base}_Mul`), [accF, scale], [scaled]),
  ];
  if (bias) {
    const biasShaped = addInit(graph, fresh(`${b}_reshaped`), 'float32', [1, m, ...new Array(rank - 2).fill(1)], Float32Array.from(tensorFloats(bias)));
    nodes.push(mk('Add', fresh(`${base}_bias_Add`), [scaled, biasShaped], [out]));
  }
  return nodes;
}

function mk(op: string, name: string, inputs: string[], outputs: string[]): Node {
  return { op, domain: '', name, inputs, outputs, attributes: new Map() };
}

function addInit(graph: Graph, name: string, dtype: 'float32' | 'int8', dims: number[], values: Float32Array | Int8Array): string {
  graph.initializers.set(name, makeTensor(name, dtype, dims, values));
  return name;
}

/** Row-major [r, c] values, transposed to [c, r] when asked. */
export function transposedIf(values: Float32Array, dims: readonly number[], transpose: boolean): Float32Array {
  if (!transpose) return values;
  const [r, c] = dims;
  const out = new Float32Array(values.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = values[i * c + j];
  return out;
}
