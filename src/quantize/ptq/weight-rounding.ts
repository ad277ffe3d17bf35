// GPTQ for a model's weighted layers: their inputs' moments measured on calibration data, then the integers each weight rounds to.
import type { DataSource } from '../../data/source.ts';
import { attrInt, attrInts, attrString, type Model, type Node } from '../../ir/graph.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { tensorFloats, type Tensor } from '../../ir/tensor.ts';
import type { Progress } from '../../util/progress.ts';
import { observeValues } from '../calibrate/observe.ts';
import { dequantizeValue, quantizeValue, quantRange, type QuantizedWeight, type QuantParams, type QuantType } from '../params.ts';
import { gptqRound } from './gptq.ts';
import { searchRowScales } from './seq-mse.ts';
import { InputMoments, type LayerGeometry } from './input-moments.ts';

/**
 * Picks the integers of a weight on the grid already chosen for it (scales, zero points); undefined keeps
 * round-to-nearest. `inputScale`: the quantization step of the layer's input, whose rounding noise (variance step²/12)
 * the choice must also tolerate.
 */
export interface WeightRounding {
  /**
   * The grid itself, asked first: new params (one per entry of `q.params`) or undefined to keep min/max's. `minScales`:
   * per channel, the smallest scale the int32 bias allows.
   */
  grid?(node: Node, slot: number, weight: Tensor, q: QuantizedWeight, symmetric: boolean, inputScale?: number, minScales?: ArrayLike<number>): QuantParams[] | undefined;
  round(node: Node, slot: number, weight: Tensor, q: QuantizedWeight, symmetric: boolean, inputScale?: number): Int32Array | undefined;
}

/** What sequential MSE did to one weight's grid. */
export interface SearchedWeight {
  node: string;
  weight: string;
  /** Mean squared layer-output error per output channel (round-to-nearest) with min/max scales, then the chosen ones. */
  before: number;
  after: number;
}

/** What GPTQ did to one weight. */
export interface RoundedWeight {
  node: string;
  weight: string;
  /** Mean squared layer-output error per output channel on the calibration inputs: round-to-nearest, then GPTQ. */
  nearestError: number;
  error: number;
  /** The layer's float output on the same inputs, mean squared per output channel (wᵀ·H·w): error/power is its own noise. */
  power: number;
}

/** How a weight of `node` at slot 1 maps onto rows (output channels) × columns (the input patch), and the layer's input. */
interface Layout {
  geometry: LayerGeometry;
  /** Input channels (Conv) or K (MatMul/Gemm). */
  channels: number;
  /**
   * How the weight is stored against rows × columns: 'rows' [rows, columns…] (Conv, Gemm with transB), 'columns'
   * [columns, rows] (MatMul B, Gemm B without transB), 'inputFirst' [input channels, rows, kernel…] (ConvTranspose).
   */
  storage: 'rows' | 'columns' | 'inputFirst';
  /** Axis of the weight's per-channel params that runs along rows. */
  rowAxis: number;
}

