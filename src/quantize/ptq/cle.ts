// Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization"): rescale the channels between two weighted layers so one per-tensor grid suits them all, keeping the float function.
import type { Graph, Model, Node } from '../../ir/graph.ts';
import type { DataSource } from '../../data/source.ts';
import type { Progress } from '../../util/progress.ts';
import { observeValues } from '../calibrate/observe.ts';
import { attrFloat, attrInt, attrInts } from '../../ir/graph.ts';
import { makeTensor, tensorFloats } from '../../ir/tensor.ts';
import { constantOf, graphOutputNames, nameAllocator, usesOf, type Use } from '../../passes/graph-edit.ts';

/**
 * Per-channel range of one value, channel c at index c: along axis 1 for what Conv, ConvTranspose and Gemm write
 * (NCHW, [N, C]), along the last axis for MatMul. {@link observeChannelRanges} accumulates them from batches.
 */
export interface ChannelRanges {
  min: ArrayLike<number>;
  max: ArrayLike<number>;
}

/** Options for {@link equalizeCrossLayer}. */
export interface CleOptions {
  /** Sweeps over all pairs (default 3): pairs that share a layer move each other's ranges. */
  iterations?: number;
  /**
   * Move a constant part of the intermediate value from the first layer's bias into the second's (DFQ §4.1; needs
   * activationRanges): the midpoint of each channel's range where only linear ops lie between (exact on any input).
   */
  absorbHighBias?: boolean;
  /**
   * Also absorb across Relu-like ops, as DFQ does: c = max(0, min) of the first layer's output. Exact only on inputs
   * whose values stay above the observed minimum: on PP-OCRv4 det's squeeze-excite layers, other pages move the output.
   */
  absorbThroughRelu?: boolean;
  /** Per-channel ranges of the values between the layers (from calibration). With them the scale balances activation against weight ranges. */
  activationRanges?: ReadonlyMap<string, ChannelRanges>;
  /** Weights are quantized per output channel (default true): the first layer's weight rows then do not count. */
  perChannelWeights?: boolean;
}

/** One equalized pair of layers. */
export interface EqualizedPair {
  first: string;
  second: string;
  channels: number;
  /** √(spread(first side) · spread(second side)) with spread = max / geometric mean of the channel ranges, before and after. */
  spreadBefore: number;
  spreadAfter: number;
  /** What the first side's range was: the first layer's weight rows, or the intermediate value's activation ranges. */
  criterion: 'weights' | 'activations' | 'activations and weights';
}

/** What {@link equalizeCrossLayer} did. */
export interface CleOutcome {
  pairs: EqualizedPair[];
  /** Channels whose bias was (partly) absorbed into the next layer. */
  absorbedBias: number;
  skipped: { node: string; reason: string }[];
}

type Kind = 'Conv' | 'ConvTranspose' | 'Gemm' | 'MatMul';

/** A weighted layer's constant weight (and bias) with its element → output/input channel maps. */
interface Layer {
  node: Node;
  kind: Kind;
  dims: number[];
  w: Float32Array;
  outs: number;
  ins: number;
  outOf: (i: number) => number;
  inOf: (i: number) => number;
  /** Bias per output channel; undefined when the node has none (and can get one: `canBias`). */
  bias?: Float32Array;
  canBias: boolean;
  /** Gemm: bias adds as beta·C, the product as alpha·A·B. */
  alpha: number;
  beta: number;
  changed: boolean;
}

/** A chain first → (scale-equivariant ops) → second. */
interface Pair {
  first: Layer;
  second: Layer;
  /** Values between the layers up to any Flatten, in order: they carry channels on the first layer's axis. */
  channelValues: string[];
  /** Values before any pooling (their minimum bounds the first layer's output). */
  prePool: string[];
  /** The second layer's input k reads channel floor(k / inner). */
  inner: number;
  nonlinear: boolean;
  /** Why a bias cannot be absorbed across this pair, if it cannot. */
  noShift?: string;
  spreadBefore?: number;
  /** Channels with a non-negligible range on both sides when first measured: those the spreads are taken over. */
  live?: boolean[];
  criterion?: EqualizedPair['criterion'];
}

