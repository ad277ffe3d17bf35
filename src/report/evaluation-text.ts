// Terminal text of `ondevice evaluate`: the comparison table, per-class recall and confusion, the per-layer SQNR table and an --exclude proposal.
import { basename } from 'node:path';
import { classNamesOf, classRecall, type ClassifierAccuracy } from '../evaluate/classify.ts';
import type { Evaluation, ModelEvaluation, OutputFidelity } from '../evaluate/compare.ts';
import { environmentOf } from './evaluation-data.ts';
import type { LayerAnalysis } from '../evaluate/per-layer.ts';
import { accuracyDrop, judgedFigures, type Verdict } from '../evaluate/verdict.ts';
import { formatBytes, formatPercent } from './format.ts';
import { renderTable } from './table.ts';

const fmtDb = (x: number): string => (x === Infinity ? 'inf' : x === -Infinity ? '-inf' : `${x.toFixed(1)} dB`);
const fmtNum = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(2));

/** The terminal table: one row for the reference, one per candidate, then each verdict's reason; per-class figures when labelled. */
export function formatEvaluation(ev: Evaluation, verdicts: Verdict[]): string {
  const head = ['model', 'top-1', 'Δ top-1', 'PSNR', 'SQNR', 'cosine', 'max abs err', 'top-1 agree', 'size', 'verdict'];
  const ref = ev.reference;
  const rows: (string | number)[][] = [[basename(ref.path), ref.accuracy ? formatPercent(ref.accuracy.top1) : '-', 'ref', '', '', '', '', '', formatBytes(ref.sizeBytes), '']];
  const row = (label: string, m: Pick<ModelEvaluation, 'accuracy' | 'fidelity'>, size: string, level: string): (string | number)[] => {
    const f = m.fidelity ?? [];
    const worst = f.reduce((a, b) => (b.psnr < a.psnr ? b : a), f[0]);
    const agree = f.find((x) => x.agreement)?.agreement;
    const drop = accuracyDrop(ref, m as ModelEvaluation);
    return [
      label,
      m.accuracy ? formatPercent(m.accuracy.top1) : '-',
      drop === undefined ? '-' : `${drop > 0 ? '-' : '+'}${Math.abs(drop).toFixed(2)}`,
      worst ? fmtDb(worst.psnr) : '-',
      worst ? fmtDb(Math.min(...f.map((x) => x.sqnr))) : '-',
      worst ? Math.min(...f.map((x) => x.cosine)).toFixed(6) : '-',
      worst ? fmtNum(Math.max(...f.map((x) => x.maxAbsError))) : '-',
      agree ? formatPercent(agree.top1) : '-',
      size,
      level,
    ];
  };
  const lines: string[] = [];
  ev.candidates.forEach((c, i) => {
    const name = basename(c.path) + (c.scheme ? ` (${c.scheme})` : '');
    const v = verdicts[i];
    if (c.exact) {
      // The judged row is the exact execution (the model's own error); the runtime's figures follow beneath it.
      rows.push(row(`${name}, exact`, { accuracy: c.exact.accuracy, fidelity: c.exact.fidelity }, formatBytes(c.sizeBytes), v.level));
      rows.push(row(`  on ${c.runtime}`, c, '', v.kernelWarning ? 'see below' : 'same'));
    } else {
      rows.push(row(name, c, formatBytes(c.sizeBytes), v.level));
    }
    lines.push(`  ${basename(c.path)}: ${v.level} — ${v.reason}`);
    if (c.exact) lines.push(`    ${c.runtime}'s kernels against the exact execution: PSNR ${fmtDb(worstOf(c.exact.kernelError))}`);
    if (v.kernelWarning) lines.push(`    warning: ${v.kernelWarning}`);
  });
  const env = environmentOf(ev);
  lines.push(`host: ${env.host}`);
  lines.push(`runtimes: ${env.runtimes.join('; ')}`);
  const classes = formatClasses(ev);
  return `${ev.data}, ${ev.examples} examples\n${renderTable(head, rows)}\n${lines.join('\n')}${classes ? `\n\n${classes}` : ''}`;
}

/** Classes listed in full up to this many; beyond, the lowest-recall ones and the largest confusions. */
const MAX_CLASS_ROWS = 20;

/**
 * Per-class recall of the reference and every candidate (judged figures), then the reference's confusion matrix with
 * class names; empty when the data has no labels. Only classes the data holds (or that were predicted) are shown.
 */
