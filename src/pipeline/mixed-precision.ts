// Automatic mixed precision: quantize, measure output PSNR on validation data, lift the layers that add the most
// noise (to 16 bits or float), and repeat until the target holds. A pipeline: it drives quantize and evaluate.
import type { DataSource } from '../data/source.ts';
import { analyzeLayers } from '../evaluate/per-layer.ts';
import { asNumbers } from '../evaluate/compare.ts';
import { argmax } from '../evaluate/classify.ts';
import { FidelityAccumulator } from '../evaluate/metrics.ts';
import type { Model } from '../ir/graph.ts';
import { onnxReferenceRuntime } from '../runtimes/onnx-reference.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { acceptAnyBatch } from '../runtimes/any-batch.ts';
import { writeTempModel } from '../formats/temp-model.ts';
import { decodeOnnx, encodeOnnx } from '../formats/onnx/index.ts';
import { UsageError } from '../errors.ts';
import { inferTypes } from '../ir/infer.ts';
import { toposort } from '../ir/toposort.ts';
import { DEFAULT_PASSES, runPasses } from '../passes/index.ts';
import { quantizeModel, type QuantizeResult } from '../quantize/quantize.ts';
import type { MixedPrecisionOutcome } from '../quantize/report.ts';
import { resolveOptions, STATIC_SCHEMES, type QuantizeOptions, type ResolvedOptions } from '../quantize/schemes.ts';

/** Validation examples mixed precision measures by default: enough that one flipped prediction shows. */
const DEFAULT_VALIDATION_EXAMPLES = 32;

/** Options of automatic mixed precision (static schemes). */
export interface MixedPrecisionOptions {
  /** Lowest acceptable output PSNR in dB (20·log10(max|ref| / RMSE)), over every model output. */
  targetPsnr: number;
  /** Data the PSNR is measured on; default the calibration data (then the figure is not on held-out data: a warning says so). */
  validation?: DataSource;
  /** Validation examples to use (default 32, or all the validation data has if fewer). */
  examples?: number;
  /** Rounds of quantize → measure → lift (default 8). */
  maxRounds?: number;
  /**
   * What a lifted activation becomes: '16bit' (uint16/int16 Q/DQ: no size cost, the op keeps running on dequantized
   * values) or 'float' (no Q/DQ at all). Default '16bit' for 8-bit activations, 'float' for 16-bit ones.
   */
  lift?: 'float' | '16bit';
  /** Fraction of the quantized nodes lifted per round (default 0.04 when lifting to float, 0.08 to 16 bits). */
  step?: number;
  /**
   * How layers are chosen. 'per-layer' (default): the noisiest by per-layer SQNR, a step a round. 'prefix': the
   * shortest run of activations from the input side (topological order) whose lifting meets the target, found by
   * bisection (~7 rounds); noise injected early is amplified by everything after it, which per-layer SQNR misses.
   */
  strategy?: 'per-layer' | 'prefix';
  /**
   * Finishes each candidate in place before it is measured, given the values lifted in it: e.g. a compiler completing
   * node units (QNN adds the Q/DQ a plain quantizer leaves out), so the search measures what will be written.
   */
  complete?: (model: Model, lifted: { wideValues: string[]; floatValues: string[] }) => Promise<void>;
  /** Prefix strategy only: values lifted before the prefix from the input side (e.g. graph outputs, whose own grid caps the PSNR). */
  liftFirst?: string[];
}

/** What {@link measureCandidate} found: fidelity to the reference, and top-1 accuracy of both where the data has labels. */
export interface CandidateFigures {
  /** Lowest PSNR over the outputs, dB. */
  psnr: number;
  /** Top-1 accuracy (0–1) of the candidate's first output, and of the reference's, when the data carries labels. */
  accuracy?: number;
  referenceAccuracy?: number;
}

/**
 * Runs `reference` (onnxruntime) and `candidate` (`onnx-reference`: exact Q/DQ, so the figures describe the model, not
 * this host's kernels) on `examples` examples of `source`: lowest output PSNR, and accuracies where labelled.
 */
