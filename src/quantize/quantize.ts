// quantizeModel: runs the graph passes, then the chosen scheme, and records provenance in the model's metadata.
import type { Model } from '../ir/graph.ts';
import { decodeOnnx, encodeOnnx } from '../formats/onnx/index.ts';
import { outputPsnr, worstLayers, type MixedPrecisionOutcome } from './mixed.ts';
import { DEFAULT_PASSES, runPasses } from '../passes/index.ts';
import { eliminateDeadCode } from '../passes/dead-code.ts';
import { toposort } from '../ir/toposort.ts';
import { nameUnnamedNodes } from '../passes/graph-edit.ts';
import { quantizeDynamic } from './dynamic.ts';
import { UsageError } from '../errors.ts';
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
  const wideValues = [...resolved.wideValues];
  const lift = mp.lift ?? (resolved.activationType.endsWith('8') ? '16bit' : 'float');
  if (lift === '16bit' && !resolved.activationType.endsWith('8')) throw new UsageError(`mixed precision cannot lift ${resolved.activationType} activations to 16 bits: they are already`);
  const lifted = lift === '16bit' ? wideValues : floatValues;
  const outcome: MixedPrecisionOutcome = { targetPsnr: mp.targetPsnr, lift, strategy: mp.strategy ?? 'per-layer', rounds: [], lifted: [], psnr: -Infinity, met: false };
  if (mp.strategy === 'prefix') return quantizePrefix(copy, float, resolved, outcome, lifted === wideValues ? 'wideValues' : 'floatValues');
  let firstSize = 0;
  for (let round = 0; ; round++) {
    const result = await quantizeOnce(copy(), { ...resolved, floatValues, wideValues });
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
    const step = Math.max(1, Math.ceil(candidates.size * (mp.step ?? (lift === '16bit' ? 0.08 : 0.04))));
    const worst = await worstLayers(float, result.model, validation, examples, batchSize, candidates, step, new Set([...floatValues, ...wideValues]));
    if (worst.length === 0) {
      result.report.mixedPrecision = { ...outcome, sizeCost: size - firstSize };
      result.report.warnings.push('mixed precision found no layer adding noise to keep in float');
      return result;
    }
    for (const w of worst) {
      lifted.push(w.value);
      outcome.lifted.push(w);
    }
  }
}

/**
 * Mixed precision by bisection over a prefix: lifts the first k activations in topological order (graph inputs first)
 * and searches the smallest k (to 1/64 of them) whose output PSNR meets the target.
 */
async function quantizePrefix(copy: () => Model, float: Model, resolved: ResolvedOptions, outcome: MixedPrecisionOutcome, key: 'wideValues' | 'floatValues'): Promise<QuantizeResult> {
  const mp = resolved.mixedPrecision!;
  const cal = resolved.calibration!;
  const validation = mp.validation ?? cal.source;
  const examples = mp.examples ?? 8;
  const batchSize = Math.min(cal.batchSize, examples);
  let graph = copy();
  if (resolved.runPasses) graph = (await runPasses(graph, DEFAULT_PASSES, { log: () => {} })).model;
  const producer = new Map(graph.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const order = [...graph.graph.inputs.map((v) => v.name), ...toposort(graph.graph).flatMap((n) => n.outputs)];
  const base = resolved[key];
  const measured = new Map<number, { result: QuantizeResult; psnr: number; size: number }>();
  const attempt = async (k: number) => {
    // Lifting to float keeps the producers' weights float too (excluded), not only their outputs.
    const nodes = key === 'floatValues' ? order.slice(0, k).flatMap((v) => producer.get(v)?.name ?? []) : [];
    const result = await quantizeOnce(copy(), { ...resolved, [key]: [...base, ...order.slice(0, k)], exclude: [...resolved.exclude, ...nodes] });
    const psnr = await outputPsnr(float, result.model, validation, examples, batchSize);
    outcome.rounds.push({ psnr, lifted: k });
    const entry = { result, psnr, size: encodeOnnx(result.model).byteLength };
    measured.set(k, entry);
    return entry;
  };
  const first = await attempt(0);
  let chosen = 0;
  if (first.psnr < mp.targetPsnr) {
    const all = await attempt(order.length);
    if (all.psnr < mp.targetPsnr) chosen = order.length;
    else {
      let lo = 0, hi = order.length;
      const resolution = Math.max(1, Math.ceil(order.length / 64));
      while (hi - lo > resolution && outcome.rounds.length < (mp.maxRounds ?? 10)) {
        const mid = (lo + hi) >> 1;
        if ((await attempt(mid)).psnr >= mp.targetPsnr) hi = mid; else lo = mid;
      }
      chosen = hi;
    }
  }
  const { result, psnr, size } = measured.get(chosen)!;
  outcome.psnr = psnr;
  outcome.met = psnr >= mp.targetPsnr;
  outcome.sizeCost = size - first.size;
  outcome.lifted = order.slice(0, chosen).map((value) => ({ node: producer.get(value)?.name ?? value, op: producer.get(value)?.op ?? 'input', value }));
  result.report.mixedPrecision = outcome;
  if (!mp.validation) result.report.warnings.push('mixed precision measured PSNR on the calibration data itself (pass validation data for a held-out figure)');
  if (!outcome.met) result.report.warnings.push(`mixed precision stopped at ${psnr.toFixed(1)} dB, below the ${mp.targetPsnr} dB target`);
  return result;
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