const S_MIN = 1e-4;
const S_MAX = 1e4;
/** Channel ranges below this fraction of their tensor's largest count as zero. */
const NEGLIGIBLE = 1e-6;
const LAYERS = new Set<string>(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const POOLS = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool']);

/**
 * Equalizes every chain `Conv/ConvTranspose/Gemm/MatMul → [Relu | LeakyRelu | PRelu | Clip(0, ∞) | pooling |
 * Flatten]* → Conv/ConvTranspose/Gemm/MatMul` of `graph` (in place) whose intermediate values each have one reader
 * and are not graph outputs: channel c of the first layer is divided by s_c (weight row and bias) and the matching
 * input column of the second multiplied by it, which leaves the graph's function unchanged. s_c = √(r1_c / r2_c)
 * (DFQ) with r1, r2 the weight row and column ranges; with `activationRanges`, r1 is the intermediate value's channel
 * range (SmoothQuant-style), blended with the weight rows when weights are per-tensor. Ops that are not
 * scale-equivariant (Relu6, HardSwish, Sigmoid, …) end a chain. Only float32 constants of the main graph are changed.
 */
export function equalizeCrossLayer(graph: Graph, options: CleOptions = {}): CleOutcome {
  const { iterations = 3, absorbHighBias = false, absorbThroughRelu = false, perChannelWeights = true } = options;
  const ranges = new Map<string, { min: Float64Array; max: Float64Array }>();
  for (const [name, r] of options.activationRanges ?? []) ranges.set(name, { min: Float64Array.from(r.min), max: Float64Array.from(r.max) });
  const { pairs, skipped, layers } = findPairs(graph);
  const outcome: CleOutcome = { pairs: [], absorbedBias: 0, skipped };
  const activationOf = (pair: Pair) => {
    for (const v of [...pair.channelValues].reverse()) {
      const r = ranges.get(v);
      if (r && r.max.length === pair.first.outs) return Float64Array.from(r.max, (hi, c) => Math.max(Math.abs(hi), Math.abs(r.min[c])));
    }
    return undefined;
  };
  const criterionOf = (pair: Pair) => {
    const act = activationOf(pair);
    const r1 = rowRanges(pair.first);
    return { act, f: act ? (perChannelWeights ? act : blend(act, r1)) : r1, r2: columnRanges(pair.second, pair.first.outs, pair.inner) };
  };
  for (const pair of pairs) {
    // Spreads are taken over the channels with a non-negligible range on both sides (dead channels decay to ~1e-30).
    const { act, f, r2 } = criterionOf(pair);
    const t1 = NEGLIGIBLE * Math.max(...f), t2 = NEGLIGIBLE * Math.max(...r2);
    pair.live = Array.from(f, (fc, c) => fc > t1 && r2[c] > t2);
    pair.spreadBefore = spread(f, r2, pair.live);
    pair.criterion = act ? (perChannelWeights ? 'activations' : 'activations and weights') : 'weights';
  }
  for (let it = 0; it < iterations; it++) {
    for (const pair of pairs) {
      const { first, second } = pair;
      const { act, f, r2 } = criterionOf(pair);
      // A channel whose range is negligible next to its tensor's largest (dead, decayed to ~0) keeps its scale.
      const t1 = NEGLIGIBLE * Math.max(...f), t2 = NEGLIGIBLE * Math.max(...r2);
      const s = Float64Array.from(f, (fc, c) => (fc > t1 && r2[c] > t2 ? Math.sqrt(fc / r2[c]) : 1));
      if (act) normalise(s);
      for (let c = 0; c < s.length; c++) s[c] = Math.min(S_MAX, Math.max(S_MIN, s[c]));
      if (s.every((v) => v === 1)) continue;
      for (let i = 0; i < first.w.length; i++) first.w[i] /= s[first.outOf(i)];
      if (first.bias) for (let c = 0; c < first.outs; c++) first.bias[c] /= s[c];
      for (let i = 0; i < second.w.length; i++) second.w[i] *= s[Math.floor(second.inOf(i) / pair.inner)];
      first.changed = second.changed = true;
      for (const v of pair.channelValues) {
        const r = ranges.get(v);
        if (r && r.max.length === s.length) for (let c = 0; c < s.length; c++) { r.min[c] /= s[c]; r.max[c] /= s[c]; }
      }
    }
  }
  for (const pair of pairs) {
    const { f, r2 } = criterionOf(pair);
    outcome.pairs.push({
      first: pair.first.node.name, second: pair.second.node.name, channels: pair.first.outs,
      spreadBefore: pair.spreadBefore!, spreadAfter: spread(f, r2, pair.live!), criterion: pair.criterion!,
    });
  }
  if (absorbHighBias) for (const pair of pairs) if (absorbThroughRelu || !pair.nonlinear) outcome.absorbedBias += absorb(pair, ranges);
  writeBack(graph, [...layers.values()].filter((l): l is Layer => typeof l !== 'string' && l.changed));
  return outcome;
}

/** Every qualifying chain of `graph` (nothing is changed), the first layers that have none and why, and the layers read. */
function findPairs(graph: Graph): { pairs: Pair[]; skipped: CleOutcome['skipped']; layers: Map<Node, Layer | string> } {
  const uses = usesOf(graph);
  const outputs = graphOutputNames(graph);
  const layers = new Map<Node, Layer | string>();
  const layerOf = (node: Node) => {
    if (!layers.has(node)) layers.set(node, readLayer(graph, node));
    return layers.get(node)!;
  };
  const pairs: Pair[] = [];
  const skipped: CleOutcome['skipped'] = [];
  for (const node of graph.nodes) {
    if (node.domain !== '' || !LAYERS.has(node.op)) continue;
    const first = layerOf(node);
    if (typeof first === 'string') continue;
    const found = findPair(graph, first, uses, outputs, layerOf);
    if (typeof found === 'string') skipped.push({ node: node.name, reason: found });
    else pairs.push(found);
  }
  return { pairs, skipped, layers };
}

/**
 * Per-channel ranges, over `source`, of the values {@link equalizeCrossLayer} can balance in `model`'s main graph
 * (those between the layers of each qualifying chain): its `activationRanges`. One more forward pass over the data.
 */
export async function observeCleRanges(model: Model, source: DataSource, options: { limit?: number; batchSize?: number; progress?: Progress } = {}): Promise<Map<string, ChannelRanges>> {
  const axisOf = new Map<string, 'last' | 1>();
  for (const pair of findPairs(model.graph).pairs) for (const v of pair.channelValues) axisOf.set(v, pair.first.kind === 'MatMul' ? 'last' : 1);
  const ranges = new Map<string, ChannelRanges>();
  if (!axisOf.size) return ranges;
  await observeValues(model, source, [...axisOf.keys()], (name, t) => {
    if (!(t.data instanceof Float32Array) || t.dims.length < 2) return;
    const axis = axisOf.get(name) === 'last' ? t.dims.length - 1 : 1;
    ranges.set(name, observeChannelRanges(ranges.get(name), t.dims, t.data, axis));
  }, { ...options, label: 'observing channel ranges (cle)' });
  return ranges;
}

/** Accumulates per-channel min/max of one batch (`dims`, row-major `data`) along `axis` into `into` (or a fresh range). */
export function observeChannelRanges(into: ChannelRanges | undefined, dims: readonly number[], data: ArrayLike<number>, axis: number): { min: Float32Array; max: Float32Array } {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const min = into ? Float32Array.from(into.min) : new Float32Array(channels).fill(Infinity);
  const max = into ? Float32Array.from(into.max) : new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const v = data[i];
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  }
  return { min, max };
}

