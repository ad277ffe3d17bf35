// Rewrites before static quantization that keep the float function but give fewer, better-conditioned values to quantize.
import type { Graph, Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import { fuseConvBias } from '../passes/fuse-conv-bias.ts';
import { constantOf, graphOutputNames, nameAllocator, usesOf } from '../passes/graph-edit.ts';

/**
 * Folds `Conv(x, W, B) → Mul(·, m)` into `Conv(x, W·m, B·m)` when m is a float32 constant that varies only along the
 * output channels (scalar, [C], [1, C, 1, 1]) and the conv result has no other reader. Returns the Muls removed.
 */
export function foldConvScale(graph: Graph): number {
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const fresh = nameAllocator(graph);
  const doomed = new Set<Node>();
  for (const mul of graph.nodes) {
    if (mul.op !== 'Mul' || mul.domain !== '' || mul.inputs.length !== 2) continue;
    const side = mul.inputs.findIndex((n) => producers.get(n)?.op === 'Conv');
    if (side < 0) continue;
    const y = mul.inputs[side];
    const conv = producers.get(y)!;
    const w = constantOf(graph, conv.inputs[1]);
    const m = constantOf(graph, mul.inputs[1 - side]);
    if (conv.domain !== '' || doomed.has(conv) || outputs.has(y) || uses.get(y)?.length !== 1 || !w || !m) continue;
    if (w.dtype !== 'float32' || m.dtype !== 'float32') continue;
    const rank = w.dims.length;
    const channels = w.dims[0];
    const padded = [...new Array(Math.max(0, rank - m.dims.length)).fill(1), ...m.dims];
    if (padded.length !== rank || padded.some((d, i) => d !== 1 && !(i === 1 && d === channels))) continue;
    const oldBias = conv.inputs[2] ? constantOf(graph, conv.inputs[2]) : undefined;
    if (conv.inputs[2] && (!oldBias || oldBias.dtype !== 'float32')) continue;
    const factors = tensorFloats(m);
    const factor = (c: number) => factors[factors.length === 1 ? 0 : c];
    const weights = Float32Array.from(tensorFloats(w));
    const inner = weights.length / channels;
    for (let i = 0; i < weights.length; i++) weights[i] *= factor(Math.floor(i / inner));
    const wName = fresh(`${conv.inputs[1]}_scaled`);
    graph.initializers.set(wName, makeTensor(wName, 'float32', [...w.dims], weights));
    conv.inputs[1] = wName;
    if (oldBias) {
      const b = Float32Array.from(tensorFloats(oldBias), (v, c) => v * factor(c));
      const bName = fresh(`${conv.inputs[2]}_scaled`);
      graph.initializers.set(bName, makeTensor(bName, 'float32', [channels], b));
      conv.inputs[2] = bName;
    }
    conv.outputs[0] = mul.outputs[0];
    doomed.add(mul);
  }
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
  return doomed.size;
}

/** Folds constant per-channel Mul and Add after convs into them, repeatedly (Conv → Mul → Add chains). Returns nodes removed. */
export function foldConvAffine(graph: Graph): number {
  let total = 0;
  for (;;) {
    const n = foldConvScale(graph) + fuseConvBias(graph);
    if (n === 0) return total;
    total += n;
  }
}
