// Pass: folds inference-mode BatchNormalization into the preceding Conv/ConvTranspose/Gemm/MatMul weights.
import type { Attribute, Dim, Graph, Model, Node } from '../ir/graph.ts';
import { attrFloat, attrInt } from '../ir/graph.ts';
import { elementCount, makeTensor, tensorFloats, type Tensor } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import {
  constantOf, graphOutputNames, nameAllocator, opsetOf, removeNodes, shapeResolver, usesOf, type Use,
} from './graph-edit.ts';
import { alloc, broadcastDims, broadcastIndexer } from './constant-eval/ndarray.ts';

/** Per-channel affine form of a BatchNormalization: y = x * scale + shift (float64). */
interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

/** The affine form of an inference-mode BN with constant parameters, else undefined. */
function affineOf(graph: Graph, bn: Node, used: (name: string) => boolean): ChannelAffine | undefined {
  if (attrInt(bn, 'training_mode', 0) !== 0 || attrInt(bn, 'spatial', 1) !== 1 || attrInt(bn, 'is_test', 1) === 0) return undefined;
  if (bn.outputs.slice(1).some((o) => o && used(o))) return undefined;
  const params = bn.inputs.slice(1, 5).map((n) => constantOf(graph, n));
  if (params.length !== 4 || params.some((t) => !t || (t.dtype !== 'float32' && t.dtype !== 'float64'))) return undefined;
  const [gamma, beta, mean, variance] = params.map((t) => tensorFloats(t!));
  const c = gamma.length;
  if ([beta, mean, variance].some((v) => v.length !== c)) return undefined;
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  // float32 parameters as ORT sees them; the epsilon attribute is a float32 too.
  const epsilon = Math.fround(eps);
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = gamma[i] / Math.sqrt(variance[i] + epsilon);
    shift[i] = beta[i] - mean[i] * scale[i];
  }
  return { scale, shift };
}

/** A copy of `t` with element i multiplied by scale[channelOf(i)]. */
function scaleTensor(t: Tensor, name: string, scale: Float64Array, channelOf: (i: number) => number): Tensor {
  const src = tensorFloats(t);
  const out = alloc(t.dtype, src.length) as Float32Array | Float64Array;
  for (let i = 0; i < src.length; i++) out[i] = src[i] * scale[channelOf(i)];
  return makeTensor(name, t.dtype, t.dims, out);
}

/** bias'[..., c] = bias[..., c] * factor * scale[c] + shift[c], with bias broadcast against [C] (absent = 0). */
function foldBias(bias: Tensor | undefined, factor: number, dtype: Tensor['dtype'], name: string, bn: ChannelAffine): Tensor | undefined {
  const c = bn.scale.length;
  const dims = bias ? broadcastDims(bias.dims, [c]) : [c];
  if (!dims || dims[dims.length - 1] !== c) return undefined;
  const src = bias ? tensorFloats(bias) : new Float32Array(1);
  const at = broadcastIndexer(bias ? bias.dims : [1], dims.length);
  const out = alloc(dtype, elementCount(dims)) as Float32Array | Float64Array;
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    const ch = idx[dims.length - 1];
    out[i] = src[at(idx)] * factor * bn.scale[ch] + bn.shift[ch];
    for (let d = dims.length - 1; d >= 0; d--) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
  return makeTensor(name, dtype, dims, out);
}

/** Mutable state shared by the folding rules of one run. */
interface Folder {
  graph: Graph;
  uses: Map<string, Use[]>;
  fresh: (base: string) => string;
  shapeOf: (name: string) => Dim[] | undefined;
  opset: number;
}

/** Stores a rewritten constant in input `slot` of `node`: in place when no one else reads it, else under a new name. */
function setConstant(f: Folder, node: Node, slot: number, tensor: Tensor, base: string): void {
  const old = node.inputs[slot];
  const shared = !old || (f.uses.get(old)?.length ?? 0) > 1;
  const name = shared ? f.fresh(base) : old;
  f.graph.initializers.set(name, { ...tensor, name });
  while (node.inputs.length <= slot) node.inputs.push('');
  node.inputs[slot] = name;
}

/** A constant float weight input of `node`, else undefined. */
function floatWeight(graph: Graph, node: Node, slot: number): Tensor | undefined {
  const t = constantOf(graph, node.inputs[slot]);
  return t && (t.dtype === 'float32' || t.dtype === 'float64') ? t : undefined;
}

/** Folds into a Conv or ConvTranspose; true on success. */
function foldIntoConv(f: Folder, conv: Node, bn: ChannelAffine): boolean {
  const w = floatWeight(f.graph, conv, 1);
  const b = conv.inputs[2] ? floatWeight(f.graph, conv, 2) : undefined;
  if (!w || w.dims.length < 3 || (conv.inputs[2] && !b)) return false;
  const group = attrInt(conv, 'group', 1);
  const kernel = elementCount(w.dims.slice(2));
  let channelOf: (i: number) => number;
  if (conv.op === 'Conv') {
    if (w.dims[0] !== bn.scale.length) return false;
    channelOf = (i) => Math.floor(i / (kernel * w.dims[1]));
  } else {
    const [inChannels, outPerGroup] = w.dims;
    if (outPerGroup * group !== bn.scale.length || inChannels % group) return false;
    const inPerGroup = inChannels / group;
    channelOf = (i) => {
      const c = Math.floor(i / (outPerGroup * kernel));
      const j = Math.floor(i / kernel) % outPerGroup;
      return Math.floor(c / inPerGroup) * outPerGroup + j;
    };
  }
  const bias = foldBias(b, 1, w.dtype, '', bn);
  if (!bias || bias.dims.length !== 1) return false;
  setConstant(f, conv, 1, scaleTensor(w, '', bn.scale, channelOf), `${conv.name || conv.op}_W_bnfolded`);
  setConstant(f, conv, 2, bias, `${conv.name || conv.op}_B_bnfolded`);
  return true;
}

