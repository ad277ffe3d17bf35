// The report's summary table: one row per variant with size, accuracy, PSNR, p50 latency and verdict.
import { formatBytes } from '../format.ts';
import { esc, PALETTE } from './svg.ts';
import type { ReportVariant } from './types.ts';
import { percentile } from '../../profile/stats.ts';

/** p50 latency of a variant: given, or the median of its samples. */
export function variantP50(v: ReportVariant): number | undefined {
  if (v.latencyP50Ms !== undefined) return v.latencyP50Ms;
  if (!v.latencySamplesMs?.length) return undefined;
  return percentile([...v.latencySamplesMs].sort((a, b) => a - b), 50);
}

const dash = '<span class="muted">–</span>';

/** The summary table as an HTML string; deltas are against the reference variant. */
export function summaryTable(variants: readonly ReportVariant[]): string {
  const ref = variants.find((v) => v.reference) ?? variants[0];
  const refP50 = ref ? variantP50(ref) : undefined;
  const rows = variants.map((v, i) => {
    const isRef = v === ref;
    const p50 = variantP50(v);
    const size = `${formatBytes(v.fileBytes)}${!isRef && ref?.fileBytes ? ` <span class="muted">(${Math.round((v.fileBytes / ref.fileBytes) * 100)}%)</span>` : ''}`;
    const deltaPts = !isRef && v.accuracy !== undefined && ref?.accuracy !== undefined ? (v.accuracy - ref.accuracy) * 100 : undefined;
    const acc = v.accuracy === undefined ? dash
      : `${(v.accuracy * 100).toFixed(2)}%${deltaPts !== undefined ? ` <span class="${deltaPts < 0 ? 'neg' : 'muted'}">(${deltaPts >= 0 ? '+' : '−'}${Math.abs(deltaPts).toFixed(2)})</span>` : ''}`;
    const psnr = v.psnrDb === undefined ? dash : Number.isFinite(v.psnrDb) ? `${v.psnrDb.toFixed(1)} dB` : '∞ (identical)';
    const lat = p50 === undefined ? dash
      : `${p50 < 1 ? `${(p50 * 1000).toFixed(0)} µs` : `${p50.toFixed(2)} ms`}${!isRef && refP50 ? ` <span class="muted">(×${(p50 / refP50).toFixed(2)})</span>` : ''}`;
    const verdict = v.verdict ? `<span class="verdict ${esc(v.verdictLevel ?? '')}">${esc(v.verdict)}</span>` : isRef ? '<span class="muted">reference</span>' : dash;
    return `<tr><td><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${esc(v.name)}</td>`
      + `<td class="num">${size}</td><td class="num">${acc}</td><td class="num">${psnr}</td><td class="num">${lat}</td><td>${verdict}</td></tr>`;
  });
  return `<table class="summary"><thead><tr><th>variant</th><th class="num">file size</th><th class="num">top-1 accuracy (Δ pts)</th>`
    + `<th class="num">PSNR</th><th class="num">p50 latency</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
