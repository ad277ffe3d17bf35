// Turns an evaluation (figures, verdicts, per-layer analysis) into the HTML report's ReportData.
import { basename } from 'node:path';
import type { CandidateFidelity, ClassRecallData, ConfusionData, FidelityFigures, ReportData, ReportVariant } from './html/types.ts';
import { describeHost } from '../runtimes/host.ts';
import type { RuntimeInfo } from '../runtimes/runtime.ts';
import { describeRuntime } from '../runtimes/describe.ts';
import { classNamesOf, classRecall, type ClassifierAccuracy } from '../evaluate/classify.ts';
import type { Evaluation, ModelEvaluation, OutputFidelity } from '../evaluate/compare.ts';
import type { LayerAnalysis } from '../evaluate/per-layer.ts';
import { judgedFigures, worstPsnr, type Verdict } from '../evaluate/verdict.ts';

/**
 * ReportData for `writeHtmlReport`: one variant per model, each candidate's fidelity (judged figures and the runtime's),
 * the first candidate's per-layer chart and, with labels, per-class recall and the reference's confusion with class names.
 */
export function evaluationReportData(ev: Evaluation, verdicts: readonly Verdict[], layers: readonly { candidate: string; analysis: LayerAnalysis; exclude?: string[] }[] = []): ReportData {
  const names = new Set<string>();
  const nameOf = (m: ModelEvaluation): string => {
    const base = basename(m.path) + (m.scheme ? ` (${m.scheme})` : '');
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base} #${i}`;
    names.add(name);
    return name;
  };
  const variant = (m: ModelEvaluation, v?: Verdict): ReportVariant => ({
    name: nameOf(m),
    fileBytes: m.sizeBytes,
    ...(judgedFigures(m).accuracy ? { accuracy: judgedFigures(m).accuracy!.top1, top5: judgedFigures(m).accuracy!.top5 } : {}),
    ...(m.fidelity ? { psnrDb: worstPsnr(judgedFigures(m)) } : {}),
    ...(v ? { verdict: v.reason, verdictLevel: v.level } : {}),
  });
  const variants = [{ ...variant(ev.reference), reference: true }, ...ev.candidates.map((c, i) => variant(c, verdicts[i]))];
  const first = layers[0];
  const firstIndex = first ? ev.candidates.findIndex((c) => c.path === first.candidate) : -1;
  return {
    title: `ondevice evaluate: ${basename(ev.reference.path)}`,
    subtitle: `${ev.data}, ${ev.examples} examples`,
    variants,
    ...(first && firstIndex >= 0 ? {
      perLayer: {
        variant: variants[firstIndex + 1].name,
        layers: first.analysis.layers.map((l) => ({ name: l.node, op: l.op, sqnrDb: l.sqnr })),
        highlight: first.exclude ?? first.analysis.ranking.slice(0, 3).map((l) => l.node),
      },
    } : {}),
    ...(ev.reference.accuracy ? { confusion: confusionOf(variants[0].name, ev.reference.accuracy) } : {}),
    ...classRecallOf(ev),
    ...(ev.candidates.some((c) => c.fidelity) ? { fidelity: ev.candidates.flatMap((c, i) => (c.fidelity ? [candidateFidelity(c, i + 1, verdicts[i])] : [])) } : {}),
    notes: ev.candidates.flatMap((c, i) => [
      `${basename(c.path)}: ${verdicts[i].level} — ${verdicts[i].reason}`,
      ...(c.exact ? [`${basename(c.path)} on ${c.runtime}: PSNR ${worstPsnr(c).toFixed(1)} dB against the reference, ${worstPsnr({ ...c, fidelity: c.exact.kernelError }).toFixed(1)} dB against its exact execution`] : []),
      ...(verdicts[i].kernelWarning ? [`warning: ${verdicts[i].kernelWarning}`] : []),
    ]),
    environment: environmentOf(ev),
  };
}

/** Classes the matrix involves: held by the data (a row with examples) or predicted (a column with counts). */
function usedClasses(confusion: readonly (readonly number[])[]): number[] {
  return confusion.flatMap((row, c) => (row.some((x) => x > 0) || confusion.some((r) => r[c] > 0) ? [c] : []));
}

/** The confusion matrix over the classes that occur, with their names. */
function confusionOf(variant: string, acc: ClassifierAccuracy): ConfusionData {
  const used = usedClasses(acc.confusion);
  const names = classNamesOf(acc);
  return { variant, matrix: used.map((r) => used.map((c) => acc.confusion[r][c])), labels: used.map((c) => names[c]) };
}

/** Classes drawn at most in the recall chart (the lowest-recall ones when there are more). */
const MAX_RECALL_CLASSES = 40;

/** Per-class recall of the reference and every candidate's judged accuracy, over the classes the data holds. */
function classRecallOf(ev: Evaluation): { classRecall?: ClassRecallData } {
  const ref = ev.reference.accuracy;
  if (!ref || ref.count === 0) return {};
  const series = [ref, ...ev.candidates.map((c) => judgedFigures(c).accuracy)].flatMap((acc, variant) =>
    (acc ? [{ variant, recall: acc.recall ?? classRecall(acc.confusion) }] : []));
  const examples = ref.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  let held = examples.flatMap((n, c) => (n > 0 ? [c] : []));
  const lowest = (c: number): number => Math.min(...series.map((s) => s.recall[c] ?? 1));
  const note = held.length > MAX_RECALL_CLASSES ? `The ${MAX_RECALL_CLASSES} classes with the lowest recall of ${held.length} are shown.` : undefined;
  if (note) held = [...held].sort((a, b) => lowest(a) - lowest(b)).slice(0, MAX_RECALL_CLASSES);
  const names = classNamesOf(ref);
  return {
    classRecall: {
      classes: held.map((c) => names[c]),
      examples: held.map((c) => examples[c]),
      series: series.map((s) => ({ variant: s.variant, recall: held.map((c) => s.recall[c] ?? null) })),
      ...(note ? { note } : {}),
    },
  };
}

/** PSNR/SQNR per output and top-1/top-5 agreement, as the report draws them. */
function figures(source: string, fidelity: readonly OutputFidelity[]): FidelityFigures {
  const agreement = fidelity.find((f) => f.agreement)?.agreement;
  return {
    source,
    outputs: fidelity.map((f) => ({ output: f.output, psnrDb: f.psnr, sqnrDb: f.sqnr })),
    ...(agreement ? { top1Agreement: agreement.top1, top5Agreement: agreement.top5 } : {}),
  };
}

/** A candidate's judged fidelity (the exact execution's when it has one) and, then, its runtime's beside it. */
function candidateFidelity(c: ModelEvaluation, variant: number, v: Verdict | undefined): CandidateFidelity {
  const judged = figures(c.exact ? 'exact Q/DQ' : c.runtime, judgedFigures(c).fidelity ?? []);
  return { variant, judged, ...(c.exact ? { runtime: figures(c.runtime, c.fidelity ?? []) } : {}), ...(v ? { minPsnrDb: v.minPsnr } : {}) };
}

/** The host and every distinct runtime setting of an evaluation, as the report's 'Measured on' lines. */
export function environmentOf(ev: Evaluation): { host: string; runtimes: string[] } {
  const infos: RuntimeInfo[] = [ev.reference, ...ev.candidates].flatMap((m) => [m.runtimeInfo, ...(m.exact ? [m.exact.runtime] : [])]);
  return { host: describeHost(ev.host), runtimes: [...new Set(infos.map(describeRuntime))] };
}