/** The layer behind a Conv/ConvTranspose/Gemm/MatMul node with constant float32 weights, or why not. */
function readLayer(graph: Graph, node: Node): Layer | string {
  const kind = node.op as Kind;
  const wt = constantOf(graph, node.inputs[1]);
  if (!wt || wt.dtype !== 'float32') return `${kind} weight is not a float32 constant`;
  const dims = [...wt.dims];
  const w = Float32Array.from(tensorFloats(wt));
  const base = { node, kind, dims, w, alpha: 1, beta: 1, changed: false };
  let layer: Omit<Layer, 'bias' | 'canBias'>;
  if (kind === 'Conv' || kind === 'ConvTranspose') {
    if (dims.length < 3) return `${kind} weight has rank ${dims.length}`;
    const g = attrInt(node, 'group', 1);
    const inner = dims.slice(2).reduce((a, b) => a * b, 1);
    const [d0, d1] = dims;
    if (kind === 'Conv') {
      // [M, C/g, k…]: row m is output channel m; its group reads inputs g(m)·C/g + j.
      const perGroup = d0 / g;
      layer = { ...base, outs: d0, ins: d1 * g, outOf: (i) => Math.floor(i / (d1 * inner)), inOf: (i) => Math.floor(Math.floor(i / (d1 * inner)) / perGroup) * d1 + (Math.floor(i / inner) % d1) };
    } else {
      // [C, M/g, k…]: row c is input channel c; its group writes outputs g(c)·M/g + j.
      const perGroup = d0 / g;
      layer = { ...base, outs: d1 * g, ins: d0, inOf: (i) => Math.floor(i / (d1 * inner)), outOf: (i) => Math.floor(Math.floor(i / (d1 * inner)) / perGroup) * d1 + (Math.floor(i / inner) % d1) };
    }
  } else {
    if (dims.length !== 2) return `${kind} weight has rank ${dims.length}`;
    if (kind === 'Gemm' && attrInt(node, 'transA', 0) !== 0) return 'Gemm with transA';
    const [a, b] = dims;
    const transB = kind === 'Gemm' && attrInt(node, 'transB', 0) === 1;
    layer = transB
      ? { ...base, outs: a, ins: b, outOf: (i) => Math.floor(i / b), inOf: (i) => i % b }
      : { ...base, outs: b, ins: a, outOf: (i) => i % b, inOf: (i) => Math.floor(i / b) };
    if (kind === 'Gemm') {
      layer.alpha = attrFloat(node, 'alpha', 1);
      layer.beta = attrFloat(node, 'beta', 1);
    }
  }
  if (kind === 'MatMul') return { ...layer, canBias: false };
  if (!node.inputs[2]) return { ...layer, canBias: !(kind === 'Gemm' && layer.beta === 0) };
  const bt = constantOf(graph, node.inputs[2]);
  if (!bt || bt.dtype !== 'float32') return `${kind} bias is not a float32 constant`;
  const b = tensorFloats(bt);
  const rowShaped = bt.dims.filter((d) => d !== 1).length <= 1 && bt.dims.length <= 2;
  if (b.length === layer.outs && rowShaped) return { ...layer, bias: Float32Array.from(b), canBias: true };
  if (b.length === 1 && kind === 'Gemm') return { ...layer, bias: new Float32Array(layer.outs).fill(b[0]), canBias: true };
  return `${kind} bias of shape [${bt.dims.join(', ')}] is not one value per output channel`;
}

