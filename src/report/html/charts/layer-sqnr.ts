// Per-layer SQNR as horizontal bars in graph order; the worst (or the given) layers are highlighted.
import type { PerLayerData } from '../types.ts';
import { esc, emptyChart, niceTicks, num, scale, svgOpen } from '../svg.ts';

const W = 960, ROW = 18, M = { left: 240, right: 56, top: 16, bottom: 40 };

/** The per-layer SQNR bar chart as an SVG string. */
export function layerSqnrChart(data: PerLayerData): string {
  const layers = data.layers.filter((l) => !Number.isNaN(l.sqnrDb));
  if (layers.length === 0) return emptyChart('layer-sqnr', 'no per-layer data');
  const finite = layers.map((l) => l.sqnrDb).filter(Number.isFinite);
  const hi = Math.max(10, ...finite) * 1.08;
  const lo = Math.min(0, ...finite);
  const highlight = new Set(data.highlight
    ?? [...layers].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, Math.min(3, layers.length)).map((l) => l.name));
  const H = M.top + layers.length * ROW + M.bottom;
  const x = scale(lo, hi, M.left, W - M.right);
  const parts = [svgOpen('layer-sqnr', W, H, `per-layer SQNR of ${data.variant}`)];
  const ticks = niceTicks(lo, hi, 6);
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top - 4}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(t)}" y="${H - M.bottom + 14}" text-anchor="middle">${num(t)}</text>`);
  }
  parts.push(`<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">SQNR (dB, higher is better) — ${esc(data.variant)} vs float</text>`);
  layers.forEach((l, i) => {
    const yTop = M.top + i * ROW;
    const v = Number.isFinite(l.sqnrDb) ? l.sqnrDb : hi;
    const name = l.name.length > 36 ? `…${l.name.slice(-35)}` : l.name;
    const hot = highlight.has(l.name);
    parts.push(`<g class="bar${hot ? ' hot' : ''}"><title>${esc(`${l.name}${l.op ? ` (${l.op})` : ''}: ${num(l.sqnrDb)} dB`)}</title>`
      + `<text class="tick" x="${M.left - 6}" y="${yTop + ROW - 4}" text-anchor="end">${esc(name)}</text>`
      + `<rect x="${x(Math.min(0, v))}" y="${yTop + 2}" width="${Math.max(1, Math.abs(x(v) - x(0)))}" height="${ROW - 4}" rx="2"/>`
      + `<text class="value" x="${x(Math.max(0, v)) + 4}" y="${yTop + ROW - 4}">${num(l.sqnrDb)}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
