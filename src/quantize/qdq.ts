// The QDQ plan: collects what op quantizers ask for, then inserts QuantizeLinear/DequantizeLinear and quantized constants.
import type { DType } from '../ir/dtype.ts';
import type { Graph, Node, ValueType } from '../ir/graph.ts';
import { makeTensor, tensorFloats, type Tensor } from '../ir/tensor.ts';
import { toposort } from '../ir/toposort.ts';
import { constantOf, nameAllocator, renameValue, replaceUses } from '../passes/graph-edit.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { TensorRange } from './calibrate/calibrator.ts';
import type { QdqMarker } from './ops/registry.ts';
import type { WeightRounding } from './ptq/weight-rounding.ts';
import { channelScales, computeParams, minWeightScalesForBias, packNibbles, quantizeBias, quantizeOnGrid, quantizeWeight, quantizeWeightBlocked, type QuantParams, type QuantType } from './params.ts';

/** How the plan quantizes. */
export interface QdqSettings {
  activationType: QuantType;
  /** Weight type; a 4-bit type applies to the weights of {@link LOW_BIT_WEIGHT_OPS} only, other weights stay int8. */
  weightType: QuantType;
  /** Nodes whose weights stay int8 when `weightType` is 4-bit (mixed weight precision). */
  int8WeightNodes?: ReadonlySet<string>;
  /** 4-bit weights: elements per scale block along the input-channel axis (DequantizeLinear-21 `block_size`); 0/absent = per channel. */
  weightBlock?: number;
  perChannel: boolean;
  symmetricWeights: boolean;
  /** Domain of the Q/DQ nodes: '' (ONNX, opset ≥ 13, or ≥ 21 for 16-bit) or 'com.microsoft'. */
  domain: '' | 'com.microsoft';
  /** Activations never quantized (mixed precision keeps them float). */
  floatValues?: ReadonlySet<string>;
  /**
   * Activations quantized to the 16-bit type of the same signedness (uint8 → uint16, int8 → int16) instead of the
   * activation type (mixed precision lifts the noisiest ones); values sharing their params follow them.
   */
  wideValues?: ReadonlySet<string>;
  /** Domain of 16-bit Q/DQ nodes ('' needs opset ≥ 21); default `domain`. */
  wideDomain?: '' | 'com.microsoft';
  /** Op types whose weights stay per-tensor even when `perChannel` (QNN: MatMul, Gemm). */
  perTensorOps?: ReadonlySet<string>;
  /** The QNN HTP target: normalization ops quantize their scale and bias too (see ops/normalization.ts). */
  qnn?: boolean;
}

/** The 16-bit type of the same signedness as `type` (16-bit types map to themselves). */
export function widen(type: QuantType): QuantType {
  return type === 'uint8' ? 'uint16' : type === 'int8' ? 'int16' : type;
}

/** Ops whose weight (input 1) a 4-bit weight type applies to; other weights (LSTM W/R, a constant MatMul A) stay int8. */
export const LOW_BIT_WEIGHT_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);

interface WeightRequest { node: Node; slot: number; axis?: number }
interface BiasRequest { node: Node; slot: number; inputSlot: number; weightSlot: number }

/** What applying the plan changed. */
export interface QdqOutcome {
  /** Activations that got a Q/DQ pair, or a quantized constant. */
  activations: number;
  /** Of those, how many are in the wide (16-bit) type. */
  wideActivations: number;
  weights: number;
  biases: number;
  /** Marked activations left float because calibration gave no range. */
  missingRanges: string[];
  /** Bias values that saturated int32 (summed over biases). */
  saturatedBias: number;
}

