// Range search: each activation's range picked among the calibration methods and clipped min/max ranges by the error it leaves in the layer that reads it.
import type { DataSource } from '../../data/source.ts';
import { attrInt, type Graph, type Model } from '../../ir/graph.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import { tensorFloats } from '../../ir/tensor.ts';
import { constantOf, usesOf } from '../../passes/graph-edit.ts';
import type { Progress } from '../../util/progress.ts';
import { CALIBRATION_METHODS, type CalibrationMethod, type Collector, type TensorRange } from '../calibrate/calibrator.ts';
import { createCollector } from '../calibrate/collectors.ts';
import { observeValues } from '../calibrate/observe.ts';
import { computeParams, typeLimits, type QuantType } from '../params.ts';

/** Fractions of the min/max range tried as clipped ranges (both ends scaled, then the upper end only). */
const CLIP_FRACTIONS = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
/** Samples kept per channel of each activation, and per activation at most. */
const SAMPLES_PER_CHANNEL = 4096;
const SAMPLES_PER_VALUE = 1 << 17;

/** What the search chose for one activation. */
export interface RangeChoice {
  value: string;
  /** The winning candidate: a calibration method, or `clip 0.5` / `clip-max 0.5` (fraction of the min/max range). */
  chosen: string;
  range: TensorRange;
  /** Weighted squared error of the calibration method's range, then of the chosen one (same units). */
  before: number;
  after: number;
}

/** Options of {@link searchRanges}. */
export interface RangeSearchOptions {
  /** The integer type each activation is quantized to. */
  types: ReadonlyMap<string, QuantType>;
  /** The calibration method the user chose: the baseline the report compares with. */
  method: CalibrationMethod;
  limit: number;
  batchSize?: number;
  progress?: Progress;
}

/**
 * How much each channel of a value matters to the layers that read it: for a value read only as the input of
 * Conv/MatMul/Gemm with constant weights, the squared weights each input channel meets (summed over outputs and
 * taps), since an error e_c on channel c moves the layer output by about ‖W[:, c]‖·e_c; otherwise 1 for every element.
 */
export function channelWeights(graph: Graph, value: string, uses = usesOf(graph)): { axis: number; weights: Float64Array } | undefined {
  const readers = uses.get(value) ?? [];
  if (!readers.length) return undefined;
  let result: { axis: number; weights: Float64Array } | undefined;
  for (const { node, slot } of readers) {
    const w = node.domain === '' && slot === 0 ? constantOf(graph, node.inputs[1]) : undefined;
    if (!w || w.dtype !== 'float32') return undefined;
    const data = tensorFloats(w);
    let axis: number, gains: Float64Array;
    if (node.op === 'Conv' && w.dims.length >= 3) {
      const [m, cg] = w.dims;
      const group = attrInt(node, 'group', 1);
      const inner = w.dims.slice(2).reduce((a, b) => a * b, 1);
      gains = new Float64Array(cg * group);
      for (let o = 0; o < m; o++) {
        const g = Math.floor(o / (m / group));
        for (let j = 0; j < cg; j++) for (let t = 0; t < inner; t++) gains[g * cg + j] += data[(o * cg + j) * inner + t] ** 2;
      }
      axis = 1;
    } else if ((node.op === 'MatMul' || (node.op === 'Gemm' && !attrInt(node, 'transA', 0))) && w.dims.length === 2) {
      const transB = node.op === 'Gemm' && attrInt(node, 'transB', 0) === 1;
      const [rows, cols] = w.dims;
      gains = new Float64Array(transB ? cols : rows);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) gains[transB ? c : r] += data[r * cols + c] ** 2;
      axis = -1;
    } else {
      return undefined;
    }
    if (!result) result = { axis, weights: gains };
    else if (result.axis !== axis || result.weights.length !== gains.length) return undefined;
    else for (let c = 0; c < gains.length; c++) result.weights[c] += gains[c];
  }
  return result;
}

