// GPTQ for a model's weighted layers: their inputs' moments measured on calibration data, then the integers each weight rounds to.
import type { DataSource } from '../../data/source.ts';
import { attrInt, attrInts, attrString, type Model, type Node } from '../../ir/graph.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { tensorFloats, type Tensor } from '../../ir/tensor.ts';
import type { Progress } from '../../util/progress.ts';
import { observeValues } from '../calibrate/observe.ts';
import { dequantizeValue, quantizeValue, quantRange, type QuantizedWeight, type QuantParams, type QuantType } from '../params.ts';
import { gptqRound } from './gptq.ts';
import { InputMoments, type LayerGeometry } from './input-moments.ts';

/**
 * Picks the integers of a weight on the grid already chosen for it (scales, zero points); undefined keeps
 * round-to-nearest. `inputScale`: the quantization step of the layer's input, whose rounding noise (variance step²/12)
 * the choice must also tolerate.
 */
export interface WeightRounding {
  round(node: Node, slot: number, weight: Tensor, q: QuantizedWeight, symmetric: boolean, inputScale?: number): Int32Array | undefined;
}

/** What GPTQ did to one weight. */
export interface RoundedWeight {
  node: string;
  weight: string;
  /** Mean squared layer-output error per output channel on the calibration inputs: round-to-nearest, then GPTQ. */
  nearestError: number;
  error: number;
}

/** How a weight of `node` at slot 1 maps onto rows (output channels) × columns (the input patch), and the layer's input. */
interface Layout {
  geometry: LayerGeometry;
  /** Input channels (Conv) or K (MatMul/Gemm). */
  channels: number;
  /** The weight is stored [columns, rows] (MatMul B, Gemm B without transB): transposed against rows × columns. */
  transposed: boolean;
  /** Axis of the weight's per-channel params that runs along rows. */
  rowAxis: number;
}

/** The layout of a Conv/MatMul/Gemm weight GPTQ can round, or undefined (other ops, 3-D convs, batched weights, transA). */
export function weightLayout(node: Node, weight: Tensor): Layout | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.op === 'Conv' && (weight.dims.length === 3 || weight.dims.length === 4)) {
    const rank = weight.dims.length - 2;
    const groups = attrInt(node, 'group', 1);
    const autoPad = attrString(node, 'auto_pad', 'NOTSET');
    const pads = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? autoPad : autoPad === 'VALID' ? new Array(2 * rank).fill(0) : attrInts(node, 'pads', new Array(2 * rank).fill(0));
    return {
      geometry: { kind: 'conv', groups, kernel: weight.dims.slice(2), strides: attrInts(node, 'strides', new Array(rank).fill(1)), dilations: attrInts(node, 'dilations', new Array(rank).fill(1)), pads },
      channels: weight.dims[1] * groups, transposed: false, rowAxis: 0,
    };
  }
  if (weight.dims.length !== 2) return undefined;
  if (node.op === 'MatMul') return { geometry: { kind: 'matmul' }, channels: weight.dims[0], transposed: true, rowAxis: 1 };
  if (node.op === 'Gemm' && !attrInt(node, 'transA', 0)) {
    const transB = attrInt(node, 'transB', 0) === 1;
    return { geometry: { kind: 'matmul' }, channels: transB ? weight.dims[1] : weight.dims[0], transposed: !transB, rowAxis: transB ? 0 : 1 };
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
}

/**
 * Measures the input moments of every Conv/MatMul/Gemm in `nodes` whose weight (slot 1) GPTQ can round, over
 * `source` on the float `model`, and returns the rounding to hand to the QDQ plan with the record of what it did.
 */
export async function gptqRounding(model: Model, nodes: readonly Node[], constant: (name: string) => Tensor | undefined, source: DataSource, options: GptqOptions): Promise<{ rounding: WeightRounding; rounded: RoundedWeight[] }> {
  const moments = new Map<Node, InputMoments>();
  const byInput = new Map<string, InputMoments[]>();
  for (const node of nodes) {
    const weight = constant(node.inputs[1]);
    const layout = weight && weightLayout(node, weight);
    if (!layout || moments.has(node)) continue;
    const m = new InputMoments(layout.geometry, layout.channels);
    moments.set(node, m);
    byInput.set(node.inputs[0], [...(byInput.get(node.inputs[0]) ?? []), m]);
  }
  if (byInput.size) {
    await observeValues(model, source, [...byInput.keys()], (name: string, x: HostTensor) => {
      if (!(x.data instanceof Float32Array) || !x.data.length) return;
      const grid = options.inputGrids?.get(name);
      const seen = grid ? { ...x, data: x.data.map((v) => dequantizeValue(quantizeValue(v, grid, grid.type), grid)) } : x;
      for (const m of byInput.get(name)!) m.observe(seen);
    }, { limit: options.limit, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.progress ? { progress: options.progress } : {}), label: 'measuring layer inputs (gptq)' });
  }
  const rounded: RoundedWeight[] = [];
  const rounding: WeightRounding = {
    round(node, slot, weight, q, symmetric, inputScale) {
      const m = moments.get(node);
      const layout = m && slot === 1 ? weightLayout(node, weight) : undefined;
      if (!m || !layout || m.rows === 0) return undefined;
      if (q.params.length > 1 && q.axis !== layout.rowAxis) return undefined;
      const result = roundLayer(tensorFloats(weight), weight.dims, layout, m, q, symmetric, inputScale ? (inputScale * inputScale) / 12 : 0);
      rounded.push({ node: node.name, weight: weight.name, nearestError: result.nearestError, error: result.error });
      return result.values;
    },
  };
  return { rounding, rounded };
}

/** GPTQ on each group of one weight; integers back in the weight's own layout. */
function roundLayer(w: Float32Array, dims: readonly number[], layout: Layout, m: InputMoments, q: QuantizedWeight, symmetric: boolean, inputNoise: number): { values: Int32Array; error: number; nearestError: number } {
  const rowsTotal = layout.transposed ? dims[1] : dims[0];
  const k = m.columns;
  const rowsPerGroup = rowsTotal / m.groups;
  const [min, max] = quantRange(q.type, symmetric);
  // The layer sees its input plus rounding noise: E[(x+n)(x+n)ᵀ] = H + σ²I.
  const hessians = m.hessians();
  if (inputNoise > 0) for (const h of hessians) for (let i = 0; i < k; i++) h[i * k + i] += inputNoise;
  const out = new Int32Array(w.length);
  let error = 0, nearestError = 0;
  for (let g = 0; g < m.groups; g++) {
    const first = g * rowsPerGroup;
    const matrix = new Float64Array(rowsPerGroup * k);
    for (let r = 0; r < rowsPerGroup; r++) {
      for (let c = 0; c < k; c++) matrix[r * k + c] = layout.transposed ? w[c * rowsTotal + first + r] : w[(first + r) * k + c];
    }
    const params = q.params.length === 1 ? q.params : q.params.slice(first, first + rowsPerGroup);
    const result = gptqRound(matrix, rowsPerGroup, k, hessians[g], { scales: params.map((p) => p.scale), zeroPoints: params.map((p) => p.zeroPoint), min, max });
    error += result.error * rowsPerGroup;
    nearestError += result.nearestError * rowsPerGroup;
    for (let r = 0; r < rowsPerGroup; r++) {
      for (let c = 0; c < k; c++) out[layout.transposed ? c * rowsTotal + first + r : (first + r) * k + c] = result.values[r * k + c];
    }
  }
  return { values: out, error: error / rowsTotal, nearestError: nearestError / rowsTotal };
}
