// `ondevice evaluate REFERENCE CANDIDATE... --data DATA`: accuracy, fidelity, verdicts, optional per-layer analysis.
import { isCoreMlPath } from '../formats/coreml/package.ts';
import type { Command } from 'commander';
import { openDataSource, DATA_SPEC_HELP } from '../data/open-source.ts';
import { findLabels, readLabels } from '../data/labels.ts';
import { imageRecipeOf } from '../data/data-recipe.ts';
import { UsageError } from '../errors.ts';
import { nameClasses } from '../evaluate/classify.ts';
import { evaluateModels } from '../evaluate/compare.ts';
import { proposeExclusions, type ExclusionProposal } from '../pipeline/exclusions.ts';
import { evaluationReportData } from '../report/evaluation-data.ts';
import { analyzeLayers, type LayerAnalysis } from '../evaluate/per-layer.ts';
import { resolveGates, verdict } from '../evaluate/verdict.ts';
import { readVerifiedModel } from '../formats/read-verified.ts';
import { readModel } from '../formats/registry.ts';
import { quantizeOptionsFromProvenance, readProvenance } from '../quantize/provenance.ts';
import { formatEvaluation, formatLayers, formatProposal } from '../report/evaluation-text.ts';
import { writeHtmlReport } from '../report/html/index.ts';
import { terminalProgress } from '../report/progress.ts';
import { modelData } from './model-data.ts';
import { evaluateOnHub } from './hub.ts';
import { checkTaskOutputs, evaluateTaskMetrics, findEvaluationTask } from '../evaluate/task-metrics/index.ts';
import { formatTaskMetrics, taskMetricsTable } from '../report/task-metrics-text.ts';
import { evaluateOwnDataTask, taskReadsOwnData } from './evaluate-task.ts';
import { parseOutputNames } from '../passes/select-outputs.ts';
import { action, EXIT } from './action.ts';
import { collect, INPUT_SHAPE_HELP, INPUT_VALUE_HELP, positiveInt, positiveNumber, refuseOverwritingInput } from './options.ts';

interface EvaluateCliOptions {
  data: string;
  inputShape: string[];
  inputValue: string[];
  recipe?: string;
  labels?: string;
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
  outputs?: string;
  device?: string;
  hub?: string;
  task?: string;
}