/** Collects quantization requests (as a {@link QdqMarker}) and applies them to the graph. */
export class QdqPlan implements QdqMarker {
  private readonly marked = new Set<string>();
  private readonly shared = new Map<string, string>();
  private readonly weights: WeightRequest[] = [];
  private readonly biases: BiasRequest[] = [];
  private readonly quantizedNodes = new Set<Node>();
  private readonly producers: Map<string, Node>;
  private readonly inputNames: Set<string>;
  /** Scale and zero-point initializers by params, shared by values quantized alike (e.g. MaxPool in and out). */
  private readonly paramInits = new Map<string, [string, string]>();
  /** Weight DQ output → its scale initializer. */
  private readonly weightScaleNames = new Map<string, string>();
  private lastScaleName = '';
  /** DQ outputs of quantized constants → the float constant's name. */
  private readonly constantDqs: [string, string][] = [];

  /**
   * @param types value types (from inference) to tell float tensors apart
   * @param fused values between a producer and its Relu/Clip: they never get a Q/DQ pair
   * @param fresh name allocator; pass one made over the whole model when `graph` is a body, so new names shadow no
   *   value of an enclosing scope (default: one over `graph`)
   * @param outerConstant for a body: the constants of its enclosing graphs (innermost first)
   */
  constructor(
    readonly graph: Graph, private readonly types: Map<string, ValueType>, private readonly fused: ReadonlySet<string>, private readonly settings: QdqSettings,
    private readonly fresh?: (base: string) => string, private readonly outerConstant?: (name: string) => Tensor | undefined,
  ) {
    this.producers = producersOf(graph);
    this.inputNames = new Set(graph.inputs.map((v) => v.name));
  }

  /**
   * The constant behind a value: an initializer of this graph or, for a body, of an enclosing graph (a weight several
   * bodies share). Quantizing an outer constant puts its integer copy and the DequantizeLinear inside this body.
   */
  private constant(value: string): Tensor | undefined {
    const local = constantOf(this.graph, value);
    if (local || !this.outerConstant || this.producers.has(value) || this.inputNames.has(value)) return local;
    return this.outerConstant(value);
  }

  isFloat(value: string): boolean {
    if (!value) return false;
    const t = this.constant(value);
    if (t) return t.dtype === 'float32';
    const type = this.types.get(value);
    return type?.kind === 'tensor' && type.dtype === 'float32';
  }

  floatConstant(value: string): Tensor | undefined {
    const t = value ? this.constant(value) : undefined;
    return t?.dtype === 'float32' ? t : undefined;
  }

  isQuantized(value: string): boolean {
    if (this.marked.has(value)) return true;
    const p = this.producers.get(value);
    return this.fused.has(value) && !!p && this.quantizedNodes.has(p);
  }

  activation(value: string): void {
    if (value && !this.fused.has(value) && this.isFloat(value) && !this.settings.floatValues?.has(value)) this.marked.add(value);
  }

  shareParams(output: string, input: string): void {
    if (!this.isFloat(output) || this.settings.floatValues?.has(output) || !this.isQuantized(input)) return;
    // A mixed-precision boundary (8-bit input, 16-bit output or back): the output gets its own calibrated grid.
    if (this.typeOf(output) !== this.typeOf(input)) return this.activation(output);
    this.marked.add(output);
    this.shared.set(output, input);
  }

  weight(node: Node, slot: number, axis: number | undefined): void {
    this.weights.push({ node, slot, axis: this.settings.perChannel && !this.settings.perTensorOps?.has(node.op) ? axis : undefined });
  }

  bias(node: Node, slot: number, inputSlot: number, weightSlot: number): void {
    this.biases.push({ node, slot, inputSlot, weightSlot });
  }

  /** Records that a node was quantized (so Relu/Clip after it can be). */
  markNode(node: Node): void {
    this.quantizedNodes.add(node);
  }

  /** Activations whose range calibration must measure (not constants, not params shared from another value). */
  activationsToCalibrate(): string[] {
    return [...this.marked].filter((v) => !this.shared.has(v) && !this.constant(v));
  }

