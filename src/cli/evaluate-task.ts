// `evaluate --task FILE` for tasks that read their own data (ocr: labelled text lines; audio: .wav framed by the task): metrics, text, JSON, report.
import { evaluateTaskMetrics, type TaskFile, type TaskMetrics } from '../evaluate/task-metrics/index.ts';
import { writeHtmlReport } from '../report/html/index.ts';
import { formatTaskMetrics, taskMetricsReportData } from '../report/task-metrics-text.ts';

/** True for the tasks whose data the task itself reads (no preprocessing recipe, no generic fidelity pass). */
export function taskReadsOwnData(t: TaskFile): boolean {
  return t.task.task === 'ocr' || t.task.task === 'audio';
}

/** JSON as evaluate prints it: non-finite numbers as strings. */
export function evaluationJson(payload: unknown): string {
  return `${JSON.stringify(payload, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
}

/** Runs the task metrics of an ocr or audio evaluation and prints them (text or `--json`), writing `--report` if asked. */
export async function evaluateOwnDataTask(reference: string, candidates: readonly string[], t: TaskFile, opts: { data: string; runtime?: string; limit?: number; batch: number; json?: boolean; report?: string }): Promise<TaskMetrics | undefined> {
  const metrics = await evaluateTaskMetrics(t.task, reference, candidates, { data: opts.data, taskFile: t.file, runtime: opts.runtime, limit: opts.limit, batchSize: opts.batch });
  if (!metrics) return undefined;
  process.stdout.write(opts.json ? evaluationJson({ taskMetrics: metrics }) : `${formatTaskMetrics(metrics)}\n`);
  if (opts.report) {
    writeHtmlReport(opts.report, taskMetricsReportData(metrics));
    process.stderr.write(`wrote ${opts.report}\n`);
  }
  return metrics;
}