/** Adds the evaluate command. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('compare candidates with a reference model: accuracy, PSNR/SQNR/cosine per output, agreement, a verdict each')
    .argument('<reference>', 'the reference model (usually float32)')
    .argument('<candidates...>', 'models to compare with it (quantized, converted, …)')
    .requiredOption('--data <data>', `evaluation data: ${DATA_SPEC_HELP}`)
    .option('--recipe <file>', 'preprocessing recipe for the data (default: REFERENCE.preprocess.json, or preprocess.json beside the reference)')
    .option('--labels <file>', 'class names, one per line (line index = class index) for a folder of class sub-folders (default: the recipe\'s labels, '
      + 'labels.txt beside the reference or in the data folder, else the sorted sub-folder names)')
    .option('--limit <n>', 'evaluate at most n examples', positiveInt('limit'))
    .option('--batch <n>', 'batch size', positiveInt('batch'), 100)
    .option('--runtime <name>', 'runtime for every model (default: the first available for each format)')
    .option('--min-psnr <dB>', 'PSNR gate for every candidate (default by scheme: fp16 45, int8 30, w4 25, else 30)', positiveNumber('min-psnr'))
    .option('--max-drop <points>', 'largest allowed top-1 drop in points (default 1)', positiveNumber('max-drop'))
    .option('--per-layer', 'per-layer SQNR of each candidate against the reference, worst layers first')
    .option('--propose-exclude', 'with --per-layer: re-quantize the reference keeping the worst layers float and propose an --exclude list')
    .option('--calibration <data>', 'calibration data for --propose-exclude (default: --data)')
    .option('--task <file>', 'task file (docs/tasks.md) whose metrics to add: detect mAP@0.5, segment mask IoU, ocr line accuracy/CER, audio frame agreement '
      + '(default: REFERENCE.task.json or task.json beside the reference)')
    .option('--device <name>', 'run the models on a device of the running hub (`ondevice hub`): a device name or id, or any')
    .option('--hub <url>', 'with --device: the hub (default: the one `ondevice hub` runs on this machine)')
    .option('--json', 'print JSON')
    .option('--report <file>', 'write an HTML report')
    .option('--input-shape <name=dims>', INPUT_SHAPE_HELP + '; shapes random data', collect, [] as string[])
    .option('--input-value <name=value>', INPUT_VALUE_HELP, collect, [] as string[])
    .option('--outputs <names>', 'comma-separated outputs to compare (every model fetches just these; a TF.js reference may name inner values): a candidate compiled with --outputs against its full reference')
    .action(action(async (reference: string, candidates: string[], opts: EvaluateCliOptions) => {
      if (opts.report) refuseOverwritingInput(opts.report, reference, ...candidates);
      const { model: refModel } = await readVerifiedModel(reference);
      for (const c of candidates) if (!isCoreMlPath(c)) await readVerifiedModel(c); // a Core ML package is read by its runtime
      const taskFile = findEvaluationTask(reference, opts.task);
      if (taskFile) checkTaskOutputs(taskFile.task, refModel.graph.outputs, reference, taskFile.file);
      if (taskFile && taskReadsOwnData(taskFile)) return void await evaluateOwnDataTask(reference, candidates, taskFile, opts);
      const { recipe, recipePath, inputs, values: inputValues } = modelData(reference, refModel, opts);
      const labels = findLabels({ explicit: opts.labels, recipe: imageRecipeOf(recipe), recipePath, modelPath: reference, data: opts.data });
      const source = await openDataSource(opts.data, inputs, { recipe, inputValues, purpose: 'evaluation', labels });
      if (opts.device !== undefined) return evaluateOnHub(reference, candidates, source, { ...opts, device: opts.device });
      if (source.warning) process.stderr.write(`warning: ${source.warning}\n`);
      const measured = await evaluateModels(reference, candidates, source, { limit: opts.limit, batchSize: opts.batch, runtime: opts.runtime, fixedInputs: new Set(inputValues?.keys() ?? []), ...(opts.outputs !== undefined ? { outputs: parseOutputNames(opts.outputs) } : {}), progress: terminalProgress() });
      const ev = nameClasses(measured, source.classNames ?? (labels ? readLabels(labels) : undefined));
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
            const calibration = opts.calibration ? await openDataSource(opts.calibration, inputs, { recipe, inputValues, purpose: 'calibration' }) : source;
            entry.proposal = await proposeExclusions(reference, analysis.ranking, {
              quantize: quantizeOptionsFromProvenance(prov, calibration),
              data: source, limit: opts.limit, progress: terminalProgress(),
            });
          }
          layers.push(entry);
        }
      }
      const taskMetrics = taskFile && await evaluateTaskMetrics(taskFile.task, reference, candidates, { data: opts.data, source, taskFile: taskFile.file, runtime: opts.runtime, limit: opts.limit, batchSize: opts.batch });
      const payload = { ...ev, verdicts, gates, ...(layers.length ? { perLayer: layers } : {}), ...(taskMetrics ? { taskMetrics } : {}) };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(payload, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
      } else {
        process.stdout.write(`${formatEvaluation(ev, verdicts)}\n`);
        if (taskMetrics) process.stdout.write(`\n${formatTaskMetrics(taskMetrics)}\n`);
        for (const l of layers) {
          process.stdout.write(`\n${formatLayers(l.candidate, l.analysis)}\n`);
          if (l.proposal) process.stdout.write(`${formatProposal(l.proposal)}\n`);
        }
      }
      if (opts.report) {
        writeHtmlReport(opts.report, { ...evaluationReportData(ev, verdicts, layers.map((l) => ({ ...l, exclude: l.proposal?.exclude }))), ...(taskMetrics ? { tables: [taskMetricsTable(taskMetrics)] } : {}) });
        process.stderr.write(`wrote ${opts.report}\n`);
      }
      // A failed verdict is a failed check, not an error: its own exit code (README "Exit codes").
      if (verdicts.some((v) => v.level === 'fail')) process.exitCode = EXIT.checkFailed;
    }));
}