/** Folds into a Gemm (its output is [M, N]; BN channels are the N columns); true on success. */
function foldIntoGemm(f: Folder, gemm: Node, bn: ChannelAffine): boolean {
  const w = floatWeight(f.graph, gemm, 1);
  const c = gemm.inputs[2] ? floatWeight(f.graph, gemm, 2) : undefined;
  if (!w || w.dims.length !== 2 || (gemm.inputs[2] && !c)) return false;
  const transB = attrInt(gemm, 'transB', 0) === 1;
  const n = transB ? w.dims[0] : w.dims[1];
  if (n !== bn.scale.length) return false;
  const bias = foldBias(c, c ? attrFloat(gemm, 'beta', 1) : 0, w.dtype, '', bn);
  if (!bias) return false;
  const k = w.dims[1];
  setConstant(f, gemm, 1, scaleTensor(w, '', bn.scale, transB ? (i) => Math.floor(i / k) : (i) => i % n), `${gemm.name || 'Gemm'}_B_bnfolded`);
  setConstant(f, gemm, 2, bias, `${gemm.name || 'Gemm'}_C_bnfolded`);
  gemm.attributes.set('beta', { type: 'float', value: 1 } satisfies Attribute);
  return true;
}

/** Turns MatMul (2-D input, constant [K, N] weight) + BN into Gemm(A, W·scale, shift); needs opset ≥ 7. */
function foldIntoMatMul(f: Folder, matmul: Node, bn: ChannelAffine): boolean {
  const w = floatWeight(f.graph, matmul, 1);
  if (f.opset < 7 || !w || w.dims.length !== 2 || w.dims[1] !== bn.scale.length || f.shapeOf(matmul.inputs[0])?.length !== 2) return false;
  const n = w.dims[1];
  setConstant(f, matmul, 1, scaleTensor(w, '', bn.scale, (i) => i % n), `${matmul.name || 'MatMul'}_W_bnfolded`);
  setConstant(f, matmul, 2, foldBias(undefined, 0, w.dtype, '', bn)!, `${matmul.name || 'MatMul'}_B_bnfolded`);
  matmul.op = 'Gemm';
  return true;
}

/**
 * Folds each BatchNormalization (inference mode, constant parameters) into the node producing its
 * input, when that value has no other reader and is not a graph output:
 * Conv / ConvTranspose (weights scaled per output channel, bias created if missing), Gemm (B
 * scaled per column, C folded, beta set to 1), and MatMul with a 2-D input and constant weight
 * (which becomes a Gemm with the scaled weight and the shift as C). A BN after MatMul+Add folds
 * once fuse-matmul-add has made that a Gemm. Weights shared with other nodes are copied.
 * Returns the number of BatchNormalization nodes removed.
 */
export function foldBatchNorm(model: Model): number {
  const graph = model.graph;
  const outputs = graphOutputNames(graph);
  const f: Folder = { graph, uses: usesOf(graph), fresh: nameAllocator(graph), shapeOf: shapeResolver(model), opset: opsetOf(model.opsets) ?? 1 };
  const used = (name: string) => (f.uses.get(name)?.length ?? 0) > 0 || outputs.has(name);
  const producers = producersOf(graph);
  const doomed = new Set<Node>();
  let folded = 0;
  for (const bnNode of [...graph.nodes]) {
    if (bnNode.op !== 'BatchNormalization' || bnNode.domain !== '') continue;
    const x = bnNode.inputs[0];
    const producer = producers.get(x);
    if (!producer || producer.domain !== '' || producer.outputs.length !== 1 || outputs.has(x) || f.uses.get(x)?.length !== 1) continue;
    const bn = affineOf(graph, bnNode, used);
    if (!bn) continue;
    let ok = false;
    if (producer.op === 'Conv' || producer.op === 'ConvTranspose') ok = foldIntoConv(f, producer, bn);
    else if (producer.op === 'Gemm') ok = foldIntoGemm(f, producer, bn);
    else if (producer.op === 'MatMul') ok = foldIntoMatMul(f, producer, bn);
    if (!ok) continue;
    producer.outputs[0] = bnNode.outputs[0];
    graph.valueInfo.delete(x);
    doomed.add(bnNode);
    folded++;
  }
  removeNodes(graph, doomed);
  return folded;
}

/** The fold-batchnorm pass. */
export const foldBatchNormPass: Pass = {
  name: 'fold-batchnorm',
  description: 'Fold inference BatchNormalization into the weights and bias of the preceding Conv, ConvTranspose, Gemm or MatMul.',
  run(model: Model, ctx) {
    const n = foldBatchNorm(model);
    if (n) ctx.log(`fold-batchnorm: folded ${n} BatchNormalization node(s)`);
    return model;
  },
};
