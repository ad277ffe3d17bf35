// `ondevice demo`: the whole pipeline on the embedded default model (LeNet-5, MNIST).
import type { Command } from 'commander';
import { inspectModel } from '../inspect.ts';
import { DEFAULT_MODEL } from '../paths.ts';
import { runDemo } from '../pipeline/demo.ts';
import { environmentOf } from '../report/evaluation-data.ts';
import { formatDemoTable } from '../pipeline/demo-table.ts';
import { terminalProgress } from '../report/progress.ts';
import { formatSummary } from '../report/summary-text.ts';
import { action } from './action.ts';
import { positiveInt } from './options.ts';

/** Adds the demo command. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole pipeline on the embedded LeNet-5: fp32/fp16/int8/w4 variants, MNIST test accuracy, fidelity, latency, report.html')
    .option('-o, --output <dir>', 'folder for the variants and report.html', 'ondevice-demo')
    .option('--limit <n>', 'evaluate only the first n MNIST test images', positiveInt('limit'))
    .option('--runs <n>', 'timed profile runs per variant', positiveInt('runs'), 200)
    .action(action(async (opts: { output: string; limit?: number; runs: number }) => {
      const out = process.stdout;
      out.write(`${formatSummary(await inspectModel(DEFAULT_MODEL.path))}\n\n`);
      const result = await runDemo({
        outDir: opts.output,
        limit: opts.limit,
        runs: opts.runs,
        progress: terminalProgress,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      out.write(`\n${result.evaluation.data}, ${result.evaluation.examples} examples; latency: onnxruntime-node, batch 1, p50 of ${opts.runs} runs\n`);
      out.write(`${formatDemoTable(result)}\n`);
      for (const [i, v] of result.verdicts.entries()) {
        out.write(`  ${result.variants[i + 1].name}: ${v.level} — ${v.reason}\n`);
        if (v.kernelWarning) out.write(`    warning: ${v.kernelWarning}\n`);
      }
      const env = environmentOf(result.evaluation);
      out.write(`host: ${env.host}\nruntimes: ${env.runtimes.join('; ')}\n`);
      const worst = result.perLayer.ranking.slice(0, 3).map((l) => `${l.node} (${l.sqnr.toFixed(1)} dB)`).join(', ');
      out.write(`int8 layers that lose the most: ${worst}\n`);
      out.write(`report: ${result.reportPath}   (${result.seconds.toFixed(1)} s in all)\n`);
    }));
}
