// Verdicts: documented, configurable gates turn a candidate's figures into 'pass' | 'warn' | 'fail' with the reason.
import type { ModelEvaluation } from './compare.ts';

/** The outcome for one candidate. */
export type VerdictLevel = 'pass' | 'warn' | 'fail';

/** A verdict and why. */
export interface Verdict {
  level: VerdictLevel;
  /** One line: the gate that decided, with the figures (e.g. 'PSNR 27.1 dB < 30 dB (w8a8)'). */
  reason: string;
  /** The PSNR gate that applied, in dB. */
  minPsnr: number;
  /** Whose figures were judged: the exact execution (the model's own error, the same on every host) or the runtime's. */
  judged: 'exact' | 'runtime';
  /** The runtime's kernels lose fidelity the model does not (from the exact execution), with the cause and the fix. */
  kernelWarning?: string;
}

/**
 * The gates. A candidate fails when its lowest per-output PSNR is under the gate for its scheme, or when
 * its top-1 accuracy is more than `maxAccuracyDrop` points under the reference's. It is only a warning
 * when the PSNR is within `warnMarginDb` above the gate or the accuracy drop exceeds `warnAccuracyDrop`.
 */
export interface VerdictGates {
  /** Minimum PSNR in dB per scheme (from the `ondevice.quantization` metadata). */
  minPsnrByScheme: Record<string, number>;
  /** Minimum PSNR for models without a known scheme. */
  minPsnr: number;
  /** Largest allowed drop in top-1 accuracy, in percentage points. */
  maxAccuracyDrop: number;
  /** Warn when PSNR is less than this many dB above its gate. */
  warnMarginDb: number;
  /** Warn when the top-1 drop exceeds this many points (but not the maximum). */
  warnAccuracyDrop: number;
}

/**
 * Defaults: int8 schemes ≥ 30 dB, fp16 ≥ 45 dB, 4-bit weights ≥ 25 dB, anything else ≥ 30 dB;
 * accuracy drop ≤ 1 point (warn above 0.5); warn within 3 dB of the PSNR gate.
 */
export const DEFAULT_GATES: Readonly<VerdictGates> = {
  minPsnrByScheme: { 'fp16': 45, 'int8-dynamic': 30, 'w8a8': 30, 'w8a16': 30, 'w4': 25, 'w4a8': 25, 'w4a16': 25 },
  minPsnr: 30,
  maxAccuracyDrop: 1,
  warnMarginDb: 3,
  warnAccuracyDrop: 0.5,
};

/** Gates with the given overrides applied to the defaults. */
export function resolveGates(overrides: Partial<VerdictGates> = {}): VerdictGates {
  return { ...DEFAULT_GATES, ...overrides, minPsnrByScheme: { ...DEFAULT_GATES.minPsnrByScheme, ...overrides.minPsnrByScheme } };
}

/** The figures a verdict judges: the exact execution's for a quantized candidate that has one, else the runtime's. */
export function judgedFigures(candidate: ModelEvaluation): ModelEvaluation {
  const exact = candidate.exact;
  return exact ? { ...candidate, accuracy: exact.accuracy, fidelity: exact.fidelity } : candidate;
}

/** Lowest PSNR over a candidate's outputs (Infinity when identical or not measured). */
export function worstPsnr(candidate: ModelEvaluation): number {
  return Math.min(Infinity, ...(candidate.fidelity ?? []).map((f) => f.psnr));
}

/** Top-1 accuracy drop of the candidate vs the reference in percentage points, or undefined without labels. */
export function accuracyDrop(reference: ModelEvaluation, candidate: ModelEvaluation): number | undefined {
  if (!reference.accuracy || !candidate.accuracy) return undefined;
  // Rounded to 1e-9 points: 0.992 − 0.982 is 0.010000000000000009 in binary, and a drop of exactly 1 point must pass a ≤ 1 gate.
  return Math.round((reference.accuracy.top1 - candidate.accuracy.top1) * 100 * 1e9) / 1e9;
}

/**
 * Applies the gates to one candidate. A quantized candidate with an exact execution is judged on it — its own
 * quantization error, the same on every CPU — and a runtime that loses more is reported as `kernelWarning`.
 */
export function verdict(reference: ModelEvaluation, candidate: ModelEvaluation, gates: VerdictGates = resolveGates()): Verdict {
  const exact = candidate.exact;
  const judged = exact ? 'exact' : 'runtime';
  const extra = exact?.warning ? { kernelWarning: exact.warning } : {};
  const v = judge(reference, judgedFigures(candidate), gates);
  return { ...v, reason: exact ? `${v.reason} (exact Q/DQ execution)` : v.reason, judged, ...extra };
}

function judge(reference: ModelEvaluation, candidate: ModelEvaluation, gates: VerdictGates): Omit<Verdict, 'judged'> {
  const scheme = candidate.scheme;
  const minPsnr = (scheme !== undefined ? gates.minPsnrByScheme[scheme] : undefined) ?? gates.minPsnr;
  const psnr = worstPsnr(candidate);
  const drop = accuracyDrop(reference, candidate);
  const gateName = `${minPsnr} dB${scheme ? ` (${scheme})` : ''}`;
  const fails: string[] = [], warns: string[] = [];
  if (psnr < minPsnr) fails.push(`PSNR ${psnr.toFixed(1)} dB < ${gateName}`);
  else if (psnr < minPsnr + gates.warnMarginDb) warns.push(`PSNR ${psnr.toFixed(1)} dB within ${gates.warnMarginDb} dB of ${gateName}`);
  if (drop !== undefined) {
    if (drop > gates.maxAccuracyDrop) fails.push(`top-1 drops ${drop.toFixed(2)} points > ${gates.maxAccuracyDrop}`);
    else if (drop > gates.warnAccuracyDrop) warns.push(`top-1 drops ${drop.toFixed(2)} points > ${gates.warnAccuracyDrop}`);
  }
  if (fails.length) return { level: 'fail', reason: fails.join('; '), minPsnr };
  if (warns.length) return { level: 'warn', reason: warns.join('; '), minPsnr };
  const psnrText = Number.isFinite(psnr) ? `${psnr.toFixed(1)} dB` : 'identical outputs';
  return { level: 'pass', reason: `PSNR ${psnrText} ≥ ${gateName}${drop !== undefined ? `, top-1 drop ${drop.toFixed(2)} ≤ ${gates.maxAccuracyDrop} points` : ''}`, minPsnr };
}
