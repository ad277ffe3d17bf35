// The whole pipeline on the embedded default model: quantize to fp16/int8/w4, evaluate on MNIST test, profile, report.
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mnistSource } from '../data/mnist-source.ts';
import { loadRecipe } from '../data/recipe.ts';
import { evaluateModels, type Evaluation } from '../evaluate/compare.ts';
import { analyzeLayers, type LayerAnalysis } from '../evaluate/per-layer.ts';
import { evaluationReportData } from '../report/evaluation-data.ts';
import { resolveGates, verdict, type Verdict } from '../evaluate/verdict.ts';
import { readModel, writeModel } from '../formats/registry.ts';
import { DEFAULT_MODEL } from '../paths.ts';
import { profileModel, type ProfileResult } from '../profile/index.ts';
import { quantizeModel } from '../quantize/quantize.ts';
import type { QuantizeOptions, Scheme } from '../quantize/schemes.ts';
import { writeHtmlReport } from '../report/html/index.ts';
import type { ReportData } from '../report/html/types.ts';
import { silentProgress, type Progress } from '../util/progress.ts';

/** One model variant the demo makes and measures. */
export interface DemoVariant {
  name: string;
  scheme?: Scheme;
  path: string;
  fileBytes: number;
  profile: ProfileResult;
}

/** Options for {@link runDemo}. */
export interface DemoOptions {
  /** Folder for the variants and report.html (created if missing). */
  outDir: string;
  /** MNIST test images to evaluate (default: all 10,000). */
  limit?: number;
  /** MNIST training images to calibrate int8 on (default 1000). */
  calibrationLimit?: number;
  /** Timed profile runs per variant (default 200, after 20 warm-up runs). */
  runs?: number;
  /** A fresh progress sink per long step (default: silent). */
  progress?: () => Progress;
  /** Receives one line per step. */
  log?: (line: string) => void;
}

/** Everything the demo measured, and where it wrote the report. */
export interface DemoResult {
  variants: DemoVariant[];
  evaluation: Evaluation;
  verdicts: Verdict[];
  perLayer: LayerAnalysis;
  /** What report.html shows. */
  report: ReportData;
  reportPath: string;
  seconds: number;
}

const SCHEMES: { name: string; scheme: Scheme }[] = [
  { name: 'fp16', scheme: 'fp16' },
  { name: 'int8', scheme: 'w8a8' },
  { name: 'w4', scheme: 'w4' },
];

/**
 * Runs the pipeline on the embedded LeNet-5: writes fp32/fp16/int8/w4 variants into `outDir`, evaluates them
 * on MNIST test against fp32, profiles each on onnxruntime-node, analyses int8 per layer and writes report.html.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const progress = options.progress ?? (() => silentProgress);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const recipe = loadRecipe(DEFAULT_MODEL.preprocess);
  const calibration = mnistSource('train', recipe);
  const test = mnistSource('test', recipe);

  const fp32Path = join(outDir, 'lenet5.fp32.onnx');
  await writeModel(await readModel(DEFAULT_MODEL.path), fp32Path);
  const paths: { name: string; scheme?: Scheme; path: string }[] = [{ name: 'fp32', path: fp32Path }];
  for (const { name, scheme } of SCHEMES) {
    const opts: QuantizeOptions = { scheme, progress: progress() };
    if (scheme === 'w8a8') opts.calibration = { source: calibration, method: 'minmax', limit: options.calibrationLimit ?? 1000 };
    const { model, report } = await quantizeModel(await readModel(DEFAULT_MODEL.path), opts);
    const path = join(outDir, `lenet5.${name}.onnx`);
    await writeModel(model, path);
    log(`quantized ${name} (${scheme}): ${report.quantized.length} nodes quantized, ${report.float.length} kept float`);
    paths.push({ name, scheme, path });
  }

  log(`evaluating ${paths.length} variants on ${test.description}`);
  const evaluation = await evaluateModels(fp32Path, paths.slice(1).map((p) => p.path), test, { limit: options.limit, batchSize: 250, progress: progress() });
  const gates = resolveGates();
  const verdicts = evaluation.candidates.map((c) => verdict(evaluation.reference, c, gates));

  const int8 = paths.find((p) => p.name === 'int8')!;
  log('per-layer error of int8 against fp32');
  const perLayer = await analyzeLayers(fp32Path, int8.path, test, { limit: 200, progress: progress() });

  const variants: DemoVariant[] = [];
  for (const p of paths) {
    log(`profiling ${p.name} on ort-node`);
    const profile = await profileModel(p.path, { runtime: 'ort-node', warmup: 20, runs: options.runs ?? 200, perOp: false });
    variants.push({ ...p, fileBytes: statSync(p.path).size, profile });
  }

  const data = evaluationReportData(evaluation, verdicts, [{ candidate: int8.path, analysis: perLayer }]);
  data.title = 'ondevice demo: LeNet-5 on MNIST';
  data.variants.forEach((v, i) => {
    v.name = variants[i].name;
    v.latencySamplesMs = variants[i].profile.samplesMs;
    v.latencyP50Ms = variants[i].profile.latencyMs.p50;
  });
  if (data.perLayer) data.perLayer.variant = 'int8';
  if (data.confusion) data.confusion.variant = 'fp32';
  const reportPath = join(outDir, 'report.html');
  writeHtmlReport(reportPath, data);
  return { variants, evaluation, verdicts, perLayer, report: data, reportPath, seconds: (performance.now() - started) / 1000 };
}