export function formatClasses(ev: Evaluation): string {
  const ref = ev.reference.accuracy;
  if (!ref || ref.count === 0) return '';
  const models: { label: string; acc?: ClassifierAccuracy }[] = [
    { label: basename(ev.reference.path), acc: ref },
    ...ev.candidates.map((c) => ({ label: `${basename(c.path)}${c.exact ? ', exact' : ''}`, acc: judgedFigures(c).accuracy })),
  ];
  const names = classNamesOf(ref);
  const examples = ref.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const recalls = models.map((m) => (m.acc ? m.acc.recall ?? classRecall(m.acc.confusion) : []));
  let held = examples.flatMap((n, c) => (n > 0 ? [c] : []));
  const out: string[] = [];
  let title = `per-class recall (share of each true class predicted right; ${ref.classNames ? 'named classes' : 'classes by index'})`;
  if (held.length > MAX_CLASS_ROWS) {
    title += `: the ${MAX_CLASS_ROWS} lowest of ${held.length} classes by ${models[0].label}'s recall (all in --json)`;
    held = [...held].sort((a, b) => (recalls[0][a] ?? 1) - (recalls[0][b] ?? 1)).slice(0, MAX_CLASS_ROWS);
  }
  const pct = (r: number | null | undefined): string => (r === null || r === undefined ? '-' : formatPercent(r, 1));
  out.push(title, renderTable(['class', 'index', 'examples', ...models.map((m) => m.label)],
    held.map((c) => [names[c], c, examples[c], ...recalls.map((r) => pct(r[c]))])));
  out.push(formatConfusion(ref, names, models[0].label));
  return out.join('\n');
}

/** The confusion matrix (rows true, columns predicted) over the classes that occur, or its largest mistakes when there are many. */
function formatConfusion(acc: ClassifierAccuracy, names: readonly string[], label: string): string {
  const m = acc.confusion;
  const used = m.flatMap((row, c) => (row.some((x) => x > 0) || m.some((r) => r[c] > 0) ? [c] : []));
  if (used.length <= MAX_CLASS_ROWS) {
    const rows = used.map((r) => [names[r], ...used.map((c) => m[r][c])]);
    return `confusion matrix of ${label} (rows: true class, columns: predicted)\n${renderTable(['true \\ predicted', ...used.map((c) => names[c])], rows)}`;
  }
  const mistakes = m.flatMap((row, r) => row.flatMap((n, c) => (r !== c && n > 0 ? [{ r, c, n }] : []))).sort((a, b) => b.n - a.n).slice(0, 10);
  const lines = mistakes.map((x) => `  ${names[x.r]} → ${names[x.c]}: ${x.n}`);
  return `largest confusions of ${label} (${used.length} classes; the full matrix is in --json and the HTML report)\n${lines.join('\n') || '  none'}`;
}

function worstOf(f: readonly Pick<OutputFidelity, 'psnr'>[]): number {
  return Math.min(Infinity, ...f.map((x) => x.psnr));
}


/** Per-layer table: layers in order with SQNR, and the worst `top` named. */
export function formatLayers(candidate: string, a: LayerAnalysis, top = 5): string {
  const rank = new Map(a.ranking.map((l, i) => [l, i + 1]));
  const rows = a.layers.map((l) => [l.node, l.op, fmtDb(l.sqnr), fmtDb(l.inputSqnr), l.drop === Infinity ? 'inf' : l.drop.toFixed(1), l.addedNoise.toExponential(2), rank.get(l)!]);
  const worst = a.ranking.slice(0, top).map((l, i) => `  ${i + 1}. ${l.node} (${l.op}): SQNR ${fmtDb(l.sqnr)}, ${l.drop === Infinity ? 'inf' : l.drop.toFixed(1)} dB below its input`);
  return `per-layer SQNR of ${basename(candidate)} (${a.examples} examples)\n` +
    `${renderTable(['layer', 'op', 'SQNR', 'input SQNR', 'drop dB', 'added noise', 'rank'], rows)}\nlayers that lose the most:\n${worst.join('\n')}`;
}

/** What formatProposal prints: pipeline/exclusions' ExclusionProposal (report sits below pipeline, so it names the shape). */
export interface ProposalFigures {
  exclude: string[];
  trials: { exclude: string[]; top1?: number; psnr: number; sizeBytes: number }[];
}

/** The trials of an --exclude proposal and the list proposed. */
export function formatProposal(p: ProposalFigures): string {
  const rows = p.trials.map((t) => [t.exclude.join(',') || '(none)', t.top1 !== undefined ? formatPercent(t.top1) : '-', fmtDb(t.psnr), formatBytes(t.sizeBytes)]);
  return `${renderTable(['--exclude', 'top-1', 'PSNR', 'size'], rows)}\nproposed: ${p.exclude.length ? `--exclude ${p.exclude.join(',')}` : 'no exclusions (excluding layers does not help)'}`;
}
