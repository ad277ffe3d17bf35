// `ondevice evaluate REFERENCE CANDIDATE... --data DATA`: accuracy, fidelity, verdicts, optional per-layer analysis.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { openDataSource, DATA_SPEC_HELP } from '../data/open-source.ts';
import { loadRecipe, recipePathFor, type Recipe } from '../data/recipe.ts';
import { UsageError } from '../errors.ts';
import { evaluateModels, type Evaluation } from '../evaluate/compare.ts';
import { proposeExclusions, type ExclusionProposal } from '../evaluate/exclusions.ts';
import { evaluationReportData } from '../evaluate/report-data.ts';
import { analyzeLayers, type LayerAnalysis } from '../evaluate/per-layer.ts';
import { accuracyDrop, resolveGates, verdict, type Verdict } from '../evaluate/verdict.ts';
import { readModel } from '../formats/registry.ts';
import type { Model } from '../ir/graph.ts';
import { readProvenance } from '../quantize/provenance.ts';
import { parseScheme } from '../quantize/schemes.ts';
import { formatBytes, formatPercent } from '../report/format.ts';
import { writeHtmlReport } from '../report/html/index.ts';
import { terminalProgress } from '../report/progress.ts';
import { renderTable } from '../report/table.ts';
import { modelInputs } from '../data/model-inputs.ts';
import { action } from './action.ts';

interface EvaluateCliOptions {
  data: string;
  recipe?: string;
  limit?: number;
  batch: number;
  runtime?: string;
  json?: boolean;
  perLayer?: boolean;
  proposeExclude?: boolean;
  calibration?: string;
  minPsnr?: number;
  maxDrop?: number;
  report?: string;
}

function positiveNumber(name: string, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
    return n;
  };
}


const fmtDb = (x: number): string => (x === Infinity ? 'inf' : x === -Infinity ? '-inf' : `${x.toFixed(1)} dB`);
const fmtNum = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(4) : x.toExponential(2));

/** The terminal table: one row for the reference, one per candidate. */
export function formatEvaluation(ev: Evaluation, verdicts: Verdict[]): string {
  const head = ['model', 'top-1', 'Δ top-1', 'PSNR', 'SQNR', 'cosine', 'max abs err', 'top-1 agree', 'size', 'verdict'];
  const ref = ev.reference;
  const rows: (string | number)[][] = [[basename(ref.path), ref.accuracy ? formatPercent(ref.accuracy.top1) : '-', 'ref', '', '', '', '', '', formatBytes(ref.sizeBytes), '']];
  ev.candidates.forEach((c, i) => {
    const f = c.fidelity ?? [];
    const worst = f.reduce((a, b) => (b.psnr < a.psnr ? b : a), f[0]);
    const agree = f.find((x) => x.agreement)?.agreement;
    const drop = accuracyDrop(ref, c);
    rows.push([
      basename(c.path) + (c.scheme ? ` (${c.scheme})` : ''),
      c.accuracy ? formatPercent(c.accuracy.top1) : '-',
      drop === undefined ? '-' : `${drop > 0 ? '-' : '+'}${Math.abs(drop).toFixed(2)}`,
      worst ? fmtDb(worst.psnr) : '-',
      worst ? fmtDb(Math.min(...f.map((x) => x.sqnr))) : '-',
      worst ? Math.min(...f.map((x) => x.cosine)).toFixed(6) : '-',
      worst ? fmtNum(Math.max(...f.map((x) => x.maxAbsError))) : '-',
      agree ? formatPercent(agree.top1) : '-',
      formatBytes(c.sizeBytes),
      verdicts[i].level,
    ]);
  });
  const reasons = ev.candidates.map((c, i) => `  ${basename(c.path)}: ${verdicts[i].level} — ${verdicts[i].reason}`);
  return `${ev.data}, ${ev.examples} examples\n${renderTable(head, rows)}\n${reasons.join('\n')}`;
}

/** Per-layer table: layers in order with SQNR, and the worst ones named. */
export function formatLayers(candidate: string, a: LayerAnalysis, top = 5): string {
  const rank = new Map(a.ranking.map((l, i) => [l, i + 1]));
  const rows = a.layers.map((l) => [l.node, l.op, fmtDb(l.sqnr), fmtDb(l.inputSqnr), l.drop === Infinity ? 'inf' : l.drop.toFixed(1), l.addedNoise.toExponential(2), rank.get(l)!]);
  const worst = a.ranking.slice(0, top).map((l, i) => `  ${i + 1}. ${l.node} (${l.op}): SQNR ${fmtDb(l.sqnr)}, ${l.drop === Infinity ? 'inf' : l.drop.toFixed(1)} dB below its input`);
  return `per-layer SQNR of ${basename(candidate)} (${a.examples} examples)\n` +
    `${renderTable(['layer', 'op', 'SQNR', 'input SQNR', 'drop dB', 'added noise', 'rank'], rows)}\nlayers that lose the most:\n${worst.join('\n')}`;
}

