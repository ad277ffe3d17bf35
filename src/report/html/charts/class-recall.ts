// Per-class recall of every labelled variant: one row per class, one bar per variant, 0–100%.
import { esc, emptyChart, niceTicks, scale, svgOpen } from '../svg.ts';
import type { ClassRecallData } from '../types.ts';

/** A variant's name and colour, indexed like `ReportData.variants`. */
export interface SeriesStyle {
  name: string;
  color: string;
}

const W = 640, BAR = 7, M = { left: 150, right: 56, top: 34, bottom: 40 };

/** The per-class recall chart as an SVG string; `styles[i]` names and colours variant i. */
export function classRecallChart(data: ClassRecallData, styles: readonly SeriesStyle[]): string {
  if (data.classes.length === 0 || data.series.length === 0) return emptyChart('class-recall', 'no labelled examples');
  const n = data.series.length;
  const rowH = n * BAR + 8;
  const H = M.top + data.classes.length * rowH + M.bottom;
  const x = scale(0, 100, M.left, W - M.right);
  const parts = [svgOpen('class-recall', W, H, 'recall of each class per variant')];
  let lx = M.left;
  for (const s of data.series) {
    const name = styles[s.variant]?.name ?? `variant ${s.variant}`;
    parts.push(`<rect x="${lx}" y="8" width="12" height="12" rx="2" fill="${styles[s.variant]?.color ?? '#888'}"/>`,
      `<text class="axis" x="${lx + 18}" y="18">${esc(name)}</text>`);
    lx += 30 + Math.min(200, name.length * 7);
  }
  for (const t of niceTicks(0, 100, 5)) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top - 4}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(t)}" y="${H - M.bottom + 14}" text-anchor="middle">${t}%</text>`);
  }
  parts.push(`<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">share of the class's examples predicted as it (recall)</text>`);
  data.classes.forEach((cls, i) => {
    const yTop = M.top + i * rowH;
    const label = `${cls.length > 18 ? `${cls.slice(0, 17)}…` : cls} (${data.examples[i]})`;
    parts.push(`<text class="tick" x="${M.left - 8}" y="${yTop + (n * BAR) / 2 + 4}" text-anchor="end">${esc(label)}</text>`);
    data.series.forEach((s, k) => {
      const r = s.recall[i];
      if (r === null || r === undefined) return;
      const style = styles[s.variant];
      parts.push(`<g class="recall-bar"><title>${esc(`${cls}: ${(r * 100).toFixed(1)}% recall (${style?.name ?? s.variant})`)}</title>`
        + `<rect x="${M.left}" y="${yTop + k * BAR}" width="${Math.max(1, x(r * 100) - M.left)}" height="${BAR - 1}" fill="${style?.color ?? '#888'}"/></g>`);
    });
    const worst = Math.min(...data.series.map((s) => s.recall[i] ?? 1));
    parts.push(`<text class="value" x="${x(100) + 4}" y="${yTop + (n * BAR) / 2 + 4}">${(worst * 100).toFixed(1)}%</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
