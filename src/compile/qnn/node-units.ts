// QNN node units: every op reads DequantizeLinear outputs and writes into QuantizeLinear (ops on raw integers wrapped, bare float edges quantized).
import { attrInt, type Graph, type Node, type ValueType } from '../../ir/graph.ts';
import { makeTensor, tensorFloats, tensorValues } from '../../ir/tensor.ts';
import { producers as producersOf, toposort } from '../../ir/toposort.ts';
import { constantOf, nameAllocator, usesOf } from '../../passes/graph-edit.ts';
import type { TensorRange } from '../../quantize/calibrate/calibrator.ts';
import { computeParams, type QuantType } from '../../quantize/params.ts';
import { intArray } from '../../quantize/qdq.ts';

/** Ops that only move values (output elements are input elements): run on a quantized tensor they keep its scale and zero point. */
const MOVERS = new Set(['MaxPool', 'Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity']);
/** Clamps whose output Q params may stand for their input's (the grid already clamps): Conv → Relu with no Q between. */
const CLAMPS = new Set(['Relu', 'Clip']);

const isQ = (n: Node | undefined): n is Node => !!n && n.op === 'QuantizeLinear';
const isDQ = (n: Node | undefined): n is Node => !!n && n.op === 'DequantizeLinear';
/** True for a node that computes (not a QuantizeLinear/DequantizeLinear). */
export const isCompute = (n: Node): boolean => !isQ(n) && !isDQ(n);

/** How the units' Q/DQ nodes are made. */
export interface UnitSettings {
  activationType: QuantType;
  domain: '' | 'com.microsoft';
  /** Smallest real range (max − min) an activation encoding may cover. */
  minRange: number;
  /** Values to quantize at 16 bits (uint16, in `domain`) although `activationType` is 8-bit: a mixed-precision model. */
  wide?: { values: ReadonlySet<string>; domain: '' | 'com.microsoft' };
}

function qdqNode(op: 'QuantizeLinear' | 'DequantizeLinear', inputs: string[], output: string, domain: string): Node {
  return { op, domain, name: '', inputs, outputs: [output], attributes: new Map() };
}

/**
 * Folds `Mul(a, b)` of two float initializers feeding DequantizeLinear scales (per-channel bias scale = input scale ×
 * weight scales) into one constant, so no scale is computed at load. Returns how many were folded.
 */
