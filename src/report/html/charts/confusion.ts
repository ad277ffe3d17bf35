// A classifier's confusion matrix as a heatmap: rows are true labels, columns predictions, shade = row share.
import type { ConfusionData } from '../types.ts';
import { esc, emptyChart, svgOpen } from '../svg.ts';

/** Blue for the diagonal (correct), red for mistakes; intensity = share of the true label's examples. */
function shade(share: number, diagonal: boolean): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, share)));
  const [r, g, b] = diagonal ? [33, 102, 172] : [202, 0, 32];
  const mix = (c: number): number => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** The confusion-matrix heatmap as an SVG string. */
export function confusionChart(data: ConfusionData): string {
  const n = data.matrix.length;
  if (n === 0) return emptyChart('confusion', 'empty confusion matrix');
  const labels = data.labels ?? data.matrix.map((_, i) => String(i));
  const cell = Math.max(14, Math.min(40, Math.floor(440 / n)));
  const M = { left: 56, top: 44, right: 16, bottom: 16 };
  const W = M.left + n * cell + M.right, H = M.top + n * cell + M.bottom;
  const showCounts = n <= 20;
  const parts = [svgOpen('confusion', W, H, `confusion matrix of ${data.variant}`)];
  parts.push(`<text class="axis" x="${M.left + (n * cell) / 2}" y="14" text-anchor="middle">predicted</text>`,
    `<text class="axis" transform="translate(${M.left - 30} ${M.top + (n * cell) / 2}) rotate(-90)" text-anchor="middle">true label</text>`);
  for (let i = 0; i < n; i++) {
    parts.push(`<text class="tick" x="${M.left + i * cell + cell / 2}" y="${M.top - 8}" text-anchor="middle">${esc(labels[i])}</text>`,
      `<text class="tick" x="${M.left - 6}" y="${M.top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(labels[i])}</text>`);
  }
  for (let r = 0; r < n; r++) {
    const total = data.matrix[r].reduce((a, b) => a + b, 0);
    for (let c = 0; c < n; c++) {
      const count = data.matrix[r][c];
      const share = total ? count / total : 0;
      const px = M.left + c * cell, py = M.top + r * cell;
      parts.push(`<g><title>${esc(`true ${labels[r]}, predicted ${labels[c]}: ${count} (${(share * 100).toFixed(1)}%)`)}</title>`
        + `<rect x="${px}" y="${py}" width="${cell - 1}" height="${cell - 1}" fill="${count ? shade(share, r === c) : '#f7f7f7'}"/>`
        + (showCounts && count ? `<text class="cell${share > 0.5 ? ' light' : ''}" x="${px + cell / 2}" y="${py + cell / 2 + 4}" text-anchor="middle">${count}</text>` : '')
        + '</g>');
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
