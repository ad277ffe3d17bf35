// Small SVG helpers shared by the charts: escaping, linear scales, nice ticks, number labels, palette.

/** Escapes text for HTML/SVG content and attributes. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A linear map from [d0, d1] to [r0, r1] (a zero-width domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (x) => r0 + ((x - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Formats tick values with just enough decimals to tell neighbours apart. */
export function tickFormatter(ticks: readonly number[]): (x: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return (x) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(decimals));
}

/** Compact tick label: 0.0125 → '0.0125', 1500 → '1,500'. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : '–';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(3)));
}

/** Distinct colours for variants (colour-blind-friendly Okabe–Ito order). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Opening tag of a chart: fixed viewBox, scales to its container, tagged for tests. */
export function svgOpen(kind: string, width: number, height: number, label: string): string {
  return `<svg class="chart" data-chart="${esc(kind)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">`;
}

/** A chart placeholder saying why there is nothing to draw. */
export function emptyChart(kind: string, message: string): string {
  return `${svgOpen(kind, 480, 80, message)}<text x="240" y="44" text-anchor="middle" class="muted">${esc(message)}</text></svg>`;
}
