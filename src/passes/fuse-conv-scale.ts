// Pass: folds a constant per-channel Mul that follows a Conv into the conv's weights and bias.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { constantOf, graphOutputNames, matchConvChannelConstant, nameAllocator, removeNodes, usesOf } from './graph-edit.ts';
import { alloc } from './constant-eval/ndarray.ts';

/**
 * Rewrites Conv(x, W[, B]) → Mul(·, c) into Conv(x, W·c, B·c) when c is a constant that only varies along the output
 * channels (a scalar, [1, C, 1, 1] or [C, 1, 1]) and the conv result has no other reader. PaddleOCR's PP-LCNetV3 follows each
 * conv with a learnable scale and bias (Mul, Add of scalars); folded, the Add moves into the bias too (fuse-conv-bias).
 * The static quantizer runs it as well (quantize/prepare.ts), for models quantized without the default passes.
 * Returns the number of Muls removed.
 */
export function fuseConvScale(graph: Graph): number {
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const fresh = nameAllocator(graph);
  const doomed = new Set<Node>();
  for (const mul of graph.nodes) {
    if (mul.op !== 'Mul') continue;
    const match = matchConvChannelConstant(graph, mul, ['Conv'], { outputs, uses, producers });
    if (!match) continue;
    const { conv, convOutput: y, weight: w, constant: c, channels } = match;
    const oldBias = conv.inputs[2] ? constantOf(graph, conv.inputs[2]) : undefined;
    if (conv.inputs[2] && !oldBias) continue;
    const scale = tensorFloats(c);
    const at = (o: number) => scale[scale.length === 1 ? 0 : o];
    const perChannel = w.dims.slice(1).reduce((a, d) => a * d, 1);
    const source = tensorFloats(w);
    const weights = alloc(w.dtype, source.length) as Float32Array | Float64Array;
    for (let i = 0; i < source.length; i++) weights[i] = source[i] * at(Math.floor(i / perChannel));
    const weightName = fresh(`${conv.name || conv.op}_scaled_w`);
    graph.initializers.set(weightName, makeTensor(weightName, w.dtype, [...w.dims], weights));
    conv.inputs[1] = weightName;
    if (oldBias) {
      const base = tensorFloats(oldBias);
      const bias = alloc(w.dtype, channels) as Float32Array | Float64Array;
      for (let o = 0; o < channels; o++) bias[o] = base[o] * at(o);
      const biasName = fresh(`${conv.name || conv.op}_scaled_b`);
      graph.initializers.set(biasName, makeTensor(biasName, w.dtype, [channels], bias));
      conv.inputs[2] = biasName;
    }
    conv.outputs[0] = mul.outputs[0];
    graph.valueInfo.delete(y);
    doomed.add(mul);
  }
  removeNodes(graph, doomed);
  return doomed.size;
}

/** The fuse-conv-scale pass. */
export const fuseConvScalePass: Pass = {
  name: 'fuse-conv-scale',
  description: 'Fold a constant per-channel Mul after Conv into the conv weights and bias.',
  run(model: Model, ctx) {
    const n = fuseConvScale(model.graph);
    if (n) ctx.log(`fuse-conv-scale: folded ${n} Mul node(s) into conv weights`);
    return model;
  },
};
