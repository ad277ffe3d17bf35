// Pass: folds a scalar affine (Mul then Add of constants) in front of unpadded convs into their weights and bias.
import { attrInts, attrString, type Graph, type Model, type Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { constantOf, graphOutputNames, nameAllocator, removeNodes, usesOf } from './graph-edit.ts';
import { alloc } from './constant-eval/ndarray.ts';

/** The scalar float constant among a binary node's inputs, and the other (data) input. */
function scalarOperand(graph: Graph, node: Node): { data: string; value: number } | undefined {
  if (node.domain !== '' || node.inputs.length !== 2) return undefined;
  for (const side of [0, 1]) {
    const c = constantOf(graph, node.inputs[side]);
    // Rank 0 or [1] only: a [1, 1, 1, 1] constant could broadcast a lower-rank input up to the conv's rank.
    if (c && c.dtype === 'float32' && c.dims.length <= 1 && c.dims.reduce((a, d) => a * d, 1) === 1 && !constantOf(graph, node.inputs[1 - side])) return { data: node.inputs[1 - side], value: tensorFloats(c)[0] };
  }
  return undefined;
}

/** A Conv that reads its input without padding (every output sees only real input pixels). */
function unpadded(graph: Graph, node: Node, input: string): boolean {
  if (node.op !== 'Conv' || node.domain !== '' || node.inputs[0] !== input || node.inputs.slice(1).includes(input)) return false;
  const w = constantOf(graph, node.inputs[1]);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads', []);
  return w?.dtype === 'float32' && (!node.inputs[2] || constantOf(graph, node.inputs[2])?.dtype === 'float32')
    && (autoPad === 'VALID' || (autoPad === 'NOTSET' && pads.every((p) => p === 0)));
}

/**
 * Rewrites Mul(h, a) → Add(·, b) → Conv… (a, b scalar constants; every reader an unpadded Conv) into the Convs reading
 * h with weights a·W and bias B + b·ΣW (summed over each output channel's taps). Exact without padding: every tap reads
 * a real pixel. PP-LCNetV3 puts such a learnable affine after each activation; folded, a quantized model loses its two
 * 8-bit grids. A padded conv is left alone (its zero padding would become b). Returns the number of affines folded.
 */
export function fuseAffineConv(graph: Graph): number {
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const fresh = nameAllocator(graph);
  const doomed = new Set<Node>();
  for (const add of graph.nodes) {
    if (add.op !== 'Add') continue;
    const shift = scalarOperand(graph, add);
    const mul = shift && producers.get(shift.data);
    const scale = mul?.op === 'Mul' ? scalarOperand(graph, mul) : undefined;
    if (!shift || !mul || !scale || doomed.has(mul) || outputs.has(mul.outputs[0]) || outputs.has(add.outputs[0])) continue;
    if ((uses.get(mul.outputs[0]) ?? []).length !== 1) continue;
    const readers = (uses.get(add.outputs[0]) ?? []).map((u) => u.node);
    if (!readers.length || !readers.every((r) => unpadded(graph, r, add.outputs[0]))) continue;
    for (const conv of readers) {
      const w = constantOf(graph, conv.inputs[1])!;
      const source = tensorFloats(w);
      const channels = w.dims[0];
      const taps = source.length / channels;
      const weights = alloc('float32', source.length) as Float32Array;
      const bias = alloc('float32', channels) as Float32Array;
      const old = conv.inputs[2] ? tensorFloats(constantOf(graph, conv.inputs[2])!) : undefined;
      for (let o = 0; o < channels; o++) {
        let sum = 0;
        for (let i = o * taps; i < (o + 1) * taps; i++) {
          weights[i] = source[i] * scale.value;
          sum += source[i];
        }
        bias[o] = (old ? old[o] : 0) + shift.value * sum;
      }
      const [wName, bName] = [fresh(`${conv.name || 'Conv'}_affine_w`), fresh(`${conv.name || 'Conv'}_affine_b`)];
      graph.initializers.set(wName, makeTensor(wName, 'float32', [...w.dims], weights));
      graph.initializers.set(bName, makeTensor(bName, 'float32', [channels], bias));
      while (conv.inputs.length < 3) conv.inputs.push('');
      conv.inputs[0] = scale.data;
      conv.inputs[1] = wName;
      conv.inputs[2] = bName;
    }
    doomed.add(mul).add(add);
  }
  removeNodes(graph, doomed);
  return doomed.size / 2;
}

/** The fuse-affine-conv pass. */
export const fuseAffineConvPass: Pass = {
  name: 'fuse-affine-conv',
  description: 'Fold a scalar Mul → Add in front of unpadded Convs into their weights and bias.',
  run(model: Model, ctx) {
    const n = fuseAffineConv(model.graph);
    if (n) ctx.log(`fuse-affine-conv: folded ${n} scalar affine(s) into the convs after them`);
    return model;
  },
};
