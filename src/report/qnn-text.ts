// Renders the QNN placement report and EPContext facts for the terminal (`inspect --target qnn`).
import type { EpContextFacts } from '../compile/qnn/ep-context.ts';
import type { QnnPlacementReport } from '../compile/qnn/placement.ts';
import { formatBytes } from './format.ts';
import { renderTable } from './table.ts';

/** The per-node placement table, the fallback reasons with their fixes, and the summary counts. */
export function formatQnnPlacement(r: QnnPlacementReport): string {
  const lines: string[] = [];
  lines.push(`QNN placement (ONNX Runtime QNN EP, ${r.backend.toUpperCase()} backend; rules: onnxruntime ${r.rules.onnxruntime}, QNN SDK ${r.rules.qnnSdk})`);
  lines.push(renderTable(['node', 'op', 'placement', 'why', 'fix'], r.nodes.map((n) => [
    n.node, n.op, n.placement,
    n.reasons.map((x) => x.message).join('; ') || (n.placement === 'folded' ? 'constant: ORT folds it' : n.placement === 'context' ? 'precompiled QNN context' : ''),
    [...new Set(n.reasons.map((x) => x.fix))].join('; '),
  ])));
  const c = r.counts;
  lines.push(`${c.npu} on NPU, ${c.cpu} CPU fallback, ${c.folded} folded${c.context ? `, ${c.context} EPContext` : ''} (of ${r.nodes.length} nodes)`);
  const reasons = Object.entries(r.reasons);
  if (reasons.length) lines.push(`fallback reasons: ${reasons.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  lines.push('not verified on a Snapdragon device: placement follows the rules as data in src/compile/qnn/rules/');
  return lines.join('\n');
}

/** The EPContext nodes' attributes as a table. */
export function formatEpContexts(contexts: EpContextFacts[]): string {
  return renderTable(['EPContext', 'embed_mode', 'context', 'main', 'source', 'partition', 'hw arch', 'sdk', 'notes'], contexts.map((e) => [
    e.node, e.embedMode,
    e.contextBytes !== undefined ? `${formatBytes(e.contextBytes)} embedded` : e.contextFile ? `file ${e.contextFile}` : '(none)',
    e.mainContext, e.source ?? '', e.partitionName ?? '', e.hardwareArchitecture ?? '', e.sdkVersion ?? '', e.notes ?? '',
  ]));
}
