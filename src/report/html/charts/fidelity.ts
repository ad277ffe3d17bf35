// One candidate's fidelity to the reference: PSNR and SQNR of every output as bars, the judged figures solid, the runtime's beside them.
import type { CandidateFidelity } from '../types.ts';
import { esc, emptyChart, niceTicks, num, scale, svgOpen } from '../svg.ts';

const W = 640, BAR = 12, GAP = 3, M = { left: 160, right: 84, top: 40, bottom: 40 };

/** Opacity of the runtime's bars next to the judged ones. */
export const RUNTIME_OPACITY = 0.4;

/** `name`'s PSNR/SQNR bar chart (one row per output and metric) as an SVG string, bars in `color`; the PSNR gate dashed. */
export function fidelityChart(name: string, data: CandidateFidelity, color: string): string {
  const series = [data.judged, ...(data.runtime ? [data.runtime] : [])];
  const rows = data.judged.outputs.flatMap((o) => (['psnrDb', 'sqnrDb'] as const).map((key) => ({
    output: o.output,
    metric: key === 'psnrDb' ? 'PSNR' : 'SQNR',
    values: series.map((s) => s.outputs.find((x) => x.output === o.output)?.[key]),
  })));
  if (rows.length === 0) return emptyChart('fidelity', `no fidelity measured for ${name}`);
  const finite = rows.flatMap((r) => r.values).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const gate = data.minPsnrDb;
  const hi = Math.max(10, gate ?? 0, ...finite) * 1.12;
  const lo = Math.min(0, ...finite);
  const rowH = series.length * (BAR + GAP) + 10;
  const H = M.top + rows.length * rowH + M.bottom;
  const x = scale(lo, hi, M.left, W - M.right);
  const parts = [svgOpen('fidelity', W, H, `PSNR and SQNR of ${name} against the reference`)];
  series.forEach((s, i) => {
    const lx = M.left + i * 240;
    parts.push(`<rect x="${lx}" y="8" width="12" height="12" rx="2" fill="${color}" fill-opacity="${i === 0 ? 1 : RUNTIME_OPACITY}"/>`,
      `<text class="axis" x="${lx + 18}" y="18">${esc(i === 0 ? `${s.source} (judged)` : s.source)}</text>`);
  });
  for (const t of niceTicks(lo, hi, 6)) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top - 4}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(t)}" y="${H - M.bottom + 14}" text-anchor="middle">${num(t)}</text>`);
  }
  parts.push(`<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">dB against the reference (higher is better)</text>`);
  if (gate !== undefined) {
    parts.push(`<line class="marker" x1="${x(gate)}" x2="${x(gate)}" y1="${M.top - 6}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(gate) + 4}" y="${M.top - 8}">PSNR gate ${num(gate)} dB</text>`);
  }
  rows.forEach((r, i) => {
    const yTop = M.top + i * rowH;
    const label = `${r.output.length > 18 ? `…${r.output.slice(-17)}` : r.output} · ${r.metric}`;
    parts.push(`<text class="tick" x="${M.left - 8}" y="${yTop + (series.length * (BAR + GAP)) / 2 + 4}" text-anchor="end">${esc(label)}</text>`);
    r.values.forEach((v, k) => {
      if (v === undefined || Number.isNaN(v)) return;
      const end = Number.isFinite(v) ? v : v > 0 ? hi : lo;
      const y = yTop + k * (BAR + GAP);
      const text = Number.isFinite(v) ? `${num(v)} dB` : v > 0 ? '∞ identical' : '−∞';
      parts.push(`<g class="fidelity-bar" data-source="${esc(series[k].source)}" data-metric="${r.metric}"><title>${esc(`${name}, ${r.output}, ${r.metric} (${series[k].source}): ${text}`)}</title>`
        + `<rect x="${x(Math.min(0, end))}" y="${y}" width="${Math.max(1, Math.abs(x(end) - x(0)))}" height="${BAR}" rx="2" fill="${color}" fill-opacity="${k === 0 ? 1 : RUNTIME_OPACITY}"/>`
        + `<text class="value" x="${x(Math.max(0, end)) + 4}" y="${y + BAR - 2}">${esc(text)}</text></g>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