  /** The grid each quantized activation will have (scale, zero point, type) from `ranges`, as {@link apply} computes it. */
  activationGrids(ranges: ReadonlyMap<string, TensorRange>): Map<string, QuantParams & { type: QuantType }> {
    const params = this.activationParams(ranges, { activations: 0, wideActivations: 0, weights: 0, biases: 0, missingRanges: [], saturatedBias: 0 });
    return new Map([...params].map(([v, p]) => [v, { ...p, type: this.typeOf(v) }]));
  }

  /** Nodes whose weight (slot 1) the plan quantizes: what a weight rounding such as GPTQ needs moments for. */
  weightedNodes(): Node[] {
    return this.weights.filter((w) => w.slot === 1).map((w) => w.node);
  }

  /** Inserts everything planned, using the calibrated ranges; `rounding` may pick weights' integers on their grids. */
  apply(ranges: ReadonlyMap<string, TensorRange>, rounding?: WeightRounding): QdqOutcome {
    const fresh = this.fresh ?? nameAllocator(this.graph);
    const outcome: QdqOutcome = { activations: 0, wideActivations: 0, weights: 0, biases: 0, missingRanges: [], saturatedBias: 0 };
    const params = this.activationParams(ranges, outcome);
    // Name shared scale/zero-point initializers after the first activation (in graph order) that uses them.
    for (const [value, p] of params) if (!this.constant(value)) this.sharedParams(fresh, value, p);
    const front: Node[] = [];
    const weightScales = new Map<string, number[]>();
    const weightCache = new Map<string, string>();
    for (const { node, slot, axis } of this.weights) {
      const name = node.inputs[slot];
      const type = this.weightTypeOf(node, slot);
      const key = `${name}\u0000${axis}\u0000${type}`;
      let dq = weightCache.get(key);
      const t = this.constant(name)!;
      const usableAxis = axis !== undefined && axis < t.dims.length && t.dims.length > 1 ? axis : undefined;
      if (!dq) {
        const floor = this.biasScaleFloor(node, slot, params, usableAxis === undefined ? 1 : t.dims[usableAxis]);
        const block = type !== this.settings.weightType || usableAxis === undefined ? 0 : this.settings.weightBlock ?? 0;
        const blockAxis = node.op === 'MatMul' ? t.dims.length - 2 : usableAxis === 0 ? 1 : 0;
        const q = block
          ? quantizeWeightBlocked(tensorFloats(t), t.dims, type, this.settings.symmetricWeights, blockAxis, block, usableAxis, floor)
          : quantizeWeight(tensorFloats(t), t.dims, type, this.settings.symmetricWeights, usableAxis, floor);
        const grid = block ? undefined : rounding?.grid?.(node, slot, t, q, this.settings.symmetricWeights, params.get(node.inputs[0])?.scale, floor);
        if (grid) {
          q.params = grid;
          q.values = quantizeOnGrid(tensorFloats(t), t.dims, q.type, grid, usableAxis);
        }
        // GPTQ rounds on one scale per output channel: blocked weights keep round-to-nearest.
        const chosen = block ? undefined : rounding?.round(node, slot, t, q, this.settings.symmetricWeights, params.get(node.inputs[0])?.scale);
        if (chosen) q.values = chosen;
        const symmetricConv = node.op === 'Conv' && q.params.every((p) => p.zeroPoint === 0);
        dq = this.addDequantize(fresh, front, name, t.dims, type, q.values, q.params, q.axis, !symmetricConv, undefined, this.settings.domain, q.scaleDims);
        weightCache.set(key, dq);
        weightScales.set(dq, block ? channelScales(q, usableAxis!) : q.params.map((p) => p.scale));
        if (!block) this.weightScaleNames.set(dq, this.lastScaleName);
        outcome.weights++;
      }
      node.inputs[slot] = dq;
    }
    for (const { node, slot, inputSlot, weightSlot } of this.biases) {
      const inputName = node.inputs[inputSlot];
      const input = params.get(inputName);
      const weightDq = node.inputs[weightSlot];
      const wScales = weightScales.get(weightDq);
      const t = this.constant(node.inputs[slot]);
      if (!input || !wScales || !t) continue;
      const q = quantizeBias(tensorFloats(t), input.scale, wScales);
      outcome.saturatedBias += q.saturated;
      const perChannel = wScales.length > 1;
      const biasParams = perChannel ? [...q.scales].map((scale) => ({ scale, zeroPoint: 0 })) : [{ scale: q.scales[0], zeroPoint: 0 }];
      // Per channel, the bias scale is input scale × weight scales: computed in the graph by a Mul of the two (float32
      // multiplication gives the same numbers; onnxruntime folds it at load) instead of stored, which saves 4 bytes a channel.
      const wScaleName = this.weightScaleNames.get(weightDq);
      const derived = perChannel && wScaleName && q.scales.every((s, c) => s === Math.fround(input.scale * wScales[c]))
        ? this.derivedScale(fresh, front, this.sharedParams(fresh, inputName, input)[0], wScaleName, node.inputs[slot])
        : undefined;
      node.inputs[slot] = this.addDequantize(fresh, front, node.inputs[slot], t.dims, 'int32', q.values, biasParams, perChannel ? 0 : undefined, true, derived);
      outcome.biases++;
    }
    const after = new Map<Node | undefined, Node[]>();
    for (const [value, p] of params) {
      const constant = this.constant(value);
      const nodes = constant ? this.quantizeConstantActivation(fresh, front, value, constant, p) : this.insertPair(fresh, value, p);
      if (!constant) {
        const producer = this.producers.get(value);
        after.set(producer, [...(after.get(producer) ?? []), ...nodes]);
      }
      outcome.activations++;
      if (this.typeOf(value) !== this.settings.activationType) outcome.wideActivations++;
    }
    const ordered: Node[] = [...front, ...(after.get(undefined) ?? [])];
    for (const n of this.graph.nodes) ordered.push(n, ...(after.get(n) ?? []));
    this.graph.nodes = ordered;
    this.graph.nodes = toposort(this.graph);
    this.reuseFloatNames();
    return outcome;
  }

