// proposeExclusions: greedily keep the worst layers in float, re-quantize, measure, and pick the cheapest list that recovers accuracy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from '../data/source.ts';
import { readModel, writeModel } from '../formats/registry.ts';
import { quantizeModel } from '../quantize/quantize.ts';
import type { QuantizeOptions } from '../quantize/schemes.ts';
import type { Progress } from '../util/progress.ts';
import { evaluateModels } from '../evaluate/compare.ts';
import { judgedFigures, worstPsnr } from '../evaluate/verdict.ts';
import type { LayerError } from '../evaluate/per-layer.ts';

/** One re-quantization with the worst `exclude.length` layers kept in float. */
export interface ExclusionTrial {
  exclude: string[];
  /** Top-1 accuracy (fraction), or undefined without labels. */
  top1?: number;
  /** Lowest output PSNR against the float model, in dB. */
  psnr: number;
  sizeBytes: number;
}

/** The recommended `--exclude` list and every trial behind it. */
export interface ExclusionProposal {
  exclude: string[];
  /** Float model's top-1 on the same data. */
  floatTop1?: number;
  trials: ExclusionTrial[];
}

/** Options for {@link proposeExclusions}. */
export interface ProposeExclusionsOptions {
  /** How the candidates are quantized (scheme, calibration, …); its `exclude` is kept and extended. */
  quantize: QuantizeOptions;
  /** Labelled data to measure each trial on. */
  data: DataSource;
  /** Examples to measure on (default: all). */
  limit?: number;
  /** Try excluding up to this many of the worst layers (default 3). */
  maxLayers?: number;
  /** Accuracy within this many points of the best trial counts as recovered (default 0.1). */
  tolerance?: number;
  progress?: Progress;
}

/**
 * Tries excluding the worst 0…maxLayers layers of `ranking` (from analyzeLayers), re-quantizing the float model at
 * `floatPath` each time, and proposes the smallest trial whose accuracy (or, without labels, PSNR) is within
 * `tolerance` of the best trial's.
 */
export async function proposeExclusions(floatPath: string, ranking: readonly LayerError[], options: ProposeExclusionsOptions): Promise<ExclusionProposal> {
  const worst = [...new Set(ranking.filter((l) => l.addedNoise > 0).map((l) => l.node))].slice(0, options.maxLayers ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-exclude-'));
  try {
    const base = options.quantize.exclude ?? [];
    const lists: string[][] = [];
    for (let k = 0; k <= worst.length; k++) lists.push([...base, ...worst.slice(0, k)]);
    const paths: string[] = [];
    for (const [k, exclude] of lists.entries()) {
      const { model } = await quantizeModel(await readModel(floatPath), { ...options.quantize, exclude });
      const path = join(dir, `trial-${k}.onnx`);
      await writeModel(model, path);
      paths.push(path);
    }
    const ev = await evaluateModels(floatPath, paths, options.data, { limit: options.limit, progress: options.progress });
    // Trials are compared on the figures a verdict judges (the exact Q/DQ execution), the same on every host.
    const trials: ExclusionTrial[] = ev.candidates.map(judgedFigures).map((c, k) => ({
      exclude: lists[k],
      ...(c.accuracy ? { top1: c.accuracy.top1 } : {}),
      psnr: worstPsnr(c),
      sizeBytes: c.sizeBytes,
    }));
    const score = (t: ExclusionTrial): number => (t.top1 !== undefined ? t.top1 * 100 : t.psnr);
    const best = Math.max(...trials.map(score));
    const tolerance = options.tolerance ?? 0.1;
    const chosen = trials.filter((t) => score(t) >= best - tolerance).sort((a, b) => a.sizeBytes - b.sizeBytes)[0];
    return { exclude: chosen.exclude, ...(ev.reference.accuracy ? { floatTop1: ev.reference.accuracy.top1 } : {}), trials };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
