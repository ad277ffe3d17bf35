// The report lines of the PTQ steps: what each one changed and what that bought, measured on the calibration data.
import type { CalibrationMethod } from '../calibrate/calibrator.ts';
import type { PtqOutcome } from '../report.ts';
import type { RangeChoice } from './range-search.ts';
import type { CorrectedBias } from './bias-correction.ts';
import type { CleOutcome } from './cle.ts';
import type { RoundedWeight, SearchedWeight } from './weight-rounding.ts';

/** `10·log10(before/after)` in dB, 0 when nothing to compare. */
export function gainDb(before: number, after: number): number {
  return before > 0 && after > 0 ? 10 * Math.log10(before / after) : 0;
}

/** Median of a list (0 when empty). */
function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The report entry of range search: the per-tensor choices (which candidate won how often, the error they removed in the
 * reading layers) and the whole-model scores (output PSNR on the calibration data) that picked the ranges used.
 */
export function rangeSearchOutcome(choices: readonly RangeChoice[], method: CalibrationMethod, scored: readonly { label: string; psnr: number }[], used: string): PtqOutcome {
  const wins = new Map<string, number>();
  for (const c of choices) {
    const kind = c.chosen.replace(/ [\d.]+$/, '');
    wins.set(kind, (wins.get(kind) ?? 0) + 1);
  }
  const changed = choices.filter((c) => c.after < c.before);
  const gains = changed.map((c) => gainDb(c.before, c.after));
  const tally = [...wins].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  const scores = scored.map((s) => `${s.label} ${s.psnr.toFixed(1)}`).join(', ');
  return {
    step: 'range-search', weights: 0,
    summary: `used ${used === method ? `${method} (as asked)` : used} ranges: output PSNR on the calibration data ${scores} dB; `
      + `per-tensor choice for ${choices.length} activation(s) (${tally || 'none'}), ${changed.length} changed from ${method}, error in the reading layer ${median(gains).toFixed(1)} dB lower (median)`,
  };
}

/** The report entry of bias correction: the layers' mean output shifts and the output PSNR on the calibration data, before and after. */
export function biasCorrectionOutcome(corrected: readonly CorrectedBias[], psnrBefore: number, psnrAfter: number): PtqOutcome {
  const before = corrected.reduce((a, c) => a + c.before, 0) / Math.max(1, corrected.length);
  const after = corrected.reduce((a, c) => a + c.after, 0) / Math.max(1, corrected.length);
  const kept = psnrAfter >= psnrBefore;
  return {
    step: 'bias-correction', weights: 0,
    summary: corrected.length
      ? `${kept ? 'corrected' : 'left (the correction did not help)'} the biases of ${corrected.length} layer(s): output PSNR on the calibration data ${psnrBefore.toFixed(1)} → ${psnrAfter.toFixed(1)} dB; mean output shift per channel ${before.toPrecision(3)} → ${after.toPrecision(3)}`
      : 'no Conv/Gemm layer to correct',
  };
}

/** Median and range of per-layer gains `before/after` in dB, as text. */
function gainText(pairs: readonly { before: number; after: number }[]): string | undefined {
  const gains = pairs.filter((r) => r.before > 0).map((r) => gainDb(r.before, Math.max(r.after, Number.MIN_VALUE))).sort((a, b) => a - b);
  return gains.length ? `${median(gains).toFixed(1)} dB lower (median; range ${gains[0].toFixed(1)}–${gains[gains.length - 1].toFixed(1)} dB)` : undefined;
}

/** The report entry of GPTQ: how much layer-output error it removed against round-to-nearest, in dB. */
export function gptqOutcome(rounded: readonly RoundedWeight[]): PtqOutcome {
  const gains = gainText(rounded.map((r) => ({ before: r.nearestError, after: r.error })));
  return {
    step: 'gptq', weights: rounded.length,
    summary: gains ? `rounded ${rounded.length} weight tensor(s) by layer-output error; output error on the calibration inputs ${gains} than round-to-nearest` : `rounded ${rounded.length} weight tensor(s); nothing to compare (no input energy)`,
    layers: rounded.map((r) => ({ node: r.node, weight: r.weight, before: r.nearestError, after: r.error, power: r.power })),
  };
}

/**
 * The report entry of sequential MSE: how much layer-output error the chosen scales removed against min/max's, and the
 * model's output PSNR on the calibration data with each (the searched scales are kept only if it is not lower).
 */
export function seqMseOutcome(searched: readonly SearchedWeight[], psnr: { searched: number; minMax: number }): PtqOutcome {
  const changed = searched.filter((r) => r.after < r.before);
  const gains = gainText(changed);
  const kept = psnr.searched >= psnr.minMax;
  return {
    step: 'seq-mse', weights: kept ? changed.length : 0,
    summary: `searched the scales of ${searched.length} weight tensor(s), ${changed.length} changed${gains ? `: output error on the calibration inputs ${gains} than min/max scales` : ''}; `
      + `model output PSNR on the calibration data ${psnr.minMax.toFixed(1)} (min/max) → ${psnr.searched.toFixed(1)} dB (searched): ${kept ? 'kept' : 'left at min/max (the search did not help)'}`,
    layers: searched.map((r) => ({ node: r.node, weight: r.weight, before: r.before, after: r.after })),
  };
}

/** The report entry of cross-layer equalization: the pairs equalized and how much their channel spread shrank. */
export function cleOutcome(cle: CleOutcome): PtqOutcome {
  const ratios = cle.pairs.map((p) => p.spreadBefore / Math.max(p.spreadAfter, Number.MIN_VALUE));
  const chains = new Map<string, number>();
  for (const k of cle.skipped) chains.set(k.reason, (chains.get(k.reason) ?? 0) + 1);
  const stopped = [...chains].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([r, n]) => `${n} × ${r}`).join('; ');
  return {
    step: 'cle', weights: cle.pairs.length * 2,
    summary: `equalized ${cle.pairs.length} layer pair(s)${cle.pairs.length ? `, channel spread ${median(ratios).toFixed(1)}× narrower (median)` : ''}${cle.absorbedBias ? `, ${cle.absorbedBias} bias channel(s) absorbed into the next layer` : ''}${stopped ? `; not equalized: ${stopped}` : ''}`,
  };
}