  /**
   * A dequantized constant takes over its float original's name once nothing reads the original any more (the float
   * initializer goes): `w` is then `DequantizeLinear(w_q, w_s)`, as readable as before and a few bytes shorter.
   */
  private reuseFloatNames(): void {
    const read = new Set(this.graph.nodes.flatMap((n) => n.inputs));
    const taken = new Set([...this.graph.inputs, ...this.graph.outputs].map((v) => v.name));
    for (const [out, original] of this.constantDqs) {
      if (read.has(original) || taken.has(original) || !this.graph.initializers.has(original)) continue;
      this.graph.initializers.delete(original);
      renameValue(this.graph, out, original);
    }
  }

  /**
   * The integer type of a weight: the settings' type, except int8 for weights a 4-bit type does not apply to and for the
   * nodes kept at 8 bits (mixed weight precision).
   */
  private weightTypeOf(node: Node, slot: number): QuantType {
    const lowBit = this.settings.weightType === 'int4' || this.settings.weightType === 'uint4';
    if (!lowBit) return this.settings.weightType;
    const applies = slot === 1 && LOW_BIT_WEIGHT_OPS.has(node.op) && !this.settings.int8WeightNodes?.has(node.name);
    return applies ? this.settings.weightType : 'int8';
  }

  /** Per-channel minimum weight scales so the node's int32 bias cannot saturate (undefined without a bias). */
  private biasScaleFloor(node: Node, weightSlot: number, params: Map<string, QuantParams>, channels: number): Float64Array | undefined {
    const request = this.biases.find((b) => b.node === node && b.weightSlot === weightSlot);
    const input = request && params.get(node.inputs[request.inputSlot]);
    const bias = request && this.constant(node.inputs[request.slot]);
    if (!input || !bias) return undefined;
    const floor = minWeightScalesForBias(tensorFloats(bias), input.scale);
    if (channels === floor.length) return floor;
    return new Float64Array(channels).fill(Math.max(...floor));
  }

