// Builds the self-contained HTML report (inline CSS and SVG, nothing fetched) and writes it atomically.
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { agreementChart } from './charts/agreement.ts';
import { classRecallChart } from './charts/class-recall.ts';
import { confusionChart } from './charts/confusion.ts';
import { fidelityChart } from './charts/fidelity.ts';
import { latencyHistogram, sharedLatencyRange } from './charts/histogram.ts';
import { layerSqnrChart } from './charts/layer-sqnr.ts';
import { scatterChart } from './charts/scatter.ts';
import { REPORT_CSS } from './style.ts';
import { summaryTable, variantP50 } from './summary-table.ts';
import { esc, PALETTE } from './svg.ts';
import type { ReportData } from './types.ts';

function section(title: string, body: string, caption?: string, wide = false): string {
  return `<section${wide ? ' class="wide"' : ''}><h2>${esc(title)}</h2>${body}${caption ? `<p class="caption">${caption}</p>` : ''}</section>`;
}

/** The report as one HTML document string. */
export function renderHtmlReport(data: ReportData): string {
  const color = (i: number): string => PALETTE[i % PALETTE.length];
  const sections: string[] = [];
  const notes = (data.notes ?? []).map((n) => `<p class="caption">${esc(n)}</p>`).join('');
  sections.push(section('Summary', summaryTable(data.variants) + notes, undefined, true));
  for (const t of data.tables ?? []) {
    const head = `<tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
    const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
    sections.push(section(t.title, `<div class="table-scroll"><table class="task-metrics">${head}${rows}</table></div>`, t.caption && esc(t.caption), true));
  }

  const points = data.variants.flatMap((v, i) => (v.accuracy === undefined ? []
    : [{ name: v.name, fileBytes: v.fileBytes, accuracy: v.accuracy, latencyMs: variantP50(v), color: color(i) }]));
  const fidelity = data.fidelity ?? [];
  if (points.length || !fidelity.length) {
    sections.push(section('Accuracy vs size vs latency', scatterChart(points),
      'Up and to the left is better. Bubbles on the dashed line are Pareto-optimal: no other variant is both smaller and more accurate.'));
  }
  const psnrPoints = data.variants.flatMap((v, i) => (v.psnrDb === undefined || !Number.isFinite(v.psnrDb) ? []
    : [{ name: v.name, fileBytes: v.fileBytes, accuracy: v.psnrDb, latencyMs: variantP50(v), color: color(i) }]));
  if (data.psnrScatter && psnrPoints.length) {
    sections.push(section('PSNR vs size', scatterChart(psnrPoints, 'psnr'),
      'Up and to the left is better. Bubbles on the dashed line are Pareto-optimal: no other variant is both smaller and closer to the float model.'));
  }
  if (data.confusion) {
    sections.push(section(`Confusion matrix — ${data.confusion.variant}`, confusionChart(data.confusion),
      'Rows are true labels, columns predictions; shade is the share of the true label\'s examples (blue: correct, red: mistaken).'));
  }
  if (data.classRecall) {
    sections.push(section('Per-class recall', classRecallChart(data.classRecall, data.variants.map((v, i) => ({ name: v.name, color: color(i) }))),
      `Share of each true class\'s examples predicted as it (example count in brackets; the figure on the right is the lowest recall of the class).${data.classRecall.note ? ` ${esc(data.classRecall.note)}` : ''}`));
  }
  for (const f of fidelity) {
    const name = data.variants[f.variant]?.name ?? `candidate ${f.variant}`;
    sections.push(section(`Fidelity — ${name}`, fidelityChart(name, f, color(f.variant)),
      `PSNR and SQNR of each output against the reference's, in dB: solid bars are the figures the verdict judges (${esc(f.judged.source)})`
      + `${f.runtime ? `, faint bars ${esc(f.runtime.source)}'s own` : ''}; the dashed line is the PSNR gate.`));
  }
  if (fidelity.some((f) => f.judged.top1Agreement !== undefined)) {
    const bars = fidelity.map((f) => ({ name: data.variants[f.variant]?.name ?? `candidate ${f.variant}`, color: color(f.variant), fidelity: f }));
    sections.push(section('Top-1 agreement with the reference', agreementChart(bars),
      'Share of examples whose highest-scoring class is the reference\'s — needs no labels. Solid: the judged figures; faint: the runtime\'s own.'));
  }

  if (data.perLayer) {
    sections.push(section(`Per-layer SQNR — ${data.perLayer.variant}`, layerSqnrChart(data.perLayer),
      'Signal-to-quantization-noise ratio of each layer\'s output against the float model; highlighted layers lose the most.', true));
  }
  const withSamples = data.variants.map((v, i) => ({ v, i })).filter(({ v }) => v.latencySamplesMs?.length);
  if (withSamples.length) {
    const range = sharedLatencyRange(withSamples.map(({ v }) => v.latencySamplesMs!));
    const charts = withSamples.map(({ v, i }) => latencyHistogram(v.name, v.latencySamplesMs!, range, color(i)));
    sections.push(section('Latency', `<div class="histograms">${charts.join('')}</div>`,
      'Timed runs after warm-up, on one x range for all variants (up to 1.5× the slowest p90; slower runs are counted above each plot); the dashed line marks the median.', true));
  }
  if (data.environment) {
    const rows = [['host', data.environment.host], ...data.environment.runtimes.map((r) => ['runtime', r])];
    sections.push(section('Measured on', `<table class="environment">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`,
      'Integer kernels differ by CPU (e.g. x86 with or without VNNI); verdicts on quantized models judge the exact Q/DQ execution, which does not.', true));
  }
  const generated = data.generatedAt ?? new Date().toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)}</title><style>${REPORT_CSS}</style></head>
<body><header><h1>${esc(data.title)}</h1>${data.subtitle ? `<div class="sub">${esc(data.subtitle)}</div>` : ''}</header>
<main>${sections.join('\n')}</main>
<footer>Generated by ondevice on ${esc(generated)}. Self-contained: no scripts, no network.</footer>
</body></html>
`;
}

/** Writes the report for `data` to `path` (via a temp file and a rename). */
export function writeHtmlReport(path: string, data: ReportData): void {
  writeFileAtomic(path, new TextEncoder().encode(renderHtmlReport(data)));
}
