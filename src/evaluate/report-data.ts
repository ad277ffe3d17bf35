// Turns an evaluation (figures, verdicts, per-layer analysis) into the HTML report's ReportData.
import { basename } from 'node:path';
import type { ReportData, ReportVariant } from '../report/html/types.ts';
import { describeHost } from '../runtimes/host.ts';
import type { RuntimeInfo } from '../runtimes/runtime.ts';
import { describeRuntime } from '../runtimes/describe.ts';
import type { Evaluation, ModelEvaluation } from './compare.ts';
import type { LayerAnalysis } from './per-layer.ts';
import { judgedFigures, worstPsnr, type Verdict } from './verdict.ts';

/** ReportData for `writeHtmlReport`: one variant per model, the first candidate's per-layer chart, the reference's confusion. */
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
    ...(ev.reference.accuracy ? { confusion: { variant: variants[0].name, matrix: ev.reference.accuracy.confusion } } : {}),
    notes: ev.candidates.flatMap((c, i) => [
      `${basename(c.path)}: ${verdicts[i].level} — ${verdicts[i].reason}`,
      ...(c.exact ? [`${basename(c.path)} on ${c.runtime}: PSNR ${worstPsnr(c).toFixed(1)} dB against the reference, ${worstPsnr({ ...c, fidelity: c.exact.kernelError }).toFixed(1)} dB against its exact execution`] : []),
      ...(verdicts[i].kernelWarning ? [`warning: ${verdicts[i].kernelWarning}`] : []),
    ]),
    environment: environmentOf(ev),
  };
}

/** The host and every distinct runtime setting of an evaluation, as the report's 'Measured on' lines. */
export function environmentOf(ev: Evaluation): { host: string; runtimes: string[] } {
  const infos: RuntimeInfo[] = [ev.reference, ...ev.candidates].flatMap((m) => [m.runtimeInfo, ...(m.exact ? [m.exact.runtime] : [])]);
  return { host: describeHost(ev.host), runtimes: [...new Set(infos.map(describeRuntime))] };
}