/** Keeps an evenly strided sample of each channel of one activation across batches. */
class ChannelSampler {
  private samples: number[][] = [];
  private seen = 0;
  private lo = new Float64Array(0);
  private hi = new Float64Array(0);
  constructor(private readonly axis: number, private readonly perBatch: number) {}

  observe(t: HostTensor): void {
    const data = t.data as Float32Array;
    const dims = t.dims;
    const axis = this.axis < 0 ? dims.length + this.axis : this.axis;
    const channels = dims.length > axis ? dims[axis] : 1;
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = data.length / (channels * inner);
    if (!this.samples.length) {
      this.samples = Array.from({ length: channels }, () => []);
      this.lo = new Float64Array(channels).fill(Infinity);
      this.hi = new Float64Array(channels).fill(-Infinity);
    }
    if (this.samples.length !== channels) return;
    const perChannel = outer * inner;
    const take = Math.min(perChannel, this.perBatch);
    const stride = perChannel / take;
    // An offset that moves from batch to batch, so strided picks do not keep landing on the same pixels.
    const offset = (this.seen++ * 0.618034) % 1;
    for (let c = 0; c < channels; c++) {
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < inner; r++) {
          const v = data[(o * channels + c) * inner + r];
          if (v < this.lo[c]) this.lo[c] = v;
          if (v > this.hi[c]) this.hi[c] = v;
        }
      }
      const list = this.samples[c];
      for (let k = 0; k < take && list.length < SAMPLES_PER_CHANNEL; k++) {
        const i = Math.min(perChannel - 1, Math.floor((k + offset) * stride));
        const o = Math.floor(i / inner), r = i % inner;
        const v = data[(o * channels + c) * inner + r];
        if (Number.isFinite(v)) list.push(v);
      }
    }
  }

  /** The samples of each channel, with the channel's true extremes among them (clipping them is what costs most). */
  channels(): Float32Array[] {
    return this.samples.map((s, c) => Float32Array.from([this.lo[c], this.hi[c], ...s].filter(Number.isFinite)));
  }
}

/** `keep` values of `s`: its first two (the channel's extremes), then an even stride through the rest. */
function thin(s: Float32Array, keep: number): Float32Array {
  if (keep >= s.length) return s;
  const out = new Float32Array(Math.max(2, keep));
  out[0] = s[0];
  out[1] = s[1];
  const stride = (s.length - 2) / Math.max(1, out.length - 2);
  for (let i = 2; i < out.length; i++) out[i] = s[2 + Math.floor((i - 2) * stride)];
  return out;
}

/** Weighted mean squared quantization error of `samples` (per channel) on the grid `range` gives `type`. */
function gridError(samples: Float32Array[], weights: Float64Array | undefined, range: TensorRange, type: QuantType): number {
  const p = computeParams(range, type, false);
  const [lo, hi] = typeLimits(type);
  const inv = 1 / p.scale;
  let total = 0;
  for (let c = 0; c < samples.length; c++) {
    const s = samples[c];
    if (!s.length) continue;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let q = Math.round(s[i] * inv) + p.zeroPoint;
      q = q < lo ? lo : q > hi ? hi : q;
      const d = (q - p.zeroPoint) * p.scale - s[i];
      sum += d * d;
    }
    total += (weights ? weights[c] : 1) * (sum / s.length);
  }
  return total;
}

/** The candidates for one value: each calibration method's range, and clipped versions of min/max. */
function candidates(byMethod: ReadonlyMap<CalibrationMethod, TensorRange>): [string, TensorRange][] {
  const out: [string, TensorRange][] = [...byMethod];
  const full = byMethod.get('minmax');
  if (full) {
    for (const f of CLIP_FRACTIONS) {
      out.push([`clip ${f}`, { min: full.min * f, max: full.max * f }]);
      out.push([`clip-max ${f}`, { min: full.min, max: full.max * f }]);
    }
  }
  return out;
}

