// Automatic mixed precision: quantize, measure output PSNR on validation data, keep the layers that add the most
// noise in float, and repeat until the target holds.
import type { DataSource } from '../data/source.ts';
import { analyzeLayers } from '../evaluate/per-layer.ts';
import { asNumbers } from '../evaluate/compare.ts';
import { FidelityAccumulator } from '../evaluate/metrics.ts';
import type { Model } from '../ir/graph.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { writeTempModel } from './calibrate/augment.ts';

/** Options of automatic mixed precision (static schemes). */
export interface MixedPrecisionOptions {
  /** Lowest acceptable output PSNR in dB (20·log10(max|ref| / RMSE)), over every model output. */
  targetPsnr: number;
  /** Data the PSNR is measured on; default the calibration data (then the figure is not on held-out data: a warning says so). */
  validation?: DataSource;
  /** Validation examples to use (default 8). */
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
}

/** What mixed precision did, as recorded in the report. */
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

/** Lowest PSNR over the outputs of `candidate` against `reference` on `examples` examples of `source`. */
export async function outputPsnr(reference: Model, candidate: Model, source: DataSource, examples: number, batchSize: number): Promise<number> {
  const runtime = await resolveRuntime({ name: 'ort-node' });
  const temps = [await writeTempModel(reference, 'reference.onnx'), await writeTempModel(candidate, 'candidate.onnx')];
  const sessions = [await runtime.load(temps[0].path), await runtime.load(temps[1].path)];
  try {
    const accs = new Map<string, FidelityAccumulator>();
    for await (const batch of source.batches(batchSize, examples)) {
      const feeds = Object.fromEntries(sessions[0].inputs.map((i) => [i.name, batch.inputs[i.name]]));
      const [ref, got] = [await sessions[0].run(feeds), await sessions[1].run(feeds)];
      for (const name of Object.keys(ref)) {
        const a = asNumbers(ref[name]), b = asNumbers(got[name]);
        if (!a || !b) continue;
        if (!accs.has(name)) accs.set(name, new FidelityAccumulator());
        accs.get(name)!.add(a, b);
      }
    }
    return Math.min(...[...accs.values()].map((a) => a.result().psnr));
  } finally {
    for (const s of sessions) await s.release();
    for (const t of temps) t.dispose();
  }
}

/**
 * Ranks the quantized nodes of `quantized` by the noise each adds (per-layer SQNR against `float`), and returns the
 * `count` worst that are in `candidates` (node names that were quantized).
 */
export async function worstLayers(float: Model, quantized: Model, source: DataSource, examples: number, batchSize: number, candidates: ReadonlySet<string>, count: number, skipValues: ReadonlySet<string> = new Set()): Promise<{ node: string; op: string; value: string; sqnr: number }[]> {
  const analysis = await analyzeLayers(float, quantized, source, { limit: examples, batchSize });
  return analysis.ranking.filter((l) => candidates.has(l.node) && !skipValues.has(l.value) && l.addedNoise > 0).slice(0, count).map((l) => ({ node: l.node, op: l.op, value: l.value, sqnr: l.sqnr }));
}
