// Human-readable number formatting shared by reports: bytes, counts, percentages, shapes.
import type { Dim } from '../ir/graph.ts';

/** 1536 → '1.5 KiB'. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** 1234567 → '1,234,567'. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.99123 → '99.12%'. */
export function formatPercent(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** [null, 3, 'h'] → '[?, 3, h]'. */
export function formatShape(shape: Dim[] | null): string {
  return shape ? `[${shape.map((d) => d ?? '?').join(', ')}]` : '(unknown)';
}