/** Whether `node` commutes with a positive per-channel scale (and, for `shift`, with subtracting a per-channel constant). */
function equivariance(graph: Graph, node: Node): { scale: boolean; nonlinear: boolean; shift: boolean; why?: string } {
  const no = (why: string) => ({ scale: false, nonlinear: false, shift: false, why });
  if (node.domain !== '') return no(`${node.op} (domain ${node.domain}) between`);
  switch (node.op) {
    case 'Relu': case 'LeakyRelu': return { scale: true, nonlinear: true, shift: true };
    case 'PRelu': return { scale: true, nonlinear: true, shift: true };
    case 'Identity': case 'Dropout': return { scale: true, nonlinear: false, shift: true };
    case 'Clip': {
      const bound = (slot: number, attr: string) => {
        if (node.inputs.length > 1) {
          if (!node.inputs[slot]) return undefined;
          const t = constantOf(graph, node.inputs[slot]);
          return t ? tensorFloats(t)[0] : NaN;
        }
        return attrFloat(node, attr);
      };
      const lo = bound(1, 'min'), hi = bound(2, 'max');
      const openLo = lo === undefined || lo <= -3.4e38, openHi = hi === undefined || hi >= 3.4e38;
      if (openLo && openHi) return { scale: true, nonlinear: false, shift: true };
      if (lo === 0 && openHi) return { scale: true, nonlinear: true, shift: true };
      return no(`Clip(${lo ?? '-∞'}, ${hi ?? '∞'}) between is not scale-equivariant`);
    }
    case 'MaxPool': case 'GlobalAveragePool': case 'GlobalMaxPool':
      return { scale: true, nonlinear: false, shift: true };
    case 'AveragePool': {
      const padded = attrInts(node, 'pads', []).some((p) => p !== 0) || !['NOTSET', 'VALID'].includes(autoPad(node));
      return { scale: true, nonlinear: false, shift: !(padded && attrInt(node, 'count_include_pad', 0) === 1) };
    }
    default: return no(`${node.op} between is not scale-equivariant`);
  }
}