export async function measureCandidate(reference: Model, candidate: Model, source: DataSource, examples: number, batchSize: number): Promise<CandidateFigures> {
  const runtime = await resolveRuntime({ name: 'ort-node' });
  const temps = [await writeTempModel(reference, 'reference.onnx'), await writeTempModel(candidate, 'candidate.onnx')];
  const sessions = [acceptAnyBatch(await runtime.load(temps[0].path)), acceptAnyBatch(await onnxReferenceRuntime.load(temps[1].path))];
  try {
    const accs = new Map<string, FidelityAccumulator>();
    const correct = [0, 0];
    let labelled = 0;
    for await (const batch of source.batches(batchSize, examples)) {
      const feeds = Object.fromEntries(sessions[0].inputs.map((i) => [i.name, batch.inputs[i.name]]));
      const [ref, got] = [await sessions[0].run(feeds), await sessions[1].run(feeds)];
      for (const name of Object.keys(ref)) {
        const a = asNumbers(ref[name]), b = asNumbers(got[name]);
        if (!a || !b) continue;
        if (!accs.has(name)) accs.set(name, new FidelityAccumulator());
        accs.get(name)!.add(a, b);
      }
      const first = sessions[0].outputs[0]?.name;
      const labels = batch.labels;
      if (labels && first && ref[first] && got[first]) {
        const n = labels.length;
        [ref[first], got[first]].forEach((t, k) => {
          const v = asNumbers(t)!;
          const per = v.length / n;
          for (let i = 0; i < n; i++) if (argmax(Array.prototype.slice.call(v, i * per, (i + 1) * per)) === labels[i]) correct[k]++;
        });
        labelled += n;
      }
    }
    const psnr = Math.min(...[...accs.values()].map((a) => a.result().psnr));
    return labelled ? { psnr, accuracy: correct[1] / labelled, referenceAccuracy: correct[0] / labelled } : { psnr };
  } finally {
    for (const s of sessions) await s.release();
    for (const t of temps) t.dispose();
  }
}

/**
 * Lowest PSNR over the outputs of `candidate` against `reference` on `examples` examples of `source`. The candidate
 * runs by `onnx-reference` (exact Q/DQ), so what mixed precision lifts depends on the model, not on this host's kernels.
 */
export async function outputPsnr(reference: Model, candidate: Model, source: DataSource, examples: number, batchSize: number): Promise<number> {
  return (await measureCandidate(reference, candidate, source, examples, batchSize)).psnr;
}

/**
 * Ranks the quantized nodes of `quantized` by the noise each adds (per-layer SQNR against `float`), and returns the
 * `count` worst that are in `candidates` (node names that were quantized).
 */
export async function worstLayers(float: Model, quantized: Model, source: DataSource, examples: number, batchSize: number, candidates: ReadonlySet<string>, count: number, skipValues: ReadonlySet<string> = new Set()): Promise<{ node: string; op: string; value: string; sqnr: number }[]> {
  const analysis = await analyzeLayers(float, quantized, source, { limit: examples, batchSize });
  return analysis.ranking.filter((l) => candidates.has(l.node) && !skipValues.has(l.value) && l.addedNoise > 0).slice(0, count).map((l) => ({ node: l.node, op: l.op, value: l.value, sqnr: l.sqnr }));
}

/**
 * Automatic mixed precision (static schemes): quantize, measure the output PSNR on validation data, keep the worst layers (by the
 * noise they add, from per-layer SQNR) in float, and again, until the target holds or the rounds run out.
 */
