// Rewrites before static quantization that keep the float function but give fewer, better-conditioned values to quantize.
import type { Graph, Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import { fuseConvBias } from '../passes/fuse-conv-bias.ts';
import { fuseConvScale } from '../passes/fuse-conv-scale.ts';
import { constantOf, graphOutputNames, nameAllocator, usesOf } from '../passes/graph-edit.ts';

/** Folds constant per-channel Mul and Add after convs into them, repeatedly (Conv → Mul → Add chains). Returns nodes removed. */
export function foldConvAffine(graph: Graph): number {
  let total = 0;
  for (;;) {
    const n = fuseConvScale(graph) + fuseConvBias(graph);
    if (n === 0) return total;
    total += n;
  }
}

/** Channels-per-input mapping of a Conv weight [M, C/g, k…]: the input channel element `i` of `w` reads. */
function inputChannelOf(dims: number[], group: number): (i: number) => number {
  const [m, cg] = dims;
  const inner = dims.slice(2).reduce((a, b) => a * b, 1);
  const perGroup = m / group;
  return (i) => {
    const out = Math.floor(i / (cg * inner));
    const j = Math.floor(i / inner) % cg;
    return Math.floor(out / perGroup) * cg + j;
  };
}

/**
 * Rewrites `Div(x, c)` by a float32 constant into `Mul(x, 1/c)` (one rounding apart), then folds a constant scale
 * `Mul(x, s)` (scalar, or per channel [1, C, 1, 1] / [C, 1, 1]) whose only readers are Convs (input 0) into those
 * convs' weights: `Conv(x·s, W) = Conv(x, W·s)` (zero padding scales to zero). HardSwish spelled
 * `x·Clip(x+3, 0, 6)/6` loses its Div this way. Returns the nodes rewritten or removed.
 */
export function foldScaleIntoNextConv(graph: Graph): number {
  const outputs = graphOutputNames(graph);
  const fresh = nameAllocator(graph);
  let changed = 0;
  for (const div of graph.nodes) {
    if (div.op !== 'Div' || div.domain !== '' || div.inputs.length !== 2) continue;
    const c = constantOf(graph, div.inputs[1]);
    if (!c || c.dtype !== 'float32' || constantOf(graph, div.inputs[0])) continue;
    const values = tensorFloats(c);
    if (values.some((v) => v === 0 || !Number.isFinite(v))) continue;
    const name = fresh(`${div.inputs[1]}_reciprocal`);
    graph.initializers.set(name, makeTensor(name, 'float32', [...c.dims], Float32Array.from(values, (v) => 1 / v)));
    div.op = 'Mul';
    div.inputs[1] = name;
    changed++;
  }
  const uses = usesOf(graph);
  const doomed = new Set<Node>();
  for (const mul of graph.nodes) {
    if (mul.op !== 'Mul' || mul.domain !== '' || mul.inputs.length !== 2) continue;
    const side = mul.inputs.findIndex((n) => !!constantOf(graph, n));
    if (side < 0 || constantOf(graph, mul.inputs[1 - side])) continue;
    const s = constantOf(graph, mul.inputs[side])!;
    const y = mul.outputs[0];
    const readers = uses.get(y) ?? [];
    if (s.dtype !== 'float32' || outputs.has(y) || readers.length === 0) continue;
    const convs = readers.map((u) => u.node);
    if (!readers.every((u) => u.node.op === 'Conv' && u.node.domain === '' && u.slot === 0 && !doomed.has(u.node))) continue;
    const factors = tensorFloats(s);
    const weights = convs.map((conv) => constantOf(graph, conv.inputs[1]));
    if (weights.some((w) => !w || w.dtype !== 'float32')) continue;
    const channels = weights[0]!.dims[1] * attrIntOf(convs[0], 'group');
    const nonOne = s.dims.filter((d) => d !== 1);
    const perChannel = factors.length > 1;
    if (perChannel && !(nonOne.length === 1 && nonOne[0] === channels && (s.dims.length === 3 ? s.dims[0] === channels : s.dims.length === 4 && s.dims[1] === channels))) continue;
    if (convs.some((conv, k) => weights[k]!.dims[1] * attrIntOf(conv, 'group') !== channels)) continue;
    convs.forEach((conv, k) => {
      const w = weights[k]!;
      const channelOf = inputChannelOf(w.dims, attrIntOf(conv, 'group'));
      const scaled = Float32Array.from(tensorFloats(w), (v, i) => v * factors[perChannel ? channelOf(i) : 0]);
      const wName = fresh(`${conv.inputs[1]}_scaled`);
      graph.initializers.set(wName, makeTensor(wName, 'float32', [...w.dims], scaled));
      conv.inputs[1] = wName;
      conv.inputs[0] = mul.inputs[1 - side];
    });
    doomed.add(mul);
    changed++;
  }
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
  return changed;
}

function attrIntOf(node: Node, name: string): number {
  const a = node.attributes.get(name);
  return a?.type === 'int' ? a.value : 1;
}

/**
 * Folds `HardSigmoid(Conv(x, W, B))` (conv output read only there) into `Clip(Conv(x, αW, αB + β), 0, 1)`: the clamp
 * then fuses into the quantized conv, where HardSigmoid would have stayed a float island. Returns the nodes rewritten.
 */
export function foldHardSigmoidIntoConv(graph: Graph, opset: number): number {
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const fresh = nameAllocator(graph);
  let changed = 0;
  for (const hs of graph.nodes) {
    if (hs.op !== 'HardSigmoid' || hs.domain !== '') continue;
    const conv = producers.get(hs.inputs[0]);
    if (!conv || conv.op !== 'Conv' || conv.domain !== '' || outputs.has(hs.inputs[0]) || uses.get(hs.inputs[0])?.length !== 1) continue;
    const w = constantOf(graph, conv.inputs[1]);
    const b = conv.inputs[2] ? constantOf(graph, conv.inputs[2]) : undefined;
    if (!w || w.dtype !== 'float32' || (conv.inputs[2] && (!b || b.dtype !== 'float32'))) continue;
    const alphaAttr = hs.attributes.get('alpha'), betaAttr = hs.attributes.get('beta');
    const alpha = alphaAttr?.type === 'float' ? alphaAttr.value : 0.2;
    const beta = betaAttr?.type === 'float' ? betaAttr.value : 0.5;
    const m = w.dims[0];
    const wName = fresh(`${conv.inputs[1]}_hs`);
    graph.initializers.set(wName, makeTensor(wName, 'float32', [...w.dims], Float32Array.from(tensorFloats(w), (v) => v * alpha)));
    const bias = b ? tensorFloats(b) : new Float32Array(m);
    const bName = fresh(`${conv.inputs[2] || conv.name}_hs_bias`);
    graph.initializers.set(bName, makeTensor(bName, 'float32', [m], Float32Array.from(bias, (v) => v * alpha + beta)));
    conv.inputs[1] = wName;
    conv.inputs[2] = bName;
    hs.op = 'Clip';
    hs.attributes = new Map();
    if (opset >= 11) {
      const lo = fresh(`${hs.outputs[0]}_min`), hi = fresh(`${hs.outputs[0]}_max`);
      graph.initializers.set(lo, makeTensor(lo, 'float32', [], new Float32Array([0])));
      graph.initializers.set(hi, makeTensor(hi, 'float32', [], new Float32Array([1])));
      hs.inputs = [hs.inputs[0], lo, hi];
    } else {
      hs.attributes.set('min', { type: 'float', value: 0 });
      hs.attributes.set('max', { type: 'float', value: 1 });
    }
    changed++;
  }
  return changed;
}