function autoPad(node: Node): string {
  const a = node.attributes.get('auto_pad');
  return a?.type === 'string' ? new TextDecoder().decode(a.value) : 'NOTSET';
}

/** Follows `first`'s output through single-reader equivariant ops to the next weighted layer, or says why it stops. */
function findPair(graph: Graph, first: Layer, uses: Map<string, Use[]>, outputs: Set<string>, layerOf: (n: Node) => Layer | string): Pair | string {
  const convLike = first.kind === 'Conv' || first.kind === 'ConvTranspose';
  const pair: Omit<Pair, 'second'> = { first, channelValues: [], prePool: [], inner: 1, nonlinear: false };
  let flattened = false, pooled = false;
  let value = first.node.outputs[0];
  for (;;) {
    if (outputs.has(value)) return `'${value}' is a graph output`;
    const readers = uses.get(value) ?? [];
    if (readers.length !== 1) return `'${value}' has ${readers.length} readers`;
    const { node, slot } = readers[0];
    if (!flattened) pair.channelValues.push(value);
    if (!pooled) pair.prePool.push(value);
    if (node.domain === '' && LAYERS.has(node.op)) {
      if (slot !== 0) return `'${value}' is not ${node.op} ${node.name}'s data input`;
      const second = layerOf(node);
      if (typeof second === 'string') return `${node.name}: ${second}`;
      if (second === first) return 'the layer reads its own output';
      const secondOnLast = second.kind === 'Gemm' || second.kind === 'MatMul';
      if (convLike && secondOnLast && !flattened) return `${node.op} ${node.name} reads channels on another axis (no Flatten)`;
      if (!convLike && !secondOnLast) return `${node.op} ${node.name} reads channels on another axis`;
      if (second.ins % first.outs !== 0 || (!flattened && second.ins !== first.outs)) return `${node.name} reads ${second.ins} channels, ${first.node.name} writes ${first.outs}`;
      pair.inner = second.ins / first.outs;
      if (second.kind === 'ConvTranspose' || second.kind === 'MatMul') pair.noShift ??= `${second.kind} ${node.name} has no bias to absorb into`;
      if (second.kind === 'Conv' && (attrInts(node, 'pads', []).some((p) => p !== 0) || !['NOTSET', 'VALID'].includes(autoPad(node)))) pair.noShift ??= `${node.name} pads its input`;
      if (second.kind === 'Gemm' && second.beta === 0) pair.noShift ??= `${node.name} has beta 0`;
      if (!first.canBias) pair.noShift ??= `${first.node.name} has no bias`;
      return { ...pair, second };
    }
    if (node.op === 'Flatten' && node.domain === '') {
      if (!convLike || flattened || attrInt(node, 'axis', 1) !== 1) return `Flatten ${node.name} does not keep channels whole`;
      flattened = true;
    } else {
      const e = equivariance(graph, node);
      if (!e.scale) return `${e.why} ${first.node.name} and the next layer`;
      if (slot !== 0) return `'${value}' is not ${node.op} ${node.name}'s data input`;
      if (node.outputs.filter(Boolean).length !== 1) return `${node.op} ${node.name} has several outputs`;
      if (POOLS.has(node.op)) {
        if (!convLike || flattened) return `${node.op} ${node.name} after ${first.kind}`;
        pooled = true;
      }
      if (flattened && node.op === 'PRelu') return `PRelu ${node.name} after Flatten`;
      if (!e.shift) pair.noShift ??= `${node.op} ${node.name} pads with zeros`;
      pair.nonlinear ||= e.nonlinear;
    }
    value = node.outputs[0];
  }
}

/** max |w| over each output channel's weights. */
function rowRanges(layer: Layer): Float64Array {
  const r = new Float64Array(layer.outs);
  for (let i = 0; i < layer.w.length; i++) { const c = layer.outOf(i), v = Math.abs(layer.w[i]); if (v > r[c]) r[c] = v; }
  return r;
}

/** max |w| over the weights reading each of `channels` channels (input k reads channel floor(k / inner)). */
function columnRanges(layer: Layer, channels: number, inner: number): Float64Array {
  const r = new Float64Array(channels);
  for (let i = 0; i < layer.w.length; i++) { const c = Math.floor(layer.inOf(i) / inner), v = Math.abs(layer.w[i]); if (v > r[c]) r[c] = v; }
  return r;
}