export function foldConstantScales(graph: Graph): number {
  const uses = usesOf(graph);
  const doomed = new Set<Node>();
  for (const n of graph.nodes) {
    if (n.op !== 'Mul' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs.map((v) => constantOf(graph, v));
    const readers = uses.get(n.outputs[0]) ?? [];
    if (a?.dtype !== 'float32' || b?.dtype !== 'float32' || !readers.length || !readers.every((u) => isDQ(u.node) && u.slot === 1)) continue;
    const [x, y] = [tensorFloats(a), tensorFloats(b)];
    const size = Math.max(x.length, y.length);
    const product = Float32Array.from({ length: size }, (_, i) => x[x.length === 1 ? 0 : i] * y[y.length === 1 ? 0 : i]);
    graph.initializers.set(n.outputs[0], makeTensor(n.outputs[0], 'float32', x.length >= y.length ? [...a.dims] : [...b.dims], product));
    doomed.add(n);
  }
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
  return doomed.size;
}

/**
 * Puts every value-moving op that runs on a raw quantized tensor (e.g. MaxPool or Flatten between a Q and the next DQ)
 * in its own unit: DequantizeLinear before it and QuantizeLinear after, both with the input's scale and zero point.
 * Returns how many ops were wrapped.
 */
export function wrapIntegerOps(graph: Graph): number {
  const fresh = nameAllocator(graph);
  const producers = producersOf(graph);
  const added: Node[] = [];
  let wrapped = 0;
  for (const node of toposort(graph)) {
    if (!isCompute(node) || !MOVERS.has(node.op)) continue;
    const q = producers.get(node.inputs[0]);
    if (!isQ(q)) continue;
    const dq = fresh(`${node.inputs[0]}_dq`);
    added.push(qdqNode('DequantizeLinear', [q.outputs[0], ...q.inputs.slice(1)], dq, q.domain));
    node.inputs[0] = dq;
    const out = node.outputs[0];
    const float = fresh(`${out}_f`);
    node.outputs[0] = float;
    const requant = qdqNode('QuantizeLinear', [float, ...q.inputs.slice(1)], out, q.domain);
    added.push(requant);
    producers.set(out, requant);
    wrapped++;
  }
  graph.nodes = toposort({ ...graph, nodes: [...graph.nodes, ...added] });
  return wrapped;
}

/**
 * Float activations that lack a Q/DQ on the way between units: graph inputs a compute op reads directly, and compute
 * outputs read by anything but a QuantizeLinear or that are graph outputs (the last op then falls outside a unit).
 */
export function bareValues(graph: Graph, types: ReadonlyMap<string, ValueType>): string[] {
  const isFloat = (v: string) => {
    const t = constantOf(graph, v) ? undefined : types.get(v);
    return t?.kind === 'tensor' && t.dtype === 'float32';
  };
  const uses = usesOf(graph);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const bare = new Set<string>();
  for (const v of graph.inputs) {
    if (!graph.initializers.has(v.name) && isFloat(v.name) && (uses.get(v.name) ?? []).some((u) => isCompute(u.node))) bare.add(v.name);
  }
  for (const n of graph.nodes) {
    if (!isCompute(n)) continue;
    for (const o of n.outputs) {
      if (o && isFloat(o) && (outputs.has(o) || (uses.get(o) ?? []).some((u) => !isQ(u.node)))) bare.add(o);
    }
  }
  return [...bare];
}

/** The Q a bare value can borrow params from: the output Q of the single Relu/Clip that reads it, nothing else reading it. */
function borrowedQ(graph: Graph, value: string, uses: ReturnType<typeof usesOf>): Node | undefined {
  const readers = uses.get(value) ?? [];
  if (readers.length !== 1 || !CLAMPS.has(readers[0].node.op) || graph.outputs.some((v) => v.name === value)) return undefined;
  return (uses.get(readers[0].node.outputs[0]) ?? []).map((u) => u.node).find(isQ);
}

/**
 * Gives each bare value a Q → DQ pair so that compute ops read DQ outputs and write into Q: its existing Q reused, a
 * following Relu/Clip's Q borrowed, else params from `ranges` (at least `minRange` wide). A computed value's name ends up
 * on the DQ output (graph outputs keep their names, now dequantized). Returns the values left without a range.
 */
export function quantizeBareValues(graph: Graph, bare: readonly string[], ranges: ReadonlyMap<string, TensorRange>, settings: UnitSettings): string[] {
  const fresh = nameAllocator(graph);
  const producers = producersOf(graph);
  const uses = usesOf(graph);
  const missing: string[] = [];
  const added: Node[] = [];
  for (const value of bare) {
    const readers = uses.get(value) ?? [];
    const producer = producers.get(value);
    let q = readers.map((u) => u.node).find(isQ);
    const borrowed = q ? undefined : borrowedQ(graph, value, uses);
    let params = q ? undefined : borrowed?.inputs.slice(1);
    if (!q && !params) {
      const range = ranges.get(value);
      if (!range) {
        missing.push(value);
        continue;
      }
      params = newParams(graph, fresh, value, range, settings.wide?.values.has(value) ? { ...settings, activationType: 'uint16', domain: settings.wide.domain } : settings);
    }
    let source = value;
    if (producer) {
      source = fresh(`${value}_f`);
      producer.outputs = producer.outputs.map((o) => (o === value ? source : o));
      if (q) for (const u of readers) if (isQ(u.node)) u.node.inputs[u.slot] = source;
    }
    if (!q) {
      q = qdqNode('QuantizeLinear', [source, ...params!], fresh(`${value}_q`), borrowed?.domain ?? (settings.wide?.values.has(value) ? settings.wide.domain : settings.domain));
      added.push(q);
    }
    const dqOut = producer ? value : fresh(`${value}_dq`);
    added.push(qdqNode('DequantizeLinear', [q.outputs[0], ...q.inputs.slice(1)], dqOut, q.domain));
    if (!producer) for (const u of readers) if (isCompute(u.node)) u.node.inputs[u.slot] = dqOut;
  }
  graph.nodes = toposort({ ...graph, nodes: [...graph.nodes, ...added] });
  return missing;
}

/** Output ranges fixed by the op (calibration would clip held-out values outside what it saw, e.g. a surer Softmax). */
const KNOWN_RANGES: Readonly<Record<string, TensorRange>> = { Softmax: { min: 0, max: 1 }, Sigmoid: { min: 0, max: 1 }, Tanh: { min: -1, max: 1 } };

/** `ranges` with the op-fixed range of each bare value whose producer has one (Softmax [0, 1], …). */
export function withKnownRanges(graph: Graph, bare: readonly string[], ranges: ReadonlyMap<string, TensorRange>): Map<string, TensorRange> {
  const out = new Map(ranges);
  const producers = producersOf(graph);
  for (const v of bare) {
    const known = KNOWN_RANGES[producers.get(v)?.op ?? ''];
    if (known) out.set(v, known);
  }
  return out;
}

/**
 * Graph outputs with 16-bit activations get headroom: their calibrated range is widened by half its span on each side
 * (one bit of 16). A held-out example whose output leaves the calibration range is otherwise clipped: MobileNetV2 ×0.35
 * w8a16 lost 14 dB on MNIST digits whose logits passed the 64 calibration digits' extremes by up to 5.5.
 */
export function withOutputHeadroom(graph: Graph, ranges: ReadonlyMap<string, TensorRange>, isSixteenBit: (value: string) => boolean): Map<string, TensorRange> {
  const out = new Map(ranges);
  for (const v of graph.outputs) {
    const r = out.get(v.name);
    if (!r || !isSixteenBit(v.name)) continue;
    const pad = (r.max - r.min) / 2;
    out.set(v.name, { min: r.min < 0 ? r.min - pad : r.min, max: r.max + pad });
  }
  return out;
}

/** Scale and zero-point initializers for a calibrated range widened to at least `minRange`. */
function newParams(graph: Graph, fresh: (b: string) => string, value: string, range: TensorRange, settings: UnitSettings): string[] {
  const widened = range.max - range.min < settings.minRange ? { min: range.min, max: range.min + settings.minRange } : range;
  const p = computeParams(widened, settings.activationType, false);
  const scale = fresh(`${value}_s`), zp = fresh(`${value}_zp`);
  graph.initializers.set(scale, makeTensor(scale, 'float32', [], new Float32Array([p.scale])));
  graph.initializers.set(zp, makeTensor(zp, settings.activationType, [], intArray(settings.activationType, [p.zeroPoint])));
  return [scale, zp];
}

/**
 * Fixed output encodings for the HTP backend (onnxruntime's QNN quant_config overrides them for 16-bit; 8-bit follows
 * the same grid): Sigmoid covers [0, 1), Tanh [-1, 1). By op, then activation type: [scale, zero point].
 */
export const FIXED_ENCODINGS: Readonly<Record<string, Partial<Record<QuantType, [number, number]>>>> = {
  Sigmoid: { uint16: [1 / 65536, 0], uint8: [1 / 256, 0] },
  Tanh: { uint16: [1 / 32768, 32768], uint8: [1 / 128, 128] },
};

/**
 * Sets the fixed encodings on the Q after each Sigmoid/Tanh and on the DQs that read it, and requantizes the int32 bias
 * of each op reading those DQs to the new input scale × weight scale. Returns how many were set.
 */
export function applyFixedEncodings(graph: Graph): number {
  const fresh = nameAllocator(graph);
  const uses = usesOf(graph);
  let set = 0;
  for (const n of graph.nodes) {
    const table = FIXED_ENCODINGS[n.op];
    if (!table || n.domain !== '') continue;
    for (const { node: q } of uses.get(n.outputs[0]) ?? []) {
      const zpTensor = isQ(q) && q.inputs[2] ? constantOf(graph, q.inputs[2]) : undefined;
      const encoding = zpTensor && table[zpTensor.dtype as QuantType];
      if (!zpTensor || !encoding) continue;
      const type = zpTensor.dtype as QuantType;
      const scale = fresh(`${n.op.toLowerCase()}_fixed_s`), zp = fresh(`${n.op.toLowerCase()}_fixed_zp`);
      graph.initializers.set(scale, makeTensor(scale, 'float32', [], new Float32Array([encoding[0]])));
      graph.initializers.set(zp, makeTensor(zp, type, [], intArray(type, [encoding[1]])));
      const dqs = (uses.get(q.outputs[0]) ?? []).map((u) => u.node).filter(isDQ);
      for (const r of [q, ...dqs]) r.inputs.splice(1, 2, scale, zp);
      for (const dq of dqs) for (const u of uses.get(dq.outputs[0]) ?? []) if (u.slot === 0) rescaleBias(graph, fresh, u.node, encoding[0]);
      set++;
    }
  }
  return set;
}

/**
 * Requantizes every int32 bias whose scale is no longer its input's scale × weight scale (after an input was re-encoded,
 * e.g. by a 16-bit convert). Returns how many were requantized, and how many bias values clamp to int32 at their new
 * (smaller) scale: their weight scales would have to grow, which is not done here.
 */
export function rescaleStaleBiases(graph: Graph): { rescaled: number; saturated: number } {
  const fresh = nameAllocator(graph);
  const producers = producersOf(graph);
  let fixed = 0, saturated = 0;
  for (const node of [...graph.nodes]) {
    const [inputDq, weightDq, biasDq] = [0, 1, 2].map((i) => producers.get(node.inputs[i] ?? ''));
    if (!isCompute(node) || !isDQ(inputDq) || !isDQ(weightDq) || !isDQ(biasDq)) continue;
    const [inputScale, wScales, bScales] = [inputDq, weightDq, biasDq].map((dq) => constantOf(graph, dq.inputs[1]));
    if (!inputScale || !wScales || !bScales || constantOf(graph, biasDq.inputs[0])?.dtype !== 'int32') continue;
    const s = tensorFloats(inputScale)[0];
    const [ws, bs] = [tensorFloats(wScales), tensorFloats(bScales)];
    if (bs.every((b, c) => Math.abs(b - Math.fround(s * ws[ws.length === 1 ? 0 : c])) <= 1e-6 * Math.abs(b))) continue;
    saturated += rescaleBias(graph, fresh, node, s);
    fixed++;
  }
  return { rescaled: fixed, saturated };
}

/** Requantizes `node`'s int32 bias (a DQ of a constant in slot 2) for input scale `inputScale`: bias scale = input × weight scale. */
function rescaleBias(graph: Graph, fresh: (b: string) => string, node: Node, inputScale: number): number {
  const producers = producersOf(graph);
  const [weightDq, biasDq] = [producers.get(node.inputs[1] ?? ''), producers.get(node.inputs[2] ?? '')];
  const values = isDQ(biasDq) ? constantOf(graph, biasDq.inputs[0]) : undefined;
  const oldScales = isDQ(biasDq) ? constantOf(graph, biasDq.inputs[1]) : undefined;
  const wScales = isDQ(weightDq) ? constantOf(graph, weightDq.inputs[1]) : undefined;
  if (!isDQ(biasDq) || values?.dtype !== 'int32' || !oldScales || !wScales) return 0;
  const [q, olds, ws] = [tensorValues(values), tensorFloats(oldScales), tensorFloats(wScales)];
  const scales = Float32Array.from(olds, (_, c) => inputScale * ws[ws.length === 1 ? 0 : c]);
  let saturated = 0;
  const requantized = Int32Array.from(q as Int32Array, (v, i) => {
    const c = olds.length === 1 ? 0 : i;
    const exact = Math.round((Number(v) * olds[c]) / scales[c]);
    if (exact > 2147483647 || exact < -2147483648) saturated++;
    return Math.max(-2147483648, Math.min(2147483647, exact));
  });
  const [dataName, scaleName] = [fresh(`${biasDq.outputs[0]}_q`), fresh(`${biasDq.outputs[0]}_s`)];
  graph.initializers.set(dataName, makeTensor(dataName, 'int32', [...values.dims], requantized));
  graph.initializers.set(scaleName, makeTensor(scaleName, 'float32', [...oldScales.dims], scales));
  biasDq.inputs[0] = dataName;
  biasDq.inputs[1] = scaleName;
  return saturated;
}

/** Weight channel scales below this (weights that are zero in all but name) are treated as an all-zero channel. */
const NEGLIGIBLE_SCALE = 1e-30;

/**
 * Gives per-channel weight channels whose scale is negligible (a channel of ~0 weights, whose bias scale input × weight
 * would underflow float32) zero values and the largest scale of the others, and requantizes the node's bias to input
 * scale × weight scale. Returns how many nodes were fixed.
 */
export function fixNegligibleWeightChannels(graph: Graph): number {
  const fresh = nameAllocator(graph);
  const producers = producersOf(graph);
  let fixed = 0;
  for (const node of graph.nodes) {
    const [inputDq, weightDq] = [producers.get(node.inputs[0] ?? ''), producers.get(node.inputs[1] ?? '')];
    const weights = isDQ(weightDq) ? constantOf(graph, weightDq.inputs[0]) : undefined;
    const scales = isDQ(weightDq) ? constantOf(graph, weightDq.inputs[1]) : undefined;
    const inputScale = isDQ(inputDq) ? constantOf(graph, inputDq.inputs[1]) : undefined;
    if (!isCompute(node) || !isDQ(weightDq) || weights?.dtype !== 'int8' || !scales || !inputScale) continue;
    const s = tensorFloats(scales);
    const bad = [...s.keys()].filter((c) => s[c] < NEGLIGIBLE_SCALE);
    if (s.length < 2 || !bad.length) continue;
    const axis = attrInt(weightDq, 'axis', 1);
    const inner = weights.dims.slice(axis + 1).reduce((a, d) => a * d, 1);
    const values = Int8Array.from(tensorValues(weights) as Int8Array);
    for (let i = 0; i < values.length; i++) if (bad.includes(Math.floor(i / inner) % s.length)) values[i] = 0;
    const good = Math.max(...[...s].filter((v) => v >= NEGLIGIBLE_SCALE), 1e-3);
    const [dataName, scaleName] = [fresh(`${weightDq.outputs[0]}_q`), fresh(`${weightDq.outputs[0]}_s`)];
    graph.initializers.set(dataName, makeTensor(dataName, 'int8', [...weights.dims], values));
    graph.initializers.set(scaleName, makeTensor(scaleName, 'float32', [...scales.dims], Float32Array.from(s, (v) => (v < NEGLIGIBLE_SCALE ? good : v))));
    weightDq.inputs[0] = dataName;
    weightDq.inputs[1] = scaleName;
    rescaleBias(graph, fresh, node, tensorFloats(inputScale)[0]);
    fixed++;
  }
  return fixed;
}