/** The layout of a Conv/ConvTranspose/MatMul/Gemm weight GPTQ can round, or undefined (other ops, 3-D convs, grouped or auto-padded ConvTranspose, batched weights, transA). */
export function weightLayout(node: Node, weight: Tensor): Layout | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.op === 'Conv' && (weight.dims.length === 3 || weight.dims.length === 4)) {
    const rank = weight.dims.length - 2;
    const groups = attrInt(node, 'group', 1);
    const autoPad = attrString(node, 'auto_pad', 'NOTSET');
    const pads = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? autoPad : autoPad === 'VALID' ? new Array(2 * rank).fill(0) : attrInts(node, 'pads', new Array(2 * rank).fill(0));
    return {
      geometry: { kind: 'conv', groups, kernel: weight.dims.slice(2), strides: attrInts(node, 'strides', new Array(rank).fill(1)), dilations: attrInts(node, 'dilations', new Array(rank).fill(1)), pads },
      channels: weight.dims[1] * groups, storage: 'rows', rowAxis: 0,
    };
  }
  // ConvTranspose, 2-D, one group, explicit pads (no output_shape, no auto_pad): its rows are the output channels, axis 1.
  if (node.op === 'ConvTranspose' && weight.dims.length === 4 && attrInt(node, 'group', 1) === 1 && attrString(node, 'auto_pad', 'NOTSET') === 'NOTSET' && !node.attributes.has('output_shape')) {
    return {
      geometry: { kind: 'convTranspose', kernel: weight.dims.slice(2), strides: attrInts(node, 'strides', [1, 1]), dilations: attrInts(node, 'dilations', [1, 1]), pads: attrInts(node, 'pads', [0, 0, 0, 0]), outputPadding: attrInts(node, 'output_padding', [0, 0]) },
      channels: weight.dims[0], storage: 'inputFirst', rowAxis: 1,
    };
  }
  if (weight.dims.length !== 2) return undefined;
  if (node.op === 'MatMul') return { geometry: { kind: 'matmul' }, channels: weight.dims[0], storage: 'columns', rowAxis: 1 };
  if (node.op === 'Gemm' && !attrInt(node, 'transA', 0)) {
    const transB = attrInt(node, 'transB', 0) === 1;
    return { geometry: { kind: 'matmul' }, channels: transB ? weight.dims[1] : weight.dims[0], storage: transB ? 'rows' : 'columns', rowAxis: transB ? 0 : 1 };
  }
  return undefined;
}

/** Options of {@link gptqRounding}. */
export interface GptqOptions {
  limit: number;
  batchSize?: number;
  progress?: Progress;
  /**
   * The grid each layer input will be quantized to: moments are then measured on the inputs as the quantized layer
   * reads them (quantized and dequantized), so the rounding does not lean on input detail that 8-bit activations lose.
   */
  inputGrids?: ReadonlyMap<string, QuantParams & { type: QuantType }>;
  /** Round column by column with GPTQ (default true). */
  gptq?: boolean;
  /** Choose each row's scale by the layer-output error (sequential MSE; default false). */
  seqMse?: boolean;
}

/**
 * Measures the input moments of every Conv/MatMul/Gemm in `nodes` whose weight (slot 1) GPTQ can round, over
 * `source` on the float `model`, and returns the rounding to hand to the QDQ plan with the record of what it did.
 */
