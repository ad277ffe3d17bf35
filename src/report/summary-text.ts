// Renders a ModelSummary for the terminal.
import { formatBytes, formatCount, formatShape } from './format.ts';
import { formatEpContexts, formatQnnPlacement } from './qnn-text.ts';
import type { ModelSummary } from './summary.ts';
import { formatTflitePlacement } from './tflite-placement-text.ts';
import { renderTable } from './table.ts';
import { formatCoreMlFacts } from './coreml-summary.ts';

/** The text `ondevice inspect` prints. */
export function formatSummary(s: ModelSummary): string {
  const lines: string[] = [];
  lines.push(`${s.file}  (${s.format}, ${formatBytes(s.fileBytes)}${s.externalDataBytes ? ` + ${formatBytes(s.externalDataBytes)} external data` : ''})`);
  if (s.coreml) lines.push(`producer: ${s.producer}`, ...formatCoreMlFacts(s.coreml));
  else lines.push(`producer: ${s.producer}   ir_version: ${s.irVersion}   opsets: ${s.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`);
  if (s.tfjs) {
    const storage = Object.entries(s.tfjs.weightStorage).map(([d, n]) => `${n} ${d}`).join(', ') || 'none';
    lines.push(`TF.js ${s.tfjs.kind}${s.tfjs.convertedBy ? `, converted by ${s.tfjs.convertedBy}` : ''}${s.tfjs.generatedBy ? ` (from ${s.tfjs.generatedBy})` : ''}; weights: ${storage} in ${s.tfjs.shards} shard${s.tfjs.shards === 1 ? '' : 's'} (${formatBytes(s.tfjs.shardBytes)})`);
  }
  lines.push('');
  lines.push(renderTable(['', 'name', 'dtype', 'shape'], [
    ...s.inputs.map((i) => ['input', i.name, i.dtype, formatShape(i.shape)]),
    ...s.outputs.map((o) => ['output', o.name, o.dtype, formatShape(o.shape)]),
  ]));
  lines.push('');
  lines.push(`${formatCount(s.nodeCount)} nodes, ${formatCount(s.parameters)} parameters`);
  lines.push(renderTable(['op', 'count'], Object.entries(s.ops).map(([op, n]) => [op, n])));
  const dtypes = Object.entries(s.bytesByDtype);
  if (dtypes.length && !s.coreml) lines.push(renderTable(['weights dtype', 'bytes'], dtypes.map(([d, b]) => [d, formatBytes(b!)])));
  const meta = Object.entries(s.metadata).filter(([k]) => k !== QUANTIZATION_KEY);
  if (meta.length) lines.push(renderTable(['metadata', 'value'], meta.map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 57)}...` : v])));
  const provenance = quantizationRows(s.metadata[QUANTIZATION_KEY]);
  if (provenance.length) lines.push(renderTable(['quantized by ondevice', ''], provenance));
  if (s.epContexts?.length) lines.push(formatEpContexts(s.epContexts));
  if (s.qnn) lines.push('', formatQnnPlacement(s.qnn));
  if (s.tflite) lines.push('', formatTflitePlacement(s.tflite));
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** Metadata key under which `ondevice quantize` records how a model was made. */
const QUANTIZATION_KEY = 'ondevice.quantization';

/** The quantization record as table rows (each field on its own row; long values shortened). */
function quantizationRows(json: string | undefined): string[][] {
  if (!json) return [];
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return [['(unreadable)', json.slice(0, 57)]];
  }
  return Object.entries(record).map(([k, v]) => {
    const text = Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : String(v);
    return [k, text.length > 60 ? `${text.slice(0, 57)}...` : text];
  });
}
