// A latency histogram for one variant, on an x range shared by all variants so they compare at a glance.
import { esc, niceTicks, num, scale, svgOpen, tickFormatter } from '../svg.ts';
import { percentile } from '../../../profile/stats.ts';

const W = 420, H = 200, M = { left: 44, right: 14, top: 26, bottom: 38 };

/**
 * An x range shared by every variant: from 0 to 1.5× the slowest 90th percentile (at most the slowest run),
 * so the bulk of each distribution shows and rare stalls are counted rather than squashing the plot.
 */
export function sharedLatencyRange(all: readonly (readonly number[])[]): [number, number] {
  const nonEmpty = all.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return [0, 1];
  const max = Math.max(...nonEmpty.map((s) => Math.max(...s)));
  const p90 = Math.max(...nonEmpty.map((s) => percentile([...s].sort((a, b) => a - b), 90)));
  const hi = Math.min(max, p90 * 1.5);
  return hi > 0 ? [0, hi] : [0, 1];
}

/** The histogram of `samplesMs` over `range` (values beyond it are counted in a note) as an SVG string. */
export function latencyHistogram(name: string, samplesMs: readonly number[], range: [number, number], color: string, bins = 30): string {
  const [lo, hi] = range;
  const counts = new Array(bins).fill(0);
  let over = 0;
  for (const s of samplesMs) {
    if (s > hi) { over++; continue; }
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((s - lo) / (hi - lo)) * bins)))]++;
  }
  const maxCount = Math.max(1, ...counts);
  const x = scale(lo, hi, M.left, W - M.right);
  const y = scale(0, maxCount, H - M.bottom, M.top);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const p50 = sorted.length ? percentile(sorted, 50) : NaN;
  const parts = [svgOpen('latency-histogram', W, H, `latency histogram of ${name}`)];
  parts.push(`<text class="title" x="${M.left}" y="16">${esc(name)}</text>`,
    `<text class="tick" x="${W - M.right}" y="16" text-anchor="end">${samplesMs.length} runs${Number.isFinite(p50) ? `, p50 ${num(p50)} ms` : ''}${over ? `, ${over} beyond ${num(hi)} ms` : ''}</text>`);
  for (const t of niceTicks(0, maxCount, 3)) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${num(t)}</text>`);
  }
  const bw = (W - M.left - M.right) / bins;
  counts.forEach((c, i) => {
    if (c === 0) return;
    parts.push(`<rect x="${(M.left + i * bw + 0.5).toFixed(1)}" y="${y(c).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(H - M.bottom - y(c)).toFixed(1)}" fill="${color}"><title>${c} runs</title></rect>`);
  });
  if (Number.isFinite(p50) && p50 <= hi) {
    parts.push(`<line class="marker" x1="${x(p50)}" x2="${x(p50)}" y1="${M.top}" y2="${H - M.bottom}"/>`);
  }
  const xTicks = niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi);
  const xFmt = tickFormatter(xTicks);
  for (const t of xTicks) {
    parts.push(`<text class="tick" x="${x(t)}" y="${H - M.bottom + 14}" text-anchor="middle">${xFmt(t)}</text>`);
  }
  parts.push(`<line class="axis-line" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`,
    `<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">latency (ms)</text></svg>`);
  return parts.join('');
}