  /** The integer type of an activation: wide if it (or the value it shares params with) is lifted. */
  private typeOf(value: string): QuantType {
    const seen = new Set<string>();
    let v: string | undefined = value;
    while (v !== undefined && !seen.has(v)) {
      if (this.settings.wideValues?.has(v)) return widen(this.settings.activationType);
      seen.add(v);
      v = this.shared.get(v);
    }
    return this.settings.activationType;
  }

  /** Scale and zero point of every marked activation (shared ones follow their source). */
  private activationParams(ranges: ReadonlyMap<string, TensorRange>, outcome: QdqOutcome): Map<string, QuantParams> {
    const out = new Map<string, QuantParams>();
    const resolve = (value: string, seen: Set<string>): QuantParams | undefined => {
      if (out.has(value)) return out.get(value);
      if (seen.has(value)) return undefined;
      seen.add(value);
      const source = this.shared.get(value);
      let p: QuantParams | undefined;
      if (source !== undefined) {
        p = resolve(source, seen);
      } else {
        const constant = this.constant(value);
        const range = constant ? rangeOf(tensorFloats(constant)) : ranges.get(value);
        if (range && Number.isFinite(range.min) && Number.isFinite(range.max)) p = computeParams(range, this.typeOf(value), false);
      }
      if (p && this.marked.has(value)) out.set(value, p);
      return p;
    };
    for (const v of this.marked) if (!resolve(v, new Set())) outcome.missingRanges.push(v);
    return out;
  }

  /** The scale and zero-point initializers for `p`, made on first use (named after `value`) and shared after. */
  private sharedParams(fresh: (b: string) => string, value: string, p: QuantParams): [string, string] {
    const t = this.typeOf(value);
    const key = `${p.scale}/${p.zeroPoint}/${t}`;
    let shared = this.paramInits.get(key);
    if (!shared) {
      const base = shortBase(value);
      shared = [this.addInit(fresh(`${base}_s`), 'float32', [], new Float32Array([p.scale])), this.addInit(fresh(`${base}_zp`), t, [], intArray(t, [p.zeroPoint]))];
      this.paramInits.set(key, shared);
    }
    return shared;
  }

  /** A scale computed as `a × b` by a Mul in `front`; returns its value name. */
  private derivedScale(fresh: (b: string) => string, front: Node[], a: string, b: string, base: string): string {
    const out = fresh(`${shortBase(base)}_s`);
    front.push({ op: 'Mul', domain: '', name: '', inputs: [a, b], outputs: [out], attributes: new Map() });
    return out;
  }

  /** Q then DQ on an activation; consumers keep reading the original name, which now holds the DQ output. */
  private insertPair(fresh: (b: string) => string, value: string, p: QuantParams): Node[] {
    const base = shortBase(value);
    const shared = this.sharedParams(fresh, value, p);
    const [scale, zp] = shared;
    const quantized = fresh(`${base}_q`);
    let source = value;
    let dequantized = value;
    if (this.inputNames.has(value) || !this.producers.has(value)) {
      dequantized = fresh(`${base}_dq`);
      replaceUses(this.graph, value, dequantized, false);
    } else {
      source = fresh(`${base}_f`);
      const producer = this.producers.get(value)!;
      producer.outputs = producer.outputs.map((o) => (o === value ? source : o));
    }
    // Q/DQ nodes stay unnamed: their values name them, and names cost bytes in small models.
    const domain = this.typeOf(value) === this.settings.activationType ? this.settings.domain : this.settings.wideDomain ?? this.settings.domain;
    return [
      this.node('QuantizeLinear', [source, scale, zp], [quantized], domain),
      this.node('DequantizeLinear', [quantized, scale, zp], [dequantized], domain),
    ];
  }