/** Geometric mean of `a` and `b`, each divided by its maximum first (activation and weight ranges have different units). */
function blend(a: Float64Array, b: Float64Array): Float64Array {
  const ma = Math.max(...a) || 1, mb = Math.max(...b) || 1;
  return Float64Array.from(a, (v, c) => Math.sqrt((v / ma) * (b[c] / mb)));
}

/** Divides the scales by their geometric mean (over channels that move), so values keep their overall size. */
function normalise(s: Float64Array): void {
  let sum = 0, n = 0;
  for (const v of s) if (v !== 1 && v > 0) { sum += Math.log(v); n++; }
  const g = n ? Math.exp(sum / n) : 1;
  for (let c = 0; c < s.length; c++) if (s[c] !== 1) s[c] /= g;
}

/** max / geometric mean of the live channels' ranges. */
function ratio(r: Float64Array, live: readonly boolean[]): number {
  let sum = 0, n = 0, max = 0;
  r.forEach((v, c) => { if (live[c] && v > 0) { sum += Math.log(v); n++; max = Math.max(max, v); } });
  return n ? max / Math.exp(sum / n) : 1;
}

function spread(a: Float64Array, b: Float64Array, live: readonly boolean[]): number {
  return Math.sqrt(ratio(a, live) * ratio(b, live));
}

/**
 * DFQ high-bias absorption: subtracts a per-channel constant c from the first layer's bias and adds the second layer's
 * response to it to the second's bias. With a Relu-like op between, c = max(0, min) of the first layer's output (it
 * stayed positive on the observed data, so the op passed it linearly); with only linear ops, c is the midpoint of the
 * channel's range (the per-tensor range can only narrow). Returns the channels changed.
 */
function absorb(pair: Pair, ranges: Map<string, { min: Float64Array; max: Float64Array }>): number {
  const { first, second } = pair;
  if (pair.noShift) return 0;
  const r = pair.prePool.map((v) => ranges.get(v)).find((x) => x && x.min.length === first.outs);
  if (!r) return 0;
  const c = Float64Array.from(r.min, (lo, k) => {
    if (!Number.isFinite(lo) || !Number.isFinite(r.max[k])) return 0;
    return pair.nonlinear ? Math.max(0, lo) : (lo + r.max[k]) / 2;
  });
  if (c.every((v) => v === 0)) return 0;
  first.bias ??= new Float32Array(first.outs);
  for (let k = 0; k < first.outs; k++) first.bias[k] -= c[k];
  second.bias ??= new Float32Array(second.outs);
  const factor = second.kind === 'Gemm' ? second.alpha / second.beta : 1;
  const add = new Float64Array(second.outs);
  for (let i = 0; i < second.w.length; i++) add[second.outOf(i)] += second.w[i] * c[Math.floor(second.inOf(i) / pair.inner)];
  for (let m = 0; m < second.outs; m++) second.bias[m] += factor * add[m];
  first.changed = second.changed = true;
  for (const v of pair.channelValues) {
    const x = ranges.get(v);
    if (x && x.min.length === first.outs) for (let k = 0; k < first.outs; k++) { x.min[k] -= c[k]; x.max[k] -= c[k]; }
  }
  return c.filter((v) => v !== 0).length;
}

/** Stores changed weights and biases: in place when the initializer has no other reader, else under a fresh name. */
function writeBack(graph: Graph, changed: Layer[]): void {
  const fresh = nameAllocator(graph);
  const uses = usesOf(graph);
  const store = (node: Node, slot: number, dims: number[], values: Float32Array, base: string) => {
    const old = node.inputs[slot];
    const sole = !!old && (uses.get(old) ?? []).length === 1;
    const own = sole && graph.initializers.get(old)?.dims.join() === dims.join();
    // A sole reader's old tensor of another shape (Gemm bias [1, N] → [N]) goes: nothing else reads it.
    if (sole && !own) graph.initializers.delete(old);
    const name = own ? old : fresh(`${base}_cle`);
    graph.initializers.set(name, makeTensor(name, 'float32', dims, values));
    while (node.inputs.length <= slot) node.inputs.push('');
    node.inputs[slot] = name;
  };
  for (const l of changed) {
    store(l.node, 1, l.dims, l.w, l.node.inputs[1]);
    if (l.bias) store(l.node, 2, [l.outs], l.bias, l.node.inputs[2] || `${l.node.name || l.node.op}_bias`);
  }
}
