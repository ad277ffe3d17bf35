// Pass: moves a constant per-channel Add that follows a Conv/ConvTranspose into the conv's bias input.
import type { Graph, Model, Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { constantOf, graphOutputNames, matchConvChannelConstant, nameAllocator, removeNodes, usesOf } from './graph-edit.ts';
import { alloc } from './constant-eval/ndarray.ts';

/**
 * Rewrites Conv/ConvTranspose(x, W[, B]) → Add(·, c) into Conv(x, W, B + c) when c is a constant
 * that only varies along the channel axis (shape like [C], [1, C, 1, 1] or a scalar) and the conv
 * result has no other reader. Exporters (e.g. paddle2onnx) emit this form; folding it lets a
 * following BatchNormalization fold too. Returns the number of Adds removed.
 */
export function fuseConvBias(graph: Graph): number {
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const fresh = nameAllocator(graph);
  const doomed = new Set<Node>();
  for (const add of graph.nodes) {
    if (add.op !== 'Add') continue;
    const match = matchConvChannelConstant(graph, add, ['Conv', 'ConvTranspose'], { outputs, uses, producers });
    if (!match || doomed.has(match.conv)) continue;
    const { conv, convOutput: y, weight: w, constant: c, channels } = match;
    const old = conv.inputs[2] ? constantOf(graph, conv.inputs[2]) : undefined;
    if (conv.inputs[2] && !old) continue;
    const extra = tensorFloats(c);
    const base = old ? tensorFloats(old) : undefined;
    const bias = alloc(w.dtype, channels) as Float32Array | Float64Array;
    for (let i = 0; i < channels; i++) bias[i] = (base ? base[i] : 0) + extra[extra.length === 1 ? 0 : i];
    const name = fresh(`${conv.name || conv.op}_bias`);
    graph.initializers.set(name, makeTensor(name, w.dtype, [channels], bias));
    while (conv.inputs.length < 3) conv.inputs.push('');
    conv.inputs[2] = name;
    conv.outputs[0] = add.outputs[0];
    graph.valueInfo.delete(y);
    doomed.add(add);
  }
  removeNodes(graph, doomed);
  return doomed.size;
}

/** The fuse-conv-bias pass. */
export const fuseConvBiasPass: Pass = {
  name: 'fuse-conv-bias',
  description: 'Move a constant per-channel Add after Conv/ConvTranspose into the conv bias.',
  run(model: Model, ctx) {
    const n = fuseConvBias(model.graph);
    if (n) ctx.log(`fuse-conv-bias: folded ${n} Add node(s) into conv biases`);
    return model;
  },
};
