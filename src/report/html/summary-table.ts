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

/** Column headings after the variant's name; each cell repeats its heading (data-label) for the narrow-screen layout. */
const COLUMNS = [['file size', 'num'], ['top-1 accuracy (Δ pts)', 'num'], ['PSNR', 'num'], ['p50 latency', 'num'], ['verdict', '']] as const;

/** The cells after the name, each tagged with its column heading. */
function cells(values: readonly string[]): string {
  return values.map((v, i) => `<td${COLUMNS[i][1] ? ` class="${COLUMNS[i][1]}"` : ''} data-label="${esc(COLUMNS[i][0])}">${v}</td>`).join('');
}

/**
 * The summary table as an HTML string, in a container that scrolls sideways when the table is wider than the page
 * (on phones the stylesheet turns each row into a card); deltas are against the reference variant.
 */
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
    return `<tr><td class="variant"><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${esc(v.name)}</td>`
      + `${cells([size, acc, psnr, lat, verdict])}</tr>`;
  });
  const head = COLUMNS.map(([label, cls]) => `<th${cls ? ` class="${cls}"` : ''}>${esc(label)}</th>`).join('');
  return `<div class="table-scroll"><table class="summary"><thead><tr><th>variant</th>${head}</tr></thead>`
    + `<tbody>${rows.join('')}</tbody></table></div>`;
}
