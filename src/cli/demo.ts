// `ondevice demo`: the main job on the embedded default model (LeNet-5, MNIST test set).
import type { Command } from 'commander';
import { loadMnist, mnistBatches } from '../data/mnist.ts';
import { evaluateClassifier } from '../evaluate/classify.ts';
import { inspectModel } from '../inspect.ts';
import { DEFAULT_MODEL } from '../paths.ts';
import { formatPercent } from '../report/format.ts';
import { terminalProgress } from '../report/progress.ts';
import { formatSummary } from '../report/summary-text.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { action } from './action.ts';

/** Adds the demo command. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('inspect the embedded LeNet-5 and measure its accuracy on the 10,000 MNIST test images')
    .option('--limit <n>', 'evaluate only the first n test images', (v) => Number.parseInt(v, 10))
    .option('--batch <n>', 'batch size', (v) => Number.parseInt(v, 10), 250)
    .action(action(async (opts: { limit?: number; batch: number }) => {
      const out = process.stdout;
      out.write(`${formatSummary(await inspectModel(DEFAULT_MODEL.path))}\n\n`);
      const runtime = await resolveRuntime({ name: 'ort-node' });
      const session = await runtime.load(DEFAULT_MODEL.path);
      const total = loadMnist('test', { limit: opts.limit }).count;
      const started = performance.now();
      try {
        const acc = await evaluateClassifier(session, mnistBatches('test', opts.batch, undefined, { limit: opts.limit }), {
          total,
          progress: terminalProgress(),
        });
        const ms = performance.now() - started;
        out.write(`\nMNIST test (${acc.count} images) on ${runtime.name}: top-1 ${formatPercent(acc.top1)}, top-5 ${formatPercent(acc.top5)}` +
          `  (${(ms / 1000).toFixed(2)} s, ${((ms * 1000) / acc.count).toFixed(1)} µs/image)\n`);
      } finally {
        await session.release();
      }
    }));
}
