// w8a8 output per TFLite's int8 spec: per-channel symmetric int8 weights, asymmetric int8 activations, int32 biases, float I/O.
import { UsageError } from '../../errors.ts';
import type { TensorRange } from '../../quantize/calibrate/calibrator.ts';
import { computeParams, minWeightScalesForBias, quantizeValue, quantizeWeight, type QuantParams } from '../../quantize/params.ts';
import type { TflQuantization } from '../../formats/tflite/schema/types.ts';
import type { DraftGraph, DraftTensor, RangeSource } from './draft.ts';
import { bridgeFloatIslands, floatIslandConstants, floatIslandInputs, floatIslandOutputs } from './float-islands.ts';
import { shareOutputScale } from './int8-shared-scale.ts';

/** Ops whose int8 kernels need the output to share the input's scale and zero point. */
const SAME_SCALE = new Set(['MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RESHAPE', 'TRANSPOSE', 'PAD', 'PADV2', 'MIRROR_PAD', 'SLICE', 'STRIDED_SLICE', 'GATHER', 'SPLIT_V', 'REDUCE_MAX', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR']);
/** Ops whose int8 output quantization is fixed by the spec. */
const FIXED: Record<string, QuantParams> = { SOFTMAX: { scale: 1 / 256, zeroPoint: -128 }, LOGISTIC: { scale: 1 / 256, zeroPoint: -128 }, TANH: { scale: 1 / 128, zeroPoint: 0 } };

/** Ops with weights and a bias: input slots, and the per-channel axis of the weights (undefined: per tensor). */
const WEIGHTED: Record<string, { input: number; weights: number; bias: number; axis?: number }> = {
  CONV_2D: { input: 0, weights: 1, bias: 2, axis: 0 },
  DEPTHWISE_CONV_2D: { input: 0, weights: 1, bias: 2, axis: 3 },
  FULLY_CONNECTED: { input: 0, weights: 1, bias: 2, axis: 0 },
  // TRANSPOSE_CONV reads (output_shape, weights OHWI, input, bias): per output channel on axis 0.
  TRANSPOSE_CONV: { input: 2, weights: 1, bias: 3, axis: 0 },
};

const q = (p: QuantParams): TflQuantization => ({ scale: [p.scale], zero_point: [p.zeroPoint] });

function rangeOf(src: RangeSource, ranges: Map<string, TensorRange>): TensorRange | undefined {
  const r = ranges.get(src.value);
  if (!r) return undefined;
  const a = r.min * (src.scale ?? 1) + (src.shift ?? 0);
  const b = r.max * (src.scale ?? 1) + (src.shift ?? 0);
  let [min, max] = a <= b ? [a, b] : [b, a];
  if (src.clamp) {
    min = Math.min(Math.max(min, src.clamp[0]), src.clamp[1]);
    max = Math.min(Math.max(max, src.clamp[0]), src.clamp[1]);
  }
  return { min, max };
}

function setInt8(t: DraftTensor, values: Int32Array, quantization: TflQuantization): void {
  t.dtype = 'int8';
  t.data = Int8Array.from(values);
  t.quantization = quantization;
}

/**
 * Quantizes the draft in place: activations from their calibrated ranges (same-scale ops inherit
 * their input's parameters, softmax/logistic/tanh get the spec's fixed ones), conv, transposed-conv and FC weights per
 * output channel, BATCH_MATMUL operands as per-tensor activations (a constant one per tensor), biases to int32 at input × weight scale, other float constants per tensor.
 * Float I/O is kept with a QUANTIZE after each input and a DEQUANTIZE before each output (none where a float island reads or computes it).
 * @throws UsageError naming the activations calibration gave no range for.
 */
export function quantizeInt8(g: DraftGraph, ranges: Map<string, TensorRange>): void {
  const missing: string[] = [];
  const islandOutputs = new Set([...floatIslandOutputs(g), ...floatIslandInputs(g)]);
  const islandConstants = floatIslandConstants(g);
  for (const [i, t] of g.tensors.entries()) {
    if (t.data || t.dtype !== 'float32' || islandOutputs.has(i)) continue;
    const r = t.range && rangeOf(t.range, ranges);
    if (!r) { missing.push(t.name); continue; }
    t.dtype = 'int8';
    t.quantization = q(computeParams(r, 'int8', false));
  }
  if (missing.length) throw new UsageError(`calibration gave no range for ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  bridgeFloatIslands(g, (i) => {
    const r = g.tensors[i].range && rangeOf(g.tensors[i].range!, ranges);
    if (!r) throw new UsageError(`calibration gave no range for ${g.tensors[i].name}`);
    return q(computeParams(r, 'int8', false));
  });
  for (const op of g.ops) {
    if (op.float) continue;
    if (SAME_SCALE.has(op.op)) for (const o of op.outputs) g.tensors[o].quantization = { ...g.tensors[op.inputs[0]].quantization };
    else if (FIXED[op.op]) for (const o of op.outputs) g.tensors[o].quantization = q(FIXED[op.op]);
  }
  shareOutputScale(g, (op) => SAME_SCALE.has(op.op) || op.op in FIXED);
  for (const op of g.ops) {
    const slots = WEIGHTED[op.op];
    if (!slots || op.float) continue;
    const [x, w, b] = [slots.input, slots.weights, slots.bias].map((i) => g.tensors[op.inputs[i]]);
    const inScale = x.quantization!.scale![0];
    const axis = slots.axis;
    const bias = b.data as Float32Array;
    const perChannelMin = minWeightScalesForBias(bias, inScale);
    const minScales = axis === undefined ? [Math.max(0, ...perChannelMin)] : perChannelMin;
    const qw = quantizeWeight(w.data as Float32Array, w.shape, 'int8', true, axis, minScales);
    setInt8(w, qw.values, { scale: qw.params.map((p) => p.scale), zero_point: qw.params.map(() => 0), quantized_dimension: axis ?? 0 });
    const scales = bias.map((_, c) => inScale * qw.params[axis === undefined ? 0 : c].scale);
    b.dtype = 'int32';
    b.data = Int32Array.from(bias, (v, c) => quantizeValue(v, { scale: scales[c], zeroPoint: 0 }, 'int32'));
    b.quantization = { scale: Array.from(scales), zero_point: Array.from(scales, () => 0), quantized_dimension: 0 };
  }
  for (const [i, t] of g.tensors.entries()) {
    if (!(t.data instanceof Float32Array) || t.dtype !== 'float32' || islandConstants.has(i)) continue;
    let min = Infinity;
    let max = -Infinity;
    for (const v of t.data) { if (v < min) min = v; if (v > max) max = v; }
    const p = computeParams({ min, max }, 'int8', false);
    setInt8(t, Int32Array.from(t.data, (v) => quantizeValue(v, p, 'int8')), q(p));
  }
  g.inputs = g.inputs.map((i) => {
    const t = g.tensors[i];
    if (t.dtype !== 'int8') return i; // float32 read only by float islands, or an integer input (uint8 pixels) as declared
    const f = g.tensors.push({ name: t.name, shape: [...t.shape], dtype: 'float32' }) - 1;
    t.name = `${t.name}/int8`;
    g.ops.unshift({ op: 'QUANTIZE', inputs: [f], outputs: [i], node: '' });
    return f;
  });
  g.outputs = g.outputs.map((i) => {
    const t = g.tensors[i];
    if (t.dtype !== 'int8') return i; // float32 computed by a float island, or an integer output as computed
    const f = g.tensors.push({ name: t.name, shape: [...t.shape], dtype: 'float32' }) - 1;
    t.name = `${t.name}/int8`;
    g.ops.push({ op: 'DEQUANTIZE', inputs: [i], outputs: [f], node: '' });
    return f;
  });
}