export async function gptqRounding(model: Model, nodes: readonly Node[], constant: (name: string) => Tensor | undefined, source: DataSource, options: GptqOptions): Promise<LayerRounding & { withoutSearch(): LayerRounding }> {
  // Keyed by node name: the rounding also serves copies of the model (bias correction quantizes one to measure it).
  const moments = new Map<string, InputMoments>();
  const byInput = new Map<string, InputMoments[]>();
  for (const node of nodes) {
    const weight = constant(node.inputs[1]);
    const layout = weight && weightLayout(node, weight);
    if (!layout || moments.has(node.name)) continue;
    const m = new InputMoments(layout.geometry, layout.channels);
    moments.set(node.name, m);
    byInput.set(node.inputs[0], [...(byInput.get(node.inputs[0]) ?? []), m]);
  }
  if (byInput.size) {
    await observeValues(model, source, [...byInput.keys()], (name: string, x: HostTensor) => {
      if (!(x.data instanceof Float32Array) || !x.data.length) return;
      const grid = options.inputGrids?.get(name);
      const seen = grid ? { ...x, data: x.data.map((v) => dequantizeValue(quantizeValue(v, grid, grid.type), grid)) } : x;
      for (const m of byInput.get(name)!) m.observe(seen);
    }, { limit: options.limit, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.progress ? { progress: options.progress } : {}), label: `measuring layer inputs (${[options.seqMse ? 'seq-mse' : '', options.gptq !== false ? 'gptq' : ''].filter(Boolean).join(', ')})` });
  }
  // GPTQ results keyed by grid, shared by both roundings: the min/max grids of withoutSearch() are rounded once.
  const done = new Map<string, ReturnType<typeof roundLayer>>();
  const make = (seqMse: boolean): LayerRounding => {
    const rounded: RoundedWeight[] = [];
    const searched: SearchedWeight[] = [];
    const grids = new Map<string, QuantParams[]>();
    const rounding: WeightRounding = {
      grid(node, slot, weight, q, symmetric, inputScale, minScales) {
        const m = seqMse ? moments.get(node.name) : undefined;
        const layout = m && slot === 1 ? weightLayout(node, weight) : undefined;
        if (!m || !layout || m.rows === 0) return undefined;
        if (q.params.length > 1 ? q.axis !== layout.rowAxis : m.groups > 1) return undefined;
        const key = gridKey(node, weight, q);
        const known = grids.get(key);
        if (known) return known;
        const result = searchLayer(tensorFloats(weight), weight.dims, layout, m, q, symmetric, roundingNoise(inputScale), minScales);
        if (!searched.some((r) => r.node === node.name && r.weight === weight.name)) searched.push({ node: node.name, weight: weight.name, before: result.before, after: result.after });
        grids.set(key, result.params);
        return result.params;
      },
      round(node, slot, weight, q, symmetric, inputScale) {
        if (options.gptq === false) return undefined;
        const m = moments.get(node.name);
        const layout = m && slot === 1 ? weightLayout(node, weight) : undefined;
        if (!m || !layout || m.rows === 0) return undefined;
        if (q.params.length > 1 && q.axis !== layout.rowAxis) return undefined;
        // A copy of the model quantized earlier (to measure it) asked for the same weight on the same grid: reuse.
        const key = gridKey(node, weight, q);
        const known = done.get(key);
        if (known && rounded.some((r) => r.node === node.name && r.weight === weight.name)) return known.values;
        const result = known ?? roundLayer(tensorFloats(weight), weight.dims, layout, m, q, symmetric, roundingNoise(inputScale));
        if (!rounded.some((r) => r.node === node.name && r.weight === weight.name)) rounded.push({ node: node.name, weight: weight.name, nearestError: result.nearestError, error: result.error, power: result.power });
        done.set(key, result);
        return result.values;
      },
    };
    return { rounding, rounded, searched };
  };
  return { ...make(options.seqMse ?? false), withoutSearch: () => make(false) };
}

/** One weight on one grid: what a copy of the model quantized again asks for. */
function gridKey(node: Node, weight: Tensor, q: QuantizedWeight): string {
  return `${node.name}\u0000${weight.name}\u0000${q.params.map((p) => `${p.scale}:${p.zeroPoint}`).join(',')}`;
}

/** Variance of the rounding noise of an input quantized with step `inputScale` (step²/12; 0 when unquantized). */
function roundingNoise(inputScale: number | undefined): number {
  return inputScale ? (inputScale * inputScale) / 12 : 0;
}

/** A weight rounding with the record of what it did. */
export interface LayerRounding {
  rounding: WeightRounding;
  rounded: RoundedWeight[];
  searched: SearchedWeight[];
}

/** Rows (output channels) of a weight stored as `layout` says. */
function rowCount(dims: readonly number[], layout: Layout): number {
  return layout.storage === 'rows' ? dims[0] : dims[1];
}

/** Where element (row, column) of the rows × columns view lives in the weight's own storage (k columns). */
function storedIndex(layout: Layout, dims: readonly number[], k: number, row: number, column: number): number {
  if (layout.storage === 'rows') return row * k + column;
  if (layout.storage === 'columns') return column * dims[1] + row;
  // [input channels, rows, kernel…]: column = input channel × kernel size + tap.
  const taps = k / dims[0];
  return (Math.floor(column / taps) * dims[1] + row) * taps + (column % taps);
}

/** The rows of group `g` of a weight as a rows × columns matrix (row-major), whatever the weight's own layout. */
function groupMatrix(w: Float32Array, dims: readonly number[], layout: Layout, k: number, groups: number, g: number): Float64Array {
  const rowsPerGroup = rowCount(dims, layout) / groups;
  const first = g * rowsPerGroup;
  const matrix = new Float64Array(rowsPerGroup * k);
  for (let r = 0; r < rowsPerGroup; r++) {
    for (let c = 0; c < k; c++) matrix[r * k + c] = w[storedIndex(layout, dims, k, first + r, c)];
  }
  return matrix;
}

