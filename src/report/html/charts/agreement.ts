// Top-1 agreement of every candidate with the reference as horizontal bars: the judged figure solid, the runtime's beside it.
import { esc, emptyChart, niceTicks, scale, svgOpen } from '../svg.ts';
import type { CandidateFidelity } from '../types.ts';
import { RUNTIME_OPACITY } from './fidelity.ts';

/** One candidate as the agreement chart draws it. */
export interface AgreementBar {
  name: string;
  color: string;
  fidelity: CandidateFidelity;
}

const W = 640, BAR = 14, GAP = 3, M = { left: 200, right: 130, top: 16, bottom: 40 };

/** Lower end of the % axis: 0, or a round value under the lowest agreement when all are high (so small losses show). */
function axisStart(lowest: number): number {
  if (lowest <= 50) return 0;
  const raw = Math.max(0, 100 - 2 * (100 - lowest) - 1);
  const step = raw >= 90 ? 1 : 5;
  return Math.floor(raw / step) * step;
}

/** The agreement chart as an SVG string (only candidates with a class-score output have a bar). */
export function agreementChart(candidates: readonly AgreementBar[]): string {
  const rows = candidates.filter((c) => c.fidelity.judged.top1Agreement !== undefined);
  if (rows.length === 0) return emptyChart('agreement', 'no class-score output: no agreement measured');
  const series = (c: AgreementBar) => [c.fidelity.judged, ...(c.fidelity.runtime?.top1Agreement !== undefined ? [c.fidelity.runtime] : [])];
  const values = rows.flatMap((c) => series(c).map((s) => s.top1Agreement! * 100));
  const lo = axisStart(Math.min(...values));
  const x = scale(lo, 100, M.left, W - M.right);
  const rowH = (c: AgreementBar) => series(c).length * (BAR + GAP) + 10;
  const H = M.top + rows.reduce((h, c) => h + rowH(c), 0) + M.bottom;
  const parts = [svgOpen('agreement', W, H, 'top-1 agreement of each candidate with the reference')];
  for (const t of niceTicks(lo, 100, 5)) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top - 4}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(t)}" y="${H - M.bottom + 14}" text-anchor="middle">${t}%</text>`);
  }
  parts.push(`<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">`
    + `examples whose top class is the reference's${lo > 0 ? ` (axis from ${lo}%)` : ''}</text>`);
  let yTop = M.top;
  for (const c of rows) {
    const ss = series(c);
    const name = c.name.length > 30 ? `…${c.name.slice(-29)}` : c.name;
    parts.push(`<text class="tick" x="${M.left - 8}" y="${yTop + (ss.length * (BAR + GAP)) / 2 + 4}" text-anchor="end">${esc(name)}</text>`);
    ss.forEach((s, k) => {
      const v = s.top1Agreement! * 100;
      const y = yTop + k * (BAR + GAP);
      const text = `${v.toFixed(2)}% ${s.source}`;
      parts.push(`<g class="agreement-bar" data-source="${esc(s.source)}"><title>${esc(`${c.name}: ${text}${k === 0 ? ' (judged)' : ''}`)}</title>`
        + `<rect x="${M.left}" y="${y}" width="${Math.max(1, x(Math.max(lo, v)) - M.left)}" height="${BAR}" rx="2" fill="${c.color}" fill-opacity="${k === 0 ? 1 : RUNTIME_OPACITY}"/>`
        + `<text class="value" x="${x(Math.max(lo, v)) + 4}" y="${y + BAR - 3}">${esc(text)}</text></g>`);
    });
    yTop += rowH(c);
  }
  parts.push('</svg>');
  return parts.join('');
}
