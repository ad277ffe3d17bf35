// quantizeModel: runs the graph passes, then the chosen scheme, and records provenance in the model's metadata.
import type { Model } from '../ir/graph.ts';
import { assertValid } from '../ir/verify.ts';
import { DEFAULT_PASSES, runPasses } from '../passes/index.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { nameUnnamedNodes } from '../passes/graph-edit.ts';
import { liftForeignOrThrow } from '../passes/lift-foreign.ts';
import { quantizeDynamic } from './dynamic.ts';
import { ExcludeList } from './exclude.ts';
import { quantizeFp16 } from './fp16.ts';
import { recordProvenance, toolName } from './provenance.ts';
import { emptyReport, type QuantizeReport } from './report.ts';
import { resolveOptions, STATIC_SCHEMES, type QuantizeOptions, type ResolvedOptions, type Scheme } from './schemes.ts';
import { quantizeStatic } from './static.ts';
import { quantizeWeight4 } from './weight4.ts';
import { dequantizeBeforeQuantizing } from './pre-quantized.ts';
import { prepareControlFlow, summarizeSubgraphs } from './control-flow.ts';
import { hasSubgraphs, scopedGraphs } from './subgraphs.ts';

/** The quantized model and what was done to it. */
export interface QuantizeResult {
  model: Model;
  report: QuantizeReport;
}

type SchemeImpl = (model: Model, options: ResolvedOptions, exclude: ExcludeList, report: QuantizeReport) => Promise<Model>;

const IMPLEMENTATIONS: Record<Scheme, SchemeImpl> = {
  'fp16': quantizeFp16,
  'int8-dynamic': quantizeDynamic,
  'w8a8': quantizeStatic,
  'w8a16': quantizeStatic,
  'w4a8': quantizeStatic,
  'w4a16': quantizeStatic,
  'w4': quantizeWeight4,
};

/**
 * Quantizes a model (which is modified in place and returned). Ops a scheme cannot quantize stay
 * float and are listed in the report with the reason.
 * @throws GraphError for a graph the verifier rejects (checked first, so no scheme works on a broken graph);
 *   UsageError for an unknown scheme or method, or a static scheme without calibration data.
 */
export async function quantizeModel(model: Model, options: QuantizeOptions): Promise<QuantizeResult> {
  // A model read from .tflite or TF.js is lifted to ONNX ops first (GraphError listing any op that cannot be); a TF.js
  // model whose input shapes are open is best lifted by the caller with them (liftForeignOrThrow, as `ondevice quantize` does).
  return quantizeOnce(liftForeignOrThrow(model).model, resolveOptions(options));
}

async function quantizeOnce(model: Model, resolved: ResolvedOptions): Promise<QuantizeResult> {
  assertValid(model);
  const report = emptyReport(resolved.scheme);
  const dequantizedFrom = dequantizeBeforeQuantizing(model, resolved.scheme, report);
  let current = model;
  if (resolved.runPasses) {
    current = (await runPasses(current, DEFAULT_PASSES, { log: (m) => report.passLog.push(m) })).model;
  }
  if (hasSubgraphs(current)) await prepareControlFlow(current, resolved, report);
  for (const { graph } of scopedGraphs(current)) nameUnnamedNodes(graph);
  const exclude = new ExcludeList(resolved.exclude);
  const usesData = STATIC_SCHEMES.includes(resolved.scheme) || resolved.scheme === 'fp16';
  const cal = usesData ? resolved.calibration : undefined;
  if (resolved.calibration && !usesData) report.warnings.push(`scheme ${resolved.scheme} does not use calibration data; ignored`);
  if (cal) {
    report.method = cal.method;
    report.calibrationData = cal.source.description;
  }
  current = await IMPLEMENTATIONS[resolved.scheme](current, resolved, exclude, report);
  for (const { graph } of scopedGraphs(current)) eliminateDeadCode(graph);
  if (hasSubgraphs(current)) report.subgraphs = summarizeSubgraphs(current, report);
  for (const e of exclude.unmatched()) report.warnings.push(`--exclude '${e}' matches no node name or op type`);
  recordProvenance(current, {
    scheme: resolved.scheme,
    ...(cal ? { method: cal.method, dataFingerprint: await cal.source.fingerprint(), calibrationData: cal.source.description, calibrationExamples: Math.min(cal.limit, cal.source.count ?? cal.limit) } : {}),
    excluded: exclude.list(),
    perChannel: resolved.perChannel,
    symmetric: resolved.symmetric,
    ...(STATIC_SCHEMES.includes(resolved.scheme)
      ? { target: resolved.target, activationType: resolved.activationType, activationTypeReason: resolved.activationTypeReason } : {}),
    ...(resolved.scheme === 'w4' ? { blockSize: resolved.blockSize } : resolved.weightBlock ? { blockSize: resolved.weightBlock } : {}),
    ...(resolved.ptq.length ? { ptq: [...resolved.ptq] } : {}),
    ...(resolved.readerRanges ? { readerRanges: true } : {}),
    ...(resolved.wideValues.length ? { wideValues: [...resolved.wideValues] } : {}),
    ...(resolved.floatValues.length ? { floatValues: [...resolved.floatValues] } : {}),
    ...(resolved.int8Weights.length ? { int8Weights: [...resolved.int8Weights] } : {}),
    ...(dequantizedFrom ? { dequantizedFrom } : {}),
    tool: toolName(),
    date: new Date().toISOString(),
  });
  return { model: current, report };
}
