// quantizeModel: runs the graph passes, then the chosen scheme, and records provenance in the model's metadata.
import type { Model } from '../ir/graph.ts';
import { decodeOnnx, encodeOnnx } from '../formats/onnx/index.ts';
import { outputPsnr, worstLayers, type MixedPrecisionOutcome } from './mixed.ts';
import { DEFAULT_PASSES, runPasses } from '../passes/index.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { nameUnnamedNodes } from '../passes/graph-edit.ts';
import { quantizeDynamic } from './dynamic.ts';
import { ExcludeList } from './exclude.ts';
import { quantizeFp16 } from './fp16.ts';
import { recordProvenance, toolName } from './provenance.ts';
import { emptyReport, type QuantizeReport } from './report.ts';
import { resolveOptions, type QuantizeOptions, type ResolvedOptions, type Scheme } from './schemes.ts';
import { quantizeStatic } from './static.ts';
import { quantizeWeight4 } from './weight4.ts';

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
  'w4': quantizeWeight4,
};

/**
 * Quantizes a model (which is modified in place and returned). Ops a scheme cannot quantize stay
 * float and are listed in the report with the reason.
 * @throws UsageError for an unknown scheme or method, or a static scheme without calibration data.
 */
export async function quantizeModel(model: Model, options: QuantizeOptions): Promise<QuantizeResult> {
  const resolved = resolveOptions(options);
  return resolved.mixedPrecision ? quantizeMixed(model, resolved) : quantizeOnce(model, resolved);
}

/**
 * Automatic mixed precision: quantize, measure the output PSNR on validation data, keep the worst layers (by the
 * noise they add, from per-layer SQNR) in float, and again, until the target holds or the rounds run out.
 */
async function quantizeMixed(model: Model, resolved: ResolvedOptions): Promise<QuantizeResult> {
  const mp = resolved.mixedPrecision!;
  const cal = resolved.calibration!;
  const bytes = encodeOnnx(model);
  const copy = () => decodeOnnx(bytes, '<memory>');
  const float = copy();
  const validation = mp.validation ?? cal.source;
  const examples = mp.examples ?? 8;
  const batchSize = Math.min(cal.batchSize, examples);
  const floatValues = [...resolved.floatValues];
  const outcome: MixedPrecisionOutcome = { targetPsnr: mp.targetPsnr, rounds: [], lifted: [], psnr: -Infinity, met: false };
  let firstSize = 0;
  for (let round = 0; ; round++) {
    const result = await quantizeOnce(copy(), { ...resolved, floatValues });
    const psnr = await outputPsnr(float, result.model, validation, examples, batchSize);
    outcome.rounds.push({ psnr, lifted: outcome.lifted.length });
    outcome.psnr = psnr;
    const size = encodeOnnx(result.model).byteLength;
    if (round === 0) firstSize = size;
    outcome.met = psnr >= mp.targetPsnr;
    const candidates = new Set(result.report.quantized.map((d) => d.node));
    if (outcome.met || round + 1 >= (mp.maxRounds ?? 8) || candidates.size === 0) {
      outcome.sizeCost = size - firstSize;
      result.report.mixedPrecision = outcome;
      if (!mp.validation) result.report.warnings.push('mixed precision measured PSNR on the calibration data itself (pass validation data for a held-out figure)');
      if (!outcome.met) result.report.warnings.push(`mixed precision stopped at ${psnr.toFixed(1)} dB, below the ${mp.targetPsnr} dB target`);
      return result;
    }
    const step = Math.max(1, Math.ceil(candidates.size * 0.04));
    const worst = await worstLayers(float, result.model, validation, examples, batchSize, candidates, step, new Set(floatValues));
    if (worst.length === 0) {
      result.report.mixedPrecision = { ...outcome, sizeCost: size - firstSize };
      result.report.warnings.push('mixed precision found no layer adding noise to keep in float');
      return result;
    }
    for (const w of worst) {
      floatValues.push(w.value);
      outcome.lifted.push(w);
    }
  }
}

async function quantizeOnce(model: Model, resolved: ResolvedOptions): Promise<QuantizeResult> {
  const report = emptyReport(resolved.scheme);
  let current = model;
  if (resolved.runPasses) {
    current = (await runPasses(current, DEFAULT_PASSES, { log: (m) => report.passLog.push(m) })).model;
  }
  nameUnnamedNodes(current.graph);
  const exclude = new ExcludeList(resolved.exclude);
  const usesData = resolved.scheme === 'w8a8' || resolved.scheme === 'w8a16' || resolved.scheme === 'fp16';
  const cal = usesData ? resolved.calibration : undefined;
  if (resolved.calibration && !usesData) report.warnings.push(`scheme ${resolved.scheme} does not use calibration data; ignored`);
  if (cal) {
    report.method = cal.method;
    report.calibrationData = cal.source.description;
  }
  current = await IMPLEMENTATIONS[resolved.scheme](current, resolved, exclude, report);
  eliminateDeadCode(current.graph);
  for (const e of exclude.unmatched()) report.warnings.push(`--exclude '${e}' matches no node name or op type`);
  recordProvenance(current, {
    scheme: resolved.scheme,
    ...(cal ? { method: cal.method, dataFingerprint: await cal.source.fingerprint(), calibrationData: cal.source.description, calibrationExamples: Math.min(cal.limit, cal.source.count ?? cal.limit) } : {}),
    excluded: exclude.list(),
    perChannel: resolved.perChannel,
    symmetric: resolved.symmetric,
    ...(resolved.scheme === 'w8a8' || resolved.scheme === 'w8a16' ? { activationType: resolved.activationType } : {}),
    ...(resolved.scheme === 'w4' ? { blockSize: resolved.blockSize } : {}),
    tool: toolName(),
    date: new Date().toISOString(),
  });
  return { model: current, report };
}