  /** A constant input of an activation-quantized op (e.g. Add's addend): stored quantized, dequantized on load. */
  private quantizeConstantActivation(fresh: (b: string) => string, front: Node[], value: string, t: Tensor, p: QuantParams): Node[] {
    const type = this.typeOf(value);
    const q = quantizeWeight(tensorFloats(t), t.dims, type, false);
    const qp = q.params[0];
    if (qp.scale !== p.scale || qp.zeroPoint !== p.zeroPoint) throw new Error(`internal: params of constant '${value}' differ`);
    const dq = this.addDequantize(fresh, front, value, t.dims, type, intArray(type, q.values), [p], undefined, true, undefined, type === this.settings.activationType ? this.settings.domain : this.settings.wideDomain ?? this.settings.domain);
    replaceUses(this.graph, value, dq, false);
    return [];
  }

  /**
   * Adds the quantized initializer, its scale and zero point, and a DequantizeLinear in `front`; returns the DQ output.
   * `blockDims`: the scale tensor's dims of a blocked weight (blocks along `axis`).
   */
  private addDequantize(fresh: (b: string) => string, front: Node[], base: string, dims: number[], type: QuantType, values: ArrayLike<number>, params: QuantParams[], axis: number | undefined, withZeroPoint = true, scaleValue?: string, domain = this.settings.domain, blockDims?: number[]): string {
    const original = base;
    base = shortBase(base);
    const data = this.addInit(fresh(`${base}_q`), type, dims, intArray(type, values));
    const shape = blockDims ?? (params.length > 1 ? [params.length] : []);
    const scale = scaleValue ?? this.addInit(fresh(`${base}_s`), 'float32', shape, Float32Array.from(params, (p) => p.scale));
    this.lastScaleName = scale;
    const inputs = [data, scale];
    // Zero points stay even when 0 (except for Conv weights): onnxruntime fuses DQ→Gemm→Q into QGemm only when the
    // weight DQ has one (QGemm's inputs are positional); QLinearConv fuses without.
    if (type !== 'int32' && withZeroPoint) inputs.push(this.addInit(fresh(`${base}_zp`), type, shape, intArray(type, params.map((p) => p.zeroPoint))));
    const out = fresh(`${base}_dq`);
    this.constantDqs.push([out, original]);
    const dq = this.node('DequantizeLinear', inputs, [out], domain);
    if (axis !== undefined && (params.length > 1 || blockDims)) dq.attributes.set('axis', { type: 'int', value: axis });
    if (blockDims && axis !== undefined) dq.attributes.set('block_size', { type: 'int', value: this.settings.weightBlock ?? 0 });
    front.push(dq);
    return out;
  }

  private addInit(name: string, dtype: DType, dims: number[], values: Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array): string {
    this.graph.initializers.set(name, makeTensor(name, dtype, dims, values));
    return name;
  }

  private node(op: string, inputs: string[], outputs: string[], domain = this.settings.domain): Node {
    return { op, domain, name: '', inputs, outputs, attributes: new Map() };
  }
}

/** A short base for generated names: PyTorch-style `<node>_output_0` becomes `<node>`. */
function shortBase(value: string): string {
  return value.replace(/_output_0$/, '') || value;
}

/** Min and max of the values. */
function rangeOf(values: Float32Array): TensorRange {
  let min = Infinity, max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** A typed array of the integer type holding `values` (4-bit types packed two per byte, low nibble first). */
export function intArray(type: QuantType, values: ArrayLike<number>): Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array {
  switch (type) {
    case 'int8': return Int8Array.from(values);
    case 'uint8': return Uint8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    case 'int32': return Int32Array.from(values);
    case 'int4': case 'uint4': return packNibbles(values);
  }
}
