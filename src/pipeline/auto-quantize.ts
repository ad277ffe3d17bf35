// `quantize --auto --budget`: search schemes, PTQ steps and per-layer precision for the smallest model that meets a fidelity budget on held-out data.
import type { DataSource } from '../data/source.ts';
import { UsageError } from '../errors.ts';
import { decodeOnnx, encodeOnnx } from '../formats/onnx/index.ts';
import type { Model } from '../ir/graph.ts';
import { quantizeModel, type QuantizeResult } from '../quantize/quantize.ts';
import { PTQ_STEPS, SCHEMES, STATIC_SCHEMES, type PtqStep, type QuantizeOptions, type Scheme } from '../quantize/schemes.ts';
import { silentProgress, type Progress } from '../util/progress.ts';
import { measureCandidate, quantizeMixedPrecision } from './mixed-precision.ts';
import type { ReportData, ReportVariant } from '../report/html/types.ts';

/** What the chosen model must keep: output PSNR against float (dB), or at most this many points of top-1 accuracy lost. */
export type Budget = { psnr: number } | { drop: number };

/** Parses `psnr=35` or `drop=0.5`; anything else → UsageError. */
export function parseBudget(text: string): Budget {
  const m = /^(psnr|drop)=([0-9]*\.?[0-9]+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--budget takes psnr=DB or drop=POINTS (e.g. psnr=35, drop=0.5), got '${text}'`);
  const value = Number(m[2]);
  if (m[1] === 'psnr') {
    if (!(value > 0)) throw new UsageError(`--budget psnr must be a positive number of dB, got ${m[2]}`);
    return { psnr: value };
  }
  return { drop: value };
}

/** The budget as text, e.g. `PSNR ≥ 35 dB`. */
export function budgetText(b: Budget): string {
  return 'psnr' in b ? `PSNR ≥ ${b.psnr} dB` : `top-1 accuracy drop ≤ ${b.drop} points`;
}

/** Options of {@link quantizeAuto}. */
export interface AutoOptions {
  budget: Budget;
  /** Held-out data the budget is judged on (never the calibration data). */
  validation: DataSource;
  /** Validation examples (default 32). */
  examples?: number;
  /** Schemes to try (default every static scheme), tried smallest weights first, 8-bit activations before 16-bit. */
  schemes?: Scheme[];
  progress?: Progress;
  /** Told each candidate as it is measured (the CLI prints a line). */
  onCandidate?: (c: AutoCandidate) => void;
}

/** One configuration the search measured. */
export interface AutoCandidate {
  scheme: Scheme;
  ptq: PtqStep[];
  /** Activations lifted by mixed precision (to 16 bits, or to float when the scheme's are already 16-bit); 0 for none. */
  lifted: number;
  /** Int4 schemes: layers whose weights were kept at int8 (mixed weight precision, the noisiest at 4 bits); 0 for none. */
  int8Layers?: number;
  liftedTo?: '16bit' | 'float';
  psnr: number;
  /** Top-1 accuracy and its drop against float in points, where the validation data is labelled. */
  accuracy?: number;
  drop?: number;
  bytes: number;
  /** Size against the float model's. */
  sizeRatio: number;
  seconds: number;
  met: boolean;
  /** On the Pareto front of size (smaller) and PSNR (higher) among all candidates. */
  pareto?: boolean;
}

/** What the search did: every candidate, the one chosen, and whether the budget was met. */
export interface AutoOutcome {
  budget: string;
  floatBytes: number;
  referenceAccuracy?: number;
  candidates: AutoCandidate[];
  /** Index of the chosen candidate (the smallest that met the budget, the most faithful of equal size; else the closest). */
  chosen: number;
  met: boolean;
}

/**
 * The most the PTQ ladder is expected to add to a scheme's plain PSNR (measured: GPTQ +12.8 dB on PaddleOCR cls QNN
 * w8a16, seq-mse+gptq +8.8 dB on PP-OCRv4 det w8a16): a scheme further below the budget skips its ladder.
 */
const MAX_PTQ_GAIN_DB = 15;

/** Bisection rounds of mixed weight precision at most (each quantizes the model with seq-mse and GPTQ once). */
const MIX_WEIGHT_ROUNDS = 6;

/**
 * The layers GPTQ rounded in an int4 model, noisiest first by their own int4 noise: the layer-output error against the
 * layer's output power (both on the calibration inputs). Layers GPTQ cannot round (blocked weights, grouped
 * ConvTranspose, 3-D convs) are not ranked and stay int4. Empty without a GPTQ record.
 */
function noisiestAtFourBits(report: QuantizeResult['report']): string[] {
  return (report.ptq?.find((p) => p.step === 'gptq')?.layers ?? [])
    .filter((l) => l.power)
    .sort((a, b) => b.after / b.power! - a.after / a.power!)
    .map((l) => l.node);
}

/** Weight bits of a static scheme: what the model's size follows. */
function weightBits(s: Scheme): number {
  return s.startsWith('w4') ? 4 : 8;
}

/**
 * The PTQ ladder tried per scheme, cheapest first: nothing, bias correction (~15 s on PP-OCRv4 det, and the largest
 * single gain there: w8a16 27.9 → 38.4 dB), then weight grids (seq-mse), then GPTQ's rounding on them and, for 8-bit
 * activations, range search. Each rung keeps the previous rung's steps.
 */
function ladder(scheme: Scheme): PtqStep[][] {
  const rungs: PtqStep[][] = [[], ['bias-correction'], ['seq-mse', 'bias-correction'], ['seq-mse', 'gptq', 'bias-correction']];
  if (scheme.endsWith('a8')) rungs.push(['range-search', 'seq-mse', 'gptq', 'bias-correction']);
  return rungs.map((r) => PTQ_STEPS.filter((s) => r.includes(s)));
}

/**
 * The PTQ steps of the mixed-precision rounds, from the best candidate's: bias correction always (it keeps itself only
 * when it helps, and with the first activations at 16 bits it is what reaches the budget: PP-OCRv4 det w8a8 with 29 of
 * 225 activations lifted, 28.8 → 30.7 dB on calibration pages), range search never (it re-scores every tensor end to end,
 * minutes a round on det, and lifted tensors change what it scores).
 */
function mixedPrecisionSteps(best: readonly PtqStep[]): PtqStep[] {
  return PTQ_STEPS.filter((s) => s === 'bias-correction' || (s !== 'range-search' && best.includes(s)));
}

/** Marks the candidates on the Pareto front of size (smaller) and PSNR (higher). */
function markPareto(cs: AutoCandidate[]): void {
  for (const c of cs) c.pareto = !cs.some((o) => o !== c && o.bytes <= c.bytes && o.psnr >= c.psnr && (o.bytes < c.bytes || o.psnr > c.psnr));
}

/**
 * Searches for the smallest quantized model that meets `auto.budget` on held-out data: static schemes by weight size
 * (int4 before int8; 8-bit activations before 16-bit at equal size), each with the PTQ ladder (see {@link ladder};
 * skipped when the plain scheme is more than {@link MAX_PTQ_GAIN_DB} below a PSNR budget);
 * before giving up int4 weights, the layers 4 bits hurt most keep int8 (see mixWeights); when no configuration meets
 * the budget, mixed precision from the best int8 one lifts the first activations in topological order to 16 bits
 * (bisection over the prefix: on PP-OCRv4 det the early backbone is where 8 bits hurt, and per-layer sensitivity
 * lifting 90 of 225 stopped at 25.9 dB where the prefix met 30 with 29) until it does. Every candidate is measured by
 * exact Q/DQ execution against the float model.
 * Returns the chosen model: of those that met the budget, the fewest weight bits, then 8-bit activations (faster), then
 * the fewest layers kept at int8, then the highest PSNR; else the closest one, with `met: false`.
 */
export async function quantizeAuto(model: Model, options: Omit<QuantizeOptions, 'scheme' | 'ptq'>, auto: AutoOptions): Promise<QuantizeResult & { auto: AutoOutcome }> {
  if (!options.calibration) throw new UsageError('--auto needs calibration data (--calibration DATA)');
  if (auto.validation === options.calibration.source) throw new UsageError('--auto needs held-out --validation data, not the calibration data');
  const schemes = (auto.schemes ?? STATIC_SCHEMES.filter((s) => (SCHEMES as readonly string[]).includes(s)))
    .filter((s) => STATIC_SCHEMES.includes(s))
    .sort((a, b) => weightBits(a) - weightBits(b) || Number(a.endsWith('16')) - Number(b.endsWith('16')));
  if (!schemes.length) throw new UsageError(`--auto searches static schemes (${STATIC_SCHEMES.join(', ')})`);
  const bytes = encodeOnnx(model);
  const copy = () => decodeOnnx(bytes, '<memory>');
  const float = copy();
  const examples = auto.examples ?? 32;
  const batchSize = Math.min(options.calibration.batchSize ?? 32, examples);
  const progress = auto.progress ?? silentProgress;
  const candidates: AutoCandidate[] = [];
  const models: (QuantizeResult | undefined)[] = [];
  // Every candidate's report (small, unlike its model): mixed weight precision ranks layers from one.
  const reports: QuantizeResult['report'][] = [];
  let referenceAccuracy: number | undefined;
  // Of those that meet the budget: fewest weight bits, then 8-bit activations, then fewest layers kept at int8 (mixed
  // weights cost size), then the highest PSNR; else the closest.
  const chooseIndex = (): number => {
    const indexed = candidates.map((c, i) => [c, i] as const);
    const met = indexed.filter(([c]) => c.met);
    return met.length
      ? met.sort(([a], [b]) => weightBits(a.scheme) - weightBits(b.scheme) || Number(a.scheme.endsWith('16')) - Number(b.scheme.endsWith('16')) || (a.int8Layers ?? 0) - (b.int8Layers ?? 0) || b.psnr - a.psnr)[0][1]
      : indexed.sort(([a], [b]) => ('psnr' in auto.budget ? b.psnr - a.psnr : (a.drop ?? Infinity) - (b.drop ?? Infinity)))[0][1];
  };
  const meets = (c: Pick<AutoCandidate, 'psnr' | 'drop'>): boolean => ('psnr' in auto.budget ? c.psnr >= auto.budget.psnr : c.drop !== undefined && c.drop <= auto.budget.drop);
  const judge = async (result: QuantizeResult, scheme: Scheme, ptq: PtqStep[], started: number, lifted = 0, liftedTo?: '16bit' | 'float', int8Layers = 0): Promise<AutoCandidate> => {
    const figures = await measureCandidate(float, result.model, auto.validation, examples, batchSize);
    if ('drop' in auto.budget && figures.accuracy === undefined) throw new UsageError(`--budget drop=… needs labelled validation data (${auto.validation.description} has no labels): use psnr=…`);
    referenceAccuracy = figures.referenceAccuracy;
    const size = encodeOnnx(result.model).byteLength;
    const c: AutoCandidate = {
      scheme, ptq, lifted, ...(liftedTo ? { liftedTo } : {}), ...(int8Layers ? { int8Layers } : {}), psnr: figures.psnr,
      ...(figures.accuracy !== undefined ? { accuracy: figures.accuracy, drop: 100 * (figures.referenceAccuracy! - figures.accuracy) } : {}),
      bytes: size, sizeRatio: size / bytes.byteLength, seconds: (Date.now() - started) / 1000, met: false,
    };
    c.met = meets(c);
    candidates.push(c);
    models.push(result);
    reports.push(result.report);
    // Only a candidate that could still be chosen keeps its model in memory.
    const keep = chooseIndex();
    models.forEach((_, i) => { if (i !== keep) models[i] = undefined; });
    auto.onCandidate?.(c);
    return c;
  };
  // Mixed weight precision: from the best int4 candidate, the layers 4 bits hurt most keep int8 weights. Bisection over
  // how many (ranked once by each layer's own int4 noise, GPTQ's output error against its output power).
  const mixWeights = async (best: AutoCandidate): Promise<void> => {
    const ptq = PTQ_STEPS.filter((s) => s === 'seq-mse' || s === 'gptq' || (s !== 'range-search' && best.ptq.includes(s)));
    const attempt = async (int8Weights: string[]) => {
      const started = Date.now();
      const result = await quantizeModel(copy(), { ...options, scheme: best.scheme, ptq, int8Weights, progress });
      return { result, candidate: await judge(result, best.scheme, ptq, started, 0, undefined, int8Weights.length) };
    };
    // The best candidate's own record serves when it ran the same steps; else one more quantization ranks the layers.
    const ranking = noisiestAtFourBits(ptq.join() === best.ptq.join() ? reports[candidates.indexOf(best)] : (await attempt([])).result.report);
    if (candidates.some((c) => c.met) || !ranking.length) return;
    let lo = 0, hi = ranking.length;
    const resolution = Math.max(1, Math.ceil(ranking.length / 32));
    for (let round = 0; hi - lo > resolution && round < MIX_WEIGHT_ROUNDS; round++) {
      const mid = (lo + hi) >> 1;
      if ((await attempt(ranking.slice(0, mid))).candidate.met) hi = mid; else lo = mid;
    }
  };
  // Once, when the int4 schemes are done (before the first 8-bit-weight scheme, or at the end) and none met the budget.
  let mixed = false;
  const mixOnce = async (): Promise<boolean> => {
    if (mixed || !('psnr' in auto.budget) || candidates.some((c) => c.met)) return candidates.some((c) => c.met);
    mixed = true;
    const best = candidates.filter((c) => weightBits(c.scheme) === 4).sort((a, b) => b.psnr - a.psnr)[0];
    if (best && best.psnr >= auto.budget.psnr - MAX_PTQ_GAIN_DB) await mixWeights(best);
    return candidates.some((c) => c.met);
  };
  search: for (const scheme of schemes) {
    if (weightBits(scheme) === 8 && (await mixOnce())) break;
    let met = false;
    for (const ptq of ladder(scheme)) {
      const started = Date.now();
      const result = await quantizeModel(copy(), { ...options, scheme, ptq, progress });
      const c = await judge(result, scheme, ptq, started);
      // The scheme that first meets the budget finishes its ladder (same size, more margin); larger schemes are not tried.
      met ||= c.met;
      // A scheme whose plain result is further from a PSNR budget than PTQ has ever bought is not worth its ladder.
      if (!ptq.length && 'psnr' in auto.budget && c.psnr < auto.budget.psnr - MAX_PTQ_GAIN_DB) continue search;
    }
    if (met) break;
  }
  await mixOnce();
  if (!candidates.some((c) => c.met) && 'psnr' in auto.budget) {
    // Per-layer precision: from the best 8-bit-weight candidate, lift the first activations (see mixedPrecisionSteps).
    const best = candidates.filter((c) => weightBits(c.scheme) === 8).sort((a, b) => b.psnr - a.psnr)[0];
    if (best) {
      const started = Date.now();
      const ptq = mixedPrecisionSteps(best.ptq);
      const result = await quantizeMixedPrecision(copy(), { ...options, scheme: best.scheme, ptq, progress }, { targetPsnr: auto.budget.psnr, validation: auto.validation, examples, strategy: 'prefix' });
      const mp = result.report.mixedPrecision;
      // Counted as written: the activations quantized to 16 bits (a lifted value that is fused or never quantized is not one).
      const lifted = mp?.lift === '16bit' ? result.report.activations?.sixteenBit ?? mp.lifted.length : mp?.lifted.length ?? 0;
      await judge(result, best.scheme, ptq, started, lifted, mp?.lift);
    }
  }
  markPareto(candidates);
  const chosen = chooseIndex();
  const outcome: AutoOutcome = { budget: budgetText(auto.budget), floatBytes: bytes.byteLength, ...(referenceAccuracy !== undefined ? { referenceAccuracy } : {}), candidates, chosen, met: candidates.some((c) => c.met) };
  return { ...models[chosen]!, auto: outcome };
}

/** The search as lines of text: one per candidate (chosen and Pareto marked), then the verdict. */
export function formatAutoOutcome(o: AutoOutcome): string[] {
  const lines = [`auto: budget ${o.budget}; float model ${(o.floatBytes / 1024).toFixed(0)} KiB${o.referenceAccuracy !== undefined ? `, top-1 ${(100 * o.referenceAccuracy).toFixed(2)}%` : ''}`];
  o.candidates.forEach((c, i) => {
    const lift = (c.lifted ? ` + ${c.lifted} activation(s) to ${c.liftedTo === 'float' ? 'float' : '16 bits'}` : '') + (c.int8Layers ? ` + ${c.int8Layers} layer(s) with int8 weights` : '');
    const acc = c.accuracy !== undefined ? `, top-1 ${(100 * c.accuracy).toFixed(2)}% (drop ${c.drop!.toFixed(2)})` : '';
    lines.push(`  ${i === o.chosen ? '→' : ' '} ${c.scheme.padEnd(5)} ${(c.ptq.join('+') || 'no ptq') + lift}: PSNR ${c.psnr.toFixed(1)} dB${acc}, ${(100 * c.sizeRatio).toFixed(1)}% of float, ${c.seconds.toFixed(0)} s${c.met ? ' ✓' : ''}${c.pareto ? ' (Pareto)' : ''}`);
  });
  lines.push(o.met ? `auto: chose ${o.candidates[o.chosen].scheme}, the smallest that meets ${o.budget}` : `auto: NO configuration meets ${o.budget}; wrote the closest (${o.candidates[o.chosen].psnr.toFixed(1)} dB)`);
  return lines;
}

/** The search as HTML report data: the float model and every candidate, with PSNR against size (Pareto front drawn). */
export function autoReportData(o: AutoOutcome, model: string): ReportData {
  const variants: ReportVariant[] = [
    { name: 'float32', fileBytes: o.floatBytes, reference: true, ...(o.referenceAccuracy !== undefined ? { accuracy: o.referenceAccuracy } : {}) },
    ...o.candidates.map((c, i): ReportVariant => ({
      name: `${c.scheme}${c.ptq.length ? ` ${c.ptq.join('+')}` : ''}${c.lifted ? ` +${c.lifted} lifted` : ''}${c.int8Layers ? ` +${c.int8Layers} int8 layers` : ''}`,
      fileBytes: c.bytes, psnrDb: c.psnr, ...(c.accuracy !== undefined ? { accuracy: c.accuracy } : {}),
      verdict: `${c.met ? 'meets' : 'misses'} ${o.budget}${i === o.chosen ? ' (chosen)' : ''}${c.pareto ? ', Pareto' : ''}`,
      verdictLevel: c.met ? 'pass' : 'fail',
    })),
  ];
  return {
    title: `quantize --auto: ${model}`, subtitle: `budget ${o.budget}, judged on held-out data by exact Q/DQ execution`, variants, psnrScatter: true,
    notes: [o.met ? `chosen: ${variants[o.chosen + 1].name}, the smallest that meets the budget` : `no configuration meets ${o.budget}: the closest was written`],
  };
}
