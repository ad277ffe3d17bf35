// The entropy collector (TensorRT-style): the |x| threshold whose 128-level quantization loses the least information (KL).
import type { Collector, TensorRange } from './calibrator.ts';
import { AbsHistogram, DEFAULT_BINS } from './histogram.ts';

/** Quantization levels on one side of zero for int8. */
export const INT8_LEVELS = 128;

/** Smoothing mass moved onto empty bins so KL stays finite (as ORT/MXNet smooth_distribution). */
const EPS = 1e-4;

/**
 * KL divergence between the reference p = histogram cut at `cut` bins (outliers folded into the last bin)
 * and q = p's bins quantized to `levels` levels and expanded back evenly over the non-empty bins; both
 * smoothed (empty bins get EPS, taken evenly from the others) and normalised. `outliers` = counts beyond the cut.
 * Works in place: two passes, no allocation (it runs for every candidate cut).
 */
export function divergenceAt(counts: Float64Array, cut: number, levels: number, outliers: number): number {
  const merged = Math.floor(cut / levels);
  const last = cut - 1;
  // Pass 1: zeros and sums of p and q (q's mass per level is the sum of its bins' counts, outliers excluded).
  let zerosP = 0;
  let zerosQ = 0;
  let sumQ = 0;
  for (let j = 0; j < levels; j++) {
    const start = j * merged;
    const stop = j === levels - 1 ? cut : start + merged;
    let mass = 0;
    let nonzero = 0;
    for (let i = start; i < stop; i++) {
      const c = counts[i];
      mass += c;
      if (c !== 0 || (i === last && outliers !== 0)) nonzero++;
    }
    zerosP += stop - start - nonzero;
    if (mass === 0) zerosQ += stop - start;
    else {
      zerosQ += stop - start - nonzero;
      sumQ += mass;
    }
  }
  if (zerosP === cut || zerosQ === cut) return Infinity;
  let sumP = outliers;
  for (let i = 0; i < cut; i++) sumP += counts[i];
  const takeP = (EPS * zerosP) / (cut - zerosP);
  const takeQ = (EPS * zerosQ) / (cut - zerosQ);
  // Pass 2: KL over the smoothed, normalised distributions (smoothing keeps each sum unchanged).
  // An empty p bin has an empty q bin: both smooth to EPS, contributing EPS/sumP·log(sumQ/sumP) each.
  const logRatio = Math.log(sumQ / sumP);
  let kl = (zerosP * EPS * logRatio) / sumP;
  for (let j = 0; j < levels; j++) {
    const start = j * merged;
    const stop = j === levels - 1 ? cut : start + merged;
    let mass = 0;
    let nonzero = 0;
    for (let i = start; i < stop; i++) {
      const c = counts[i];
      mass += c;
      if (c !== 0 || (i === last && outliers !== 0)) nonzero++;
    }
    if (nonzero === 0) continue;
    const qs = mass === 0 ? EPS : mass / nonzero - takeQ;
    if (qs <= 0) return Infinity;
    const logQ = Math.log(qs);
    for (let i = start; i < stop; i++) {
      const pi = i === last ? counts[i] + outliers : counts[i];
      if (pi === 0) continue;
      const ps = pi - takeP;
      if (ps <= 0) return Infinity;
      kl += (ps / sumP) * (Math.log(ps) - logQ + logRatio);
    }
  }
  return kl;
}

/** Range [-t, t] (clipped to the observed min/max) where t minimises the KL divergence of int8 quantization. */
export class EntropyCollector implements Collector {
  private readonly histogram: AbsHistogram;

  constructor(readonly levels = INT8_LEVELS, bins = DEFAULT_BINS) {
    if (bins < levels) throw new RangeError(`entropy needs at least ${levels} bins, got ${bins}`);
    this.histogram = new AbsHistogram(bins);
  }

  observe(values: Float32Array): void {
    this.histogram.observe(values);
  }

  range(): TensorRange {
    const h = this.histogram;
    if (h.total === 0) throw new Error('entropy: no finite values observed');
    if (h.edge === 0) return h.clippedRange(0);
    let best = h.bins;
    let bestKl = Infinity;
    let outliers = 0; // counts beyond the cut, i.e. in bins [cut, bins)
    for (let i = this.levels; i < h.bins; i++) outliers += h.counts[i];
    for (let cut = this.levels; cut <= h.bins; cut++) {
      const kl = divergenceAt(h.counts, cut, this.levels, outliers);
      if (cut < h.bins) outliers -= h.counts[cut];
      if (kl < bestKl) {
        bestKl = kl;
        best = cut;
      }
    }
    return h.clippedRange(best * h.width);
  }
}
