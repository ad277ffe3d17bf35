// The demo's terminal summary: one row per variant with size, accuracy, fidelity, latency and verdict.
import { accuracyDrop, judgedFigures, worstPsnr } from '../evaluate/verdict.ts';
import { formatBytes, formatPercent } from '../report/format.ts';
import { renderTable } from '../report/table.ts';
import type { DemoResult } from './demo.ts';

/** Renders the summary table of a demo run. */
export function formatDemoTable(r: DemoResult): string {
  const ref = r.evaluation.reference;
  const [fp32] = r.variants;
  const rows = r.variants.map((v, i) => {
    // Candidates show the figures their verdict judged (the exact Q/DQ execution for int8).
    const ev = i === 0 ? ref : judgedFigures(r.evaluation.candidates[i - 1]);
    const drop = i === 0 ? undefined : accuracyDrop(ref, ev);
    const psnr = i === 0 ? undefined : worstPsnr(ev);
    const p50 = v.profile.latencyMs.p50;
    return [
      v.name,
      v.scheme ?? 'float32',
      formatBytes(v.fileBytes),
      `${((v.fileBytes / fp32.fileBytes) * 100).toFixed(1)}%`,
      ev.accuracy ? formatPercent(ev.accuracy.top1) : '-',
      drop === undefined ? 'ref' : `${drop > 0 ? '-' : '+'}${Math.abs(drop).toFixed(2)}`,
      psnr === undefined ? 'ref' : psnr === Infinity ? 'inf' : `${psnr.toFixed(1)} dB`,
      `${(p50 * 1000).toFixed(0)} µs`,
      `${(p50 / fp32.profile.latencyMs.p50).toFixed(2)}x`,
      i === 0 ? '' : r.verdicts[i - 1].level,
    ];
  });
  return renderTable(['variant', 'scheme', 'size', 'of fp32', 'top-1', 'Δ points', 'PSNR', 'p50 latency', 'of fp32', 'verdict'], rows);
}