/**
 * Calibrates `values` with every method at once (one pass over the data) and keeps, per value, the range whose
 * quantization leaves the least error in what reads it: squared error weighted per channel by the reading layer's
 * weights (see {@link channelWeights}), measured on a strided sample of the value's channels. Returns the ranges
 * (the caller's method's range where nothing was measured), each choice, and every method's ranges (the caller
 * scores these whole-model alternatives end to end: a local error can mislead when noise is amplified downstream).
 */
export async function searchRanges(model: Model, source: DataSource, values: readonly string[], options: RangeSearchOptions): Promise<{ ranges: Map<string, TensorRange>; choices: RangeChoice[]; byMethod: Map<CalibrationMethod, Map<string, TensorRange>> }> {
  const uses = usesOf(model.graph);
  // Batches the observation will run: examples (the data may hold fewer than the limit) over the batch size (a model
  // with a fixed batch dim runs that many at a time), so the per-channel sample spreads over all of them.
  const examples = Math.min(options.limit, source.count ?? options.limit);
  const dim = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))?.type;
  const fixed = dim?.kind === 'tensor' && typeof dim.shape?.[0] === 'number' && dim.shape[0] > 0 ? dim.shape[0] : undefined;
  const batches = Math.max(1, Math.ceil(examples / (fixed ?? options.batchSize ?? 32)));
  const collectors = new Map<string, Map<CalibrationMethod, Collector>>();
  const samplers = new Map<string, { sampler: ChannelSampler; weights?: Float64Array }>();
  for (const v of values) {
    collectors.set(v, new Map(CALIBRATION_METHODS.map((m) => [m, createCollector(m, {})])));
    const cw = channelWeights(model.graph, v, uses);
    samplers.set(v, { sampler: new ChannelSampler(cw?.axis ?? 1, Math.ceil(SAMPLES_PER_CHANNEL / batches)), ...(cw ? { weights: cw.weights } : {}) });
  }
  await observeValues(model, source, values, (name, t) => {
    if (!(t.data instanceof Float32Array) || !t.data.length) return;
    for (const c of collectors.get(name)!.values()) c.observe(t.data);
    samplers.get(name)!.sampler.observe(t);
  }, { limit: options.limit, ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.progress ? { progress: options.progress } : {}), label: 'searching activation ranges' });
  const ranges = new Map<string, TensorRange>();
  const choices: RangeChoice[] = [];
  const perMethod = new Map<CalibrationMethod, Map<string, TensorRange>>(CALIBRATION_METHODS.map((m) => [m, new Map()]));
  for (const v of values) {
    const byMethod = new Map<CalibrationMethod, TensorRange>();
    for (const [m, c] of collectors.get(v)!) {
      try {
        byMethod.set(m, c.range());
      } catch {
        // nothing finite seen by this collector
      }
    }
    for (const [m, r] of byMethod) perMethod.get(m)!.set(v, r);
    const base = byMethod.get(options.method);
    if (!base) continue;
    const type = options.types.get(v);
    const { sampler, weights } = samplers.get(v)!;
    let samples = sampler.channels();
    const total = samples.reduce((a, s) => a + s.length, 0);
    // Thinned evenly (the extremes, first, always stay).
    if (total > SAMPLES_PER_VALUE) samples = samples.map((s) => thin(s, Math.ceil((s.length * SAMPLES_PER_VALUE) / total)));
    // 16-bit grids: rounding noise is ~65,000× below 8-bit's, so clipping never pays; the method's range stays.
    if (!type || type.endsWith('16') || weights && weights.length !== samples.length || total === 0) {
      ranges.set(v, base);
      continue;
    }
    const before = gridError(samples, weights, base, type);
    let best: [string, TensorRange, number] = [options.method, base, before];
    for (const [label, range] of candidates(byMethod)) {
      const e = gridError(samples, weights, range, type);
      if (e < best[2]) best = [label, range, e];
    }
    ranges.set(v, best[1]);
    choices.push({ value: v, chosen: best[0], range: best[1], before, after: best[2] });
  }
  return { ranges, choices, byMethod: perMethod };
}
