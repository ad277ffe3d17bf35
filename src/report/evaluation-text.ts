// Terminal text of `ondevice evaluate`: the comparison table, the per-layer SQNR table and an --exclude proposal.
import { basename } from 'node:path';
import type { Evaluation, ModelEvaluation, OutputFidelity } from '../evaluate/compare.ts';
import { environmentOf } from '../evaluate/report-data.ts';
import type { ExclusionProposal } from '../pipeline/exclusions.ts';
import type { LayerAnalysis } from '../evaluate/per-layer.ts';
import { accuracyDrop, type Verdict } from '../evaluate/verdict.ts';
import { formatBytes, formatPercent } from './format.ts';
import { renderTable } from './table.ts';

const fmtDb = (x: number): string => (x === Infinity ? 'inf' : x === -Infinity ? '-inf' : `${x.toFixed(1)} dB`);
const fmtNum = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(2));

/** The terminal table: one row for the reference, one per candidate, then each verdict's reason. */
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
  return `${ev.data}, ${ev.examples} examples\n${renderTable(head, rows)}\n${lines.join('\n')}`;
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

/** The trials of an --exclude proposal and the list proposed. */
export function formatProposal(p: ExclusionProposal): string {
  const rows = p.trials.map((t) => [t.exclude.join(',') || '(none)', t.top1 !== undefined ? formatPercent(t.top1) : '-', fmtDb(t.psnr), formatBytes(t.sizeBytes)]);
  return `${renderTable(['--exclude', 'top-1', 'PSNR', 'size'], rows)}\nproposed: ${p.exclude.length ? `--exclude ${p.exclude.join(',')}` : 'no exclusions (excluding layers does not help)'}`;
}
