// Accuracy (or PSNR) vs size vs latency of every variant: size on x, accuracy on y, radius ∝ p50 latency, Pareto front dashed.
import { esc, emptyChart, niceTicks, num, PALETTE, scale, svgOpen, tickFormatter } from '../svg.ts';
import { paretoFront } from '../pareto.ts';

/** One variant as the scatter draws it. */
export interface ScatterPoint {
  name: string;
  fileBytes: number;
  accuracy: number;
  latencyMs?: number;
  color?: string;
}

const W = 640, H = 380, M = { left: 64, right: 24, top: 20, bottom: 64 };

/**
 * The scatter as an SVG string (a placeholder when no variant has an accuracy). `metric` 'psnr': the points' `accuracy`
 * holds PSNR in dB (fidelity to the float model) instead of a 0–1 accuracy.
 */
export function scatterChart(points: readonly ScatterPoint[], metric: 'accuracy' | 'psnr' = 'accuracy'): string {
  if (points.length === 0) return emptyChart('scatter', 'no accuracy measured: nothing to plot');
  const pct = metric === 'accuracy';
  const suffix = pct ? '%' : ' dB';
  const unit = Math.max(...points.map((p) => p.fileBytes)) >= 1 << 20 ? { div: 1 << 20, name: 'MiB' } : { div: 1024, name: 'KiB' };
  const sizes = points.map((p) => p.fileBytes / unit.div);
  const accs = points.map((p) => (pct ? p.accuracy * 100 : p.accuracy));
  const xMax = Math.max(...sizes) * 1.12;
  let yLo = Math.min(...accs), yHi = Math.max(...accs);
  const pad = Math.max(0.25, (yHi - yLo) * 0.2);
  yLo = Math.max(0, yLo - pad);
  yHi += pad; // may pass 100% to keep bubbles off the edge; ticks stop at 100
  const yTicks = niceTicks(yLo, pct ? Math.min(100, yHi) : yHi, 5);
  const yFmt = tickFormatter(yTicks);
  const x = scale(0, xMax, M.left, W - M.right);
  const y = scale(yLo, yHi, H - M.bottom, M.top);
  const lats = points.map((p) => p.latencyMs).filter((l): l is number => l !== undefined && Number.isFinite(l));
  const maxLat = Math.max(0, ...lats);
  const radius = (l?: number): number => (l === undefined || maxLat === 0 ? 6 : 5 + 15 * (l / maxLat));
  const front = paretoFront(points.map((p, i) => ({ size: sizes[i], accuracy: accs[i] })));

  const parts: string[] = [svgOpen('scatter', W, H, 'accuracy versus file size and latency')];
  for (const t of niceTicks(0, xMax, 6)) {
    parts.push(`<line class="grid" x1="${x(t)}" x2="${x(t)}" y1="${M.top}" y2="${H - M.bottom}"/>`,
      `<text class="tick" x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${num(t)}</text>`);
  }
  for (const t of yTicks) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}"/>`,
      `<text class="tick" x="${M.left - 8}" y="${y(t) + 4}" text-anchor="end">${yFmt(t)}${pct ? '%' : ''}</text>`);
  }
  parts.push(`<text class="axis" x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 36}" text-anchor="middle">file size (${unit.name})</text>`,
    `<text class="axis" transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${pct ? 'top-1 accuracy' : 'PSNR against float (dB)'}</text>`);
  if (front.length > 1) {
    parts.push(`<polyline class="front" points="${front.map((i) => `${x(sizes[i])},${y(accs[i])}`).join(' ')}"/>`);
  }
  // Larger bubbles first, so small ones stay clickable/visible on top.
  const order = points.map((_, i) => i).sort((a, b) => radius(points[b].latencyMs) - radius(points[a].latencyMs));
  for (const i of order) {
    const p = points[i];
    const onFront = front.includes(i);
    const lat = p.latencyMs !== undefined ? `, p50 ${num(p.latencyMs)} ms` : '';
    parts.push(`<g class="point${onFront ? ' on-front' : ''}"><title>${esc(`${p.name}: ${num(sizes[i])} ${unit.name}, ${accs[i].toFixed(pct ? 2 : 1)}${suffix}${lat}${onFront ? ' (Pareto front)' : ''}`)}</title>`
      + `<circle cx="${x(sizes[i])}" cy="${y(accs[i])}" r="${radius(p.latencyMs).toFixed(1)}" fill="${p.color ?? PALETTE[i % PALETTE.length]}" fill-opacity="0.55" stroke="${p.color ?? PALETTE[i % PALETTE.length]}" stroke-width="${onFront ? 2.5 : 1}"/></g>`);
  }
  // Labels right of their bubble (left near the right edge), nudged down when bubbles sit close together.
  const placed: { x: number; y: number }[] = [];
  for (const i of order) {
    const r = radius(points[i].latencyMs);
    const textW = points[i].name.length * 7;
    const right = x(sizes[i]) + r + 4 + textW <= W - M.right;
    const lx = right ? x(sizes[i]) + r + 4 : x(sizes[i]) - r - 4;
    let ly = y(accs[i]) + 4;
    while (placed.some((q) => Math.abs(q.x - lx) < textW && Math.abs(q.y - ly) < 13)) ly += 13;
    placed.push({ x: lx, y: ly });
    parts.push(`<text class="label" x="${lx}" y="${ly}"${right ? '' : ' text-anchor="end"'}>${esc(points[i].name)}</text>`);
  }
  const ly = H - 14;
  parts.push(`<g class="legend"><circle cx="${M.left + 6}" cy="${ly - 4}" r="5" class="legend-dot"/><circle cx="${M.left + 22}" cy="${ly - 4}" r="9" class="legend-dot"/>`
    + `<text class="tick" x="${M.left + 38}" y="${ly}">radius ∝ p50 latency${maxLat ? ` (largest ${num(maxLat)} ms)` : ''}</text>`
    + `<line class="front" x1="${M.left + 300}" x2="${M.left + 330}" y1="${ly - 4}" y2="${ly - 4}"/><text class="tick" x="${M.left + 336}" y="${ly}">Pareto front (smaller and ${pct ? 'more accurate' : 'closer to float'})</text></g>`);
  parts.push('</svg>');
  return parts.join('');
}
