// What a quantization did: nodes quantized, nodes left in float and why, overflows, warnings.
import type { CalibrationMethod } from './calibrate/calibrator.ts';
import type { Scheme } from './schemes.ts';

/** One node and what happened to it. */
export interface NodeDecision {
  node: string;
  op: string;
  /** How it was quantized, or why it stayed float. */
  detail: string;
  /** The If/Loop/Scan body holding the node (see quantize/subgraphs.ts); absent in the main graph. */
  scope?: string;
}

/** A constant or activation whose values exceed the float16 range (clamped to ±65504). */
export interface Fp16Overflow {
  tensor: string;
  kind: 'constant' | 'activation';
  /** Values clamped (constants), or 0 for activations (whose calibrated range is given instead). */
  count: number;
  maxAbs: number;
}

/** What automatic mixed precision (src/pipeline/mixed-precision.ts) did, as recorded in the report. */
export interface MixedPrecisionOutcome {
  targetPsnr: number;
  /** What lifted activations became. */
  lift: 'float' | '16bit';
  /** Output PSNR of each round (first: nothing lifted). */
  rounds: { psnr: number; lifted: number }[];
  /** Activations lifted (the outputs of the noisiest layers), in the order they were lifted, with their SQNR then. */
  lifted: { node: string; op: string; value: string; sqnr?: number }[];
  /** How layers were chosen. */
  strategy: 'per-layer' | 'prefix';
  /** Final output PSNR on the validation data. */
  psnr: number;
  met: boolean;
  /** Bytes of the float weights the lifted nodes keep (the size cost), measured as file bytes after − before lifting. */
  sizeCost?: number;
}

/** What was done inside one If/Loop/Scan body (the decisions themselves carry its `scope`). */
export interface SubgraphSummary {
  /** e.g. `If '/If' then_branch`. */
  scope: string;
  /** Nodes quantized (or run in float16) inside the body, and per op type. */
  quantized: number;
  quantizedOps: Record<string, number>;
  /** Nodes computing on float that stay float inside the body. */
  float: number;
  /** Integer (int8/uint8/4-bit/16-bit) weight tensors stored inside the body. */
  integerWeights: number;
  /** float16 constants stored inside the body. */
  float16Constants: number;
  /** DequantizeLinear nodes inside the body. */
  dequantizeLinear: number;
}

/** The report {@link quantizeModel} returns beside the model. */
export interface QuantizeReport {
  scheme: Scheme;
  method?: CalibrationMethod;
  /** Description of the calibration data, when used. */
  calibrationData?: string;
  quantized: NodeDecision[];
  /** Nodes computing on float tensors that stay float, with the reason. */
  float: NodeDecision[];
  fp16Overflows: Fp16Overflow[];
  warnings: string[];
  /** One line per graph pass that changed something before quantizing. */
  passLog: string[];
  /** Static schemes: activations quantized (Q/DQ pairs or quantized constants), and how many of them in 16 bits. */
  activations?: { quantized: number; sixteenBit: number };
  /** 16-bit min/max activation ranges widened by `fraction` of their span each side (calibrate/headroom.ts). */
  headroom?: { fraction: number; tensors: number };
  /** Static schemes with `readerRanges`: 8-bit activation ranges narrowed to what their readers can tell apart. */
  readerRanges?: number;
  /** Static schemes: the target runtime, the activation type and why (the target's rule or the user's choice). */
  types?: { target: string; activationType: string; reason: string };
  /** What automatic mixed precision did, when asked for. */
  mixedPrecision?: MixedPrecisionOutcome;
  /** Per If/Loop/Scan body, when the model has any. */
  subgraphs?: SubgraphSummary[];
  /** What each post-training step (`--ptq`) did. */
  ptq?: PtqOutcome[];
}

/** What one post-training step did, for the report. */
export interface PtqOutcome {
  step: string;
  /** Weight tensors it changed. */
  weights: number;
  /** One line saying what it did and what that bought, measured. */
  summary: string;
  /**
   * Per weight, the layer-output error (mean squared, per output channel, calibration inputs) before and after the step;
   * `power`: the layer's float output in the same units (mean square per output channel), so after/power is its own noise.
   */
  layers?: { node: string; weight: string; before: number; after: number; power?: number }[];
}

/** An empty report for a scheme. */
export function emptyReport(scheme: Scheme): QuantizeReport {
  return { scheme, quantized: [], float: [], fp16Overflows: [], warnings: [], passLog: [] };
}

/** Reasons grouped: reason → node names (for terse printing). */
export function groupFloatReasons(report: QuantizeReport): Map<string, NodeDecision[]> {
  const groups = new Map<string, NodeDecision[]>();
  for (const d of report.float) {
    const list = groups.get(d.detail);
    if (list) list.push(d); else groups.set(d.detail, [d]);
  }
  return groups;
}

/** File sizes before and after, for the printed summary. */
export interface SizeFigures {
  before: number;
  after: number;
}