export async function quantizeMixedPrecision(model: Model, options: QuantizeOptions, mp: MixedPrecisionOptions): Promise<QuantizeResult> {
  const resolved = resolveOptions(options);
  if (!STATIC_SCHEMES.includes(resolved.scheme)) throw new UsageError(`mixed precision needs a static scheme (w8a8, w8a16), not ${resolved.scheme}`);
  if (!(Number.isFinite(mp.targetPsnr) && mp.targetPsnr > 0)) throw new UsageError(`mixed precision needs a positive target PSNR in dB, got ${mp.targetPsnr}`);
  const cal = resolved.calibration!;
  const bytes = encodeOnnx(model);
  const copy = () => decodeOnnx(bytes, '<memory>');
  const float = copy();
  const validation = mp.validation ?? cal.source;
  const examples = mp.examples ?? DEFAULT_VALIDATION_EXAMPLES;
  const batchSize = Math.min(cal.batchSize, examples);
  const floatValues = [...resolved.floatValues];
  const wideValues = [...resolved.wideValues];
  const lift = mp.lift ?? (resolved.activationType.endsWith('8') ? '16bit' : 'float');
  if (lift === '16bit' && !resolved.activationType.endsWith('8')) throw new UsageError(`mixed precision cannot lift ${resolved.activationType} activations to 16 bits: they are already`);
  const lifted = lift === '16bit' ? wideValues : floatValues;
  const outcome: MixedPrecisionOutcome = { targetPsnr: mp.targetPsnr, lift, strategy: mp.strategy ?? 'per-layer', rounds: [], lifted: [], psnr: -Infinity, met: false };
  if (mp.strategy === 'prefix') return quantizePrefix(copy, float, options, resolved, mp, outcome, lifted === wideValues ? 'wideValues' : 'floatValues');
  let firstSize = 0;
  for (let round = 0; ; round++) {
    const result = await quantizeModel(copy(), { ...options, floatValues, wideValues });
    await mp.complete?.(result.model, { wideValues: [...wideValues], floatValues: [...floatValues] });
    const psnr = await outputPsnr(float, result.model, validation, examples, batchSize);
    outcome.rounds.push({ psnr, lifted: outcome.lifted.length });
    outcome.psnr = psnr;
    const size = encodeOnnx(result.model).byteLength;
    if (round === 0) firstSize = size;
    outcome.met = psnr >= mp.targetPsnr;
    const candidates = new Set(result.report.quantized.map((d) => d.node));
    if (outcome.met || round + 1 >= (mp.maxRounds ?? 8) || candidates.size === 0) {
      outcome.sizeCost = size - firstSize;
      return finish(result, outcome, mp);
    }
    const step = Math.max(1, Math.ceil(candidates.size * (mp.step ?? (lift === '16bit' ? 0.08 : 0.04))));
    const worst = await worstLayers(float, result.model, validation, examples, batchSize, candidates, step, new Set([...floatValues, ...wideValues]));
    if (worst.length === 0) {
      result.report.warnings.push('mixed precision found no layer adding noise to keep in float');
      return finish(result, { ...outcome, sizeCost: size - firstSize }, mp);
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
async function quantizePrefix(copy: () => Model, float: Model, options: QuantizeOptions, resolved: ResolvedOptions, mp: MixedPrecisionOptions, outcome: MixedPrecisionOutcome, key: 'wideValues' | 'floatValues'): Promise<QuantizeResult> {
  const cal = resolved.calibration!;
  const validation = mp.validation ?? cal.source;
  const examples = mp.examples ?? DEFAULT_VALIDATION_EXAMPLES;
  const batchSize = Math.min(cal.batchSize, examples);
  let graph = copy();
  if (resolved.runPasses) graph = (await runPasses(graph, DEFAULT_PASSES, { log: () => {} })).model;
  const producer = new Map(graph.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  // Only float32 tensors are quantized activations: lifting (and counting) Shape outputs, indices or masks buys nothing.
  const types = inferTypes(graph, { tolerant: true });
  const isFloat = (v: string) => { const t = types.get(v); return t?.kind === 'tensor' && t.dtype === 'float32'; };
  const early = (mp.liftFirst ?? []).filter(isFloat);
  const order = [...early, ...[...graph.graph.inputs.map((v) => v.name), ...toposort(graph.graph).flatMap((n) => n.outputs)].filter((v) => isFloat(v) && !early.includes(v))];
  const base = resolved[key];
  const measured = new Map<number, { result: QuantizeResult; psnr: number; size: number }>();
  const attempt = async (k: number) => {
    // Lifting to float keeps the producers' weights float too (excluded), not only their outputs.
    const nodes = key === 'floatValues' ? order.slice(0, k).flatMap((v) => producer.get(v)?.name ?? []) : [];
    const lifted = { wideValues: [...resolved.wideValues], floatValues: [...resolved.floatValues], [key]: [...base, ...order.slice(0, k)] };
    const result = await quantizeModel(copy(), { ...options, ...lifted, exclude: [...resolved.exclude, ...nodes] });
    await mp.complete?.(result.model, lifted);
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
  return finish(result, outcome, mp);
}

/** Records the outcome on the report with the warnings every strategy owes: data not held out, target missed. */
function finish(result: QuantizeResult, outcome: MixedPrecisionOutcome, mp: MixedPrecisionOptions): QuantizeResult {
  result.report.mixedPrecision = outcome;
  if (!mp.validation) result.report.warnings.push('mixed precision measured PSNR on the calibration data itself (give held-out data with --validation DATA)');
  if (!outcome.met) result.report.warnings.push(`mixed precision stopped at ${outcome.psnr.toFixed(1)} dB, below the ${mp.targetPsnr} dB target`);
  return result;
}