function formatProposal(p: ExclusionProposal): string {
  const rows = p.trials.map((t) => [t.exclude.join(',') || '(none)', t.top1 !== undefined ? formatPercent(t.top1) : '-', fmtDb(t.psnr), formatBytes(t.sizeBytes)]);
  return `${renderTable(['--exclude', 'top-1', 'PSNR', 'size'], rows)}\nproposed: ${p.exclude.length ? `--exclude ${p.exclude.join(',')}` : 'no exclusions (excluding layers does not help)'}`;
}

/** Adds the evaluate command. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('compare candidates with a reference model: accuracy, PSNR/SQNR/cosine per output, agreement, a verdict each')
    .argument('<reference>', 'the reference model (usually float32)')
    .argument('<candidates...>', 'models to compare with it (quantized, converted, …)')
    .requiredOption('--data <data>', `evaluation data: ${DATA_SPEC_HELP}`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: REFERENCE.preprocess.json when present)')
    .option('--limit <n>', 'evaluate at most n examples', positiveNumber('limit', true))
    .option('--batch <n>', 'batch size', positiveNumber('batch', true), 100)
    .option('--runtime <name>', 'runtime for every model (default: the first available for each format)')
    .option('--min-psnr <dB>', 'PSNR gate for every candidate (default by scheme: fp16 45, int8 30, w4 25, else 30)', positiveNumber('min-psnr', false))
    .option('--max-drop <points>', 'largest allowed top-1 drop in points (default 1)', positiveNumber('max-drop', false))
    .option('--per-layer', 'per-layer SQNR of each candidate against the reference, worst layers first')
    .option('--propose-exclude', 'with --per-layer: re-quantize the reference keeping the worst layers float and propose an --exclude list')
    .option('--calibration <data>', 'calibration data for --propose-exclude (default: --data)')
    .option('--json', 'print JSON')
    .option('--report <file>', 'write an HTML report')
    .action(action(async (reference: string, candidates: string[], opts: EvaluateCliOptions) => {
      const refModel = await readModel(reference);
      const recipePath = opts.recipe ?? (existsSync(recipePathFor(reference)) ? recipePathFor(reference) : undefined);
      const recipe: Recipe | undefined = recipePath ? loadRecipe(recipePath) : undefined;
      const inputs = modelInputs(refModel);
      const source = await openDataSource(opts.data, inputs, { recipe });
      if (source.warning) process.stderr.write(`warning: ${source.warning}\n`);
      const ev = await evaluateModels(reference, candidates, source, { limit: opts.limit, batchSize: opts.batch, runtime: opts.runtime, progress: terminalProgress() });
      const gates = resolveGates(opts.maxDrop !== undefined ? { maxAccuracyDrop: opts.maxDrop } : {});
      if (opts.minPsnr !== undefined) {
        gates.minPsnr = opts.minPsnr;
        for (const k of Object.keys(gates.minPsnrByScheme)) gates.minPsnrByScheme[k] = opts.minPsnr;
      }
      const verdicts = ev.candidates.map((c) => verdict(ev.reference, c, gates));
      const layers: { candidate: string; analysis: LayerAnalysis; proposal?: ExclusionProposal }[] = [];
      if (opts.perLayer) {
        for (const c of candidates) {
          const analysis = await analyzeLayers(refModel, c, source, { limit: Math.min(opts.limit ?? 200, 200), runtime: opts.runtime, progress: terminalProgress() });
          const entry: (typeof layers)[number] = { candidate: c, analysis };
          if (opts.proposeExclude) {
            const prov = readProvenance(await readModel(c));
            if (!prov) throw new UsageError('--propose-exclude needs a model made by `ondevice quantize` (no ondevice.quantization metadata)', { file: c });
            const calibration = opts.calibration ? await openDataSource(opts.calibration, inputs, { recipe }) : source;
            entry.proposal = await proposeExclusions(reference, analysis.ranking, {
              quantize: {
                scheme: parseScheme(prov.scheme), exclude: prov.excluded, perChannel: prov.perChannel, symmetric: prov.symmetric,
                ...(prov.method ? { calibration: { source: calibration, method: prov.method as never, limit: prov.calibrationExamples ?? 1000 } } : {}),
                ...(prov.blockSize ? { blockSize: prov.blockSize } : {}),
              },
              data: source, limit: opts.limit, progress: terminalProgress(),
            });
          }
          layers.push(entry);
        }
      }
      const payload = { ...ev, verdicts, gates, ...(layers.length ? { perLayer: layers } : {}) };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(payload, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
      } else {
        process.stdout.write(`${formatEvaluation(ev, verdicts)}\n`);
        for (const l of layers) {
          process.stdout.write(`\n${formatLayers(l.candidate, l.analysis)}\n`);
          if (l.proposal) process.stdout.write(`${formatProposal(l.proposal)}\n`);
        }
      }
      if (opts.report) {
        writeHtmlReport(opts.report, evaluationReportData(ev, verdicts, layers.map((l) => ({ ...l, exclude: l.proposal?.exclude }))));
        process.stderr.write(`wrote ${opts.report}\n`);
      }
      if (verdicts.some((v) => v.level === 'fail')) process.exitCode = 1;
    }));
}