/** The report as terminal text: sizes and ratio, what was quantized by op, what stayed float and why. */
export function formatQuantizeReport(report: QuantizeReport, sizes?: SizeFigures, formatBytes: (n: number) => string = (n) => `${n} B`): string {
  const lines: string[] = [];
  const method = report.method ? `, calibration ${report.method} on ${report.calibrationData ?? 'data'}` : '';
  lines.push(`scheme ${report.scheme}${method}`);
  if (sizes) lines.push(`size ${formatBytes(sizes.before)} → ${formatBytes(sizes.after)} (${((sizes.after / sizes.before) * 100).toFixed(1)}% of the original, ${(sizes.before / sizes.after).toFixed(2)}× smaller)`);
  const byOp = new Map<string, number>();
  for (const d of report.quantized) byOp.set(d.op, (byOp.get(d.op) ?? 0) + 1);
  const ops = [...byOp].map(([op, n]) => `${op} ×${n}`).join(', ');
  const details = new Map<string, Set<string>>();
  for (const d of report.quantized) details.set(d.detail, (details.get(d.detail) ?? new Set()).add(d.op));
  lines.push(`quantized ${report.quantized.length} node(s)${ops ? `: ${ops}` : ''}${details.size === 1 ? ` (${report.quantized[0].detail})` : ''}`);
  // Ops quantized differently (e.g. LSTM weights-only beside Q/DQ Gemm) each say how.
  if (details.size > 1) for (const [detail, opsWith] of details) lines.push(`  ${[...opsWith].join(', ')}: ${detail}`);
  if (report.types) lines.push(`activation type for target ${report.types.target}: ${report.types.reason}`);
  if (report.readerRanges !== undefined) lines.push(`reader ranges: ${report.readerRanges} 8-bit activation range(s) narrowed to what their readers tell apart (HardSwish below −3, Relu below 0, HardSigmoid/Clip bounds; exact)`);
  if (report.headroom) lines.push(`16-bit activations: ${report.headroom.tensors} min/max range(s) widened by ${report.headroom.fraction * 100}% of their span each side (held-out values past the calibration extremes are not clipped)`);
  for (const p of report.ptq ?? []) lines.push(`${p.step}: ${p.summary}`);
  if (report.float.length) {
    lines.push(`left in float ${report.float.length} node(s):`);
    for (const [reason, nodes] of groupFloatReasons(report)) {
      const names = nodes.slice(0, 6).map((d) => `${d.node} (${d.op})`).join(', ');
      lines.push(`  ${reason}: ${names}${nodes.length > 6 ? `, … ${nodes.length - 6} more` : ''}`);
    }
  }
  for (const sub of report.subgraphs ?? []) lines.push(formatSubgraph(report, sub));
  for (const o of report.fp16Overflows) {
    lines.push(o.kind === 'constant'
      ? `float16 overflow: ${o.count} value(s) of constant '${o.tensor}' clamped to ±65504 (max |x| ${o.maxAbs.toExponential(3)})`
      : `float16 overflow: activation '${o.tensor}' reaches ${o.maxAbs.toExponential(3)}; its producer stays float32`);
  }
  const mp = report.mixedPrecision;
  if (mp) {
    const lifted = mp.lifted.map((l) => `${l.node} (${l.op}${l.sqnr !== undefined ? `, ${l.sqnr.toFixed(1)} dB` : ''})`);
    lines.push(`mixed precision: output PSNR ${mp.psnr.toFixed(1)} dB (target ${mp.targetPsnr} dB${mp.met ? ', met' : ', NOT met'}) after ${mp.rounds.length} round(s) [${mp.rounds.map((r) => r.psnr.toFixed(1)).join(' → ')}]`);
    const how = mp.lift === '16bit' ? 'lifted to 16 bits' : 'kept in float';
    const notEight = mp.lift === '16bit' ? report.activations?.sixteenBit ?? lifted.length : lifted.length;
    const share = report.activations ? ` (${notEight} of ${report.activations.quantized + (mp.lift === '16bit' ? 0 : lifted.length)} activations not in 8 bits)` : '';
    if (lifted.length) lines.push(`  ${how} ${lifted.length} activation(s)${share}${mp.sizeCost !== undefined ? `, +${formatBytes(mp.sizeCost)}` : ''}: ${lifted.slice(0, 8).join(', ')}${lifted.length > 8 ? `, … ${lifted.length - 8} more` : ''}`);
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** One body as text: `If '/If' then_branch: 2 node(s) quantized (LSTM ×1, Gemm ×1), 3 weight(s) int8; float: 4 (why…)`. */
function formatSubgraph(report: QuantizeReport, sub: SubgraphSummary): string {
  const ops = Object.entries(sub.quantizedOps).map(([op, n]) => `${op} ×${n}`).join(', ');
  const parts = [`${sub.quantized} node(s) ${report.scheme === 'fp16' ? 'in float16' : 'quantized'}${ops ? ` (${ops})` : ''}`];
  if (sub.integerWeights) parts.push(`${sub.integerWeights} weight(s) ${report.scheme === 'w4' ? '4-bit' : 'int8'}`);
  if (sub.float16Constants) parts.push(`${sub.float16Constants} constant(s) float16`);
  const reasons = new Map<string, string[]>();
  for (const d of report.float.filter((x) => x.scope === sub.scope)) reasons.set(d.detail, [...(reasons.get(d.detail) ?? []), d.op]);
  const why = [...reasons].map(([reason, ops]) => `${[...new Set(ops)].join('/')} ×${ops.length}: ${reason}`).join('; ');
  return `${sub.scope}: ${parts.join(', ')}${sub.float ? `; stays float ${sub.float} node(s) — ${why}` : ''}`;
}
