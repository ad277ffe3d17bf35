// Renders the LiteRT delegate placement report (XNNPACK and GPU per operator) for the terminal (`inspect --target tflite`).
import type { DelegateVerdict, TflitePlacementReport } from '../compile/tflite/placement.ts';
import { renderTable } from './table.ts';

function cell(v: DelegateVerdict): string {
  return v.delegated ? 'yes' : 'CPU';
}

function why(v: DelegateVerdict, label: string): string {
  return v.reasons.map((r) => `${label}: ${r.message}`).join('; ');
}

/** The per-op table (XNNPACK, GPU, why, fix), the counts and reasons per delegate, and the notes. */
export function formatTflitePlacement(r: TflitePlacementReport): string {
  const lines: string[] = [];
  lines.push(`LiteRT delegate placement (rules: ${r.rules.litert})`);
  lines.push(renderTable(['#', 'op', 'node', 'XNNPACK', 'GPU', 'why', 'fix'], r.ops.map((o) => [
    String(o.index), o.version > 1 ? `${o.op} v${o.version}` : o.op, o.node, cell(o.xnnpack), cell(o.gpu),
    [why(o.xnnpack, 'XNNPACK'), why(o.gpu, 'GPU')].filter(Boolean).join('; '),
    [...new Set([...o.xnnpack.reasons, ...o.gpu.reasons].map((x) => x.fix))].join('; '),
  ])));
  const n = r.ops.length;
  const line = (label: string, d: 'xnnpack' | 'gpu', extra = '') => {
    const reasons = Object.entries(r.reasons[d]).map(([code, k]) => `${code} ${k}`).join(', ');
    return `${label}: ${r.counts[d].delegated} of ${n} ops delegated, ${r.counts[d].cpu} on CPU${extra}${reasons ? ` (${reasons})` : ''}`;
  };
  lines.push(line('XNNPACK', 'xnnpack'));
  lines.push(line('GPU', 'gpu', `; ${r.gpuPartitions} supported partition${r.gpuPartitions === 1 ? '' : 's'}, the largest is delegated`));
  for (const note of r.notes) lines.push(`note: ${note}`);
  lines.push('not verified on a phone GPU: placement follows the delegates\' support checks as data in src/compile/tflite/rules/');
  return lines.join('\n');
}