/** Rows, columns, the integer grid's bounds, and per group the input moments plus the input's rounding noise. */
function layerSetup(dims: readonly number[], layout: Layout, m: InputMoments, q: QuantizedWeight, symmetric: boolean, inputNoise: number) {
  const rowsTotal = rowCount(dims, layout);
  const k = m.columns;
  const [min, max] = quantRange(q.type, symmetric);
  // The layer sees its input plus rounding noise: E[(x+n)(x+n)ᵀ] = H + σ²I.
  const hessians = m.hessians();
  if (inputNoise > 0) for (const h of hessians) for (let i = 0; i < k; i++) h[i * k + i] += inputNoise;
  return { rowsTotal, k, rowsPerGroup: rowsTotal / m.groups, min, max, hessians };
}

/** Sequential MSE on each group of one weight: a scale per row (or one for a per-tensor grid) and the error it leaves. */
function searchLayer(w: Float32Array, dims: readonly number[], layout: Layout, m: InputMoments, q: QuantizedWeight, symmetric: boolean, inputNoise: number, minScales?: ArrayLike<number>): { params: QuantParams[]; before: number; after: number } {
  const { rowsTotal, k, rowsPerGroup, min, max, hessians } = layerSetup(dims, layout, m, q, symmetric, inputNoise);
  const params: QuantParams[] = [];
  let before = 0, after = 0;
  for (let g = 0; g < m.groups; g++) {
    const first = g * rowsPerGroup;
    const own = q.params.length === 1 ? q.params : q.params.slice(first, first + rowsPerGroup);
    const floor = minScales && (q.params.length === 1 ? [Math.max(...Array.from(minScales))] : Array.from(minScales).slice(first, first + rowsPerGroup));
    const result = searchRowScales(groupMatrix(w, dims, layout, k, m.groups, g), rowsPerGroup, k, hessians[g], { scales: own.map((p) => p.scale), zeroPoints: own.map((p) => p.zeroPoint), min, max }, floor);
    params.push(...result.params);
    before += result.before * rowsPerGroup;
    after += result.after * rowsPerGroup;
  }
  return { params, before: before / rowsTotal, after: after / rowsTotal };
}

/** GPTQ on each group of one weight; integers back in the weight's own layout. */
function roundLayer(w: Float32Array, dims: readonly number[], layout: Layout, m: InputMoments, q: QuantizedWeight, symmetric: boolean, inputNoise: number): { values: Int32Array; error: number; nearestError: number; power: number } {
  const { rowsTotal, k, rowsPerGroup, min, max, hessians } = layerSetup(dims, layout, m, q, symmetric, inputNoise);
  const out = new Int32Array(w.length);
  let error = 0, nearestError = 0, power = 0;
  for (let g = 0; g < m.groups; g++) {
    const first = g * rowsPerGroup;
    const matrix = groupMatrix(w, dims, layout, k, m.groups, g);
    power += quadraticRows(matrix, rowsPerGroup, k, hessians[g]);
    const params = q.params.length === 1 ? q.params : q.params.slice(first, first + rowsPerGroup);
    const result = gptqRound(matrix, rowsPerGroup, k, hessians[g], { scales: params.map((p) => p.scale), zeroPoints: params.map((p) => p.zeroPoint), min, max });
    error += result.error * rowsPerGroup;
    nearestError += result.nearestError * rowsPerGroup;
    for (let r = 0; r < rowsPerGroup; r++) {
      for (let c = 0; c < k; c++) out[storedIndex(layout, dims, k, first + r, c)] = result.values[r * k + c];
    }
  }
  return { values: out, error: error / rowsTotal, nearestError: nearestError / rowsTotal, power: power / rowsTotal };
}

/** Σ over rows of wᵀ·H·w for a rows × k matrix (row-major). */
function quadraticRows(matrix: Float64Array, rows: number, k: number, h: Float64Array): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * k;
    for (let i = 0; i < k; i++) {
      const wi = matrix[row + i];
      if (wi === 0) continue;
      let s = 0;
      for (let j = 0; j < k; j++) s += h[i * k + j] * matrix[row + j];
      total += wi * s;
    }
  }
  return total;
}
