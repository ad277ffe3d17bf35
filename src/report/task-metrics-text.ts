// The task metrics `evaluate --task` adds as one table per task (mAP, mask IoU, line accuracy/CER, frame agreement): terminal text and HTML data.
import { basename } from 'node:path';
import type { TaskMetrics } from '../evaluate/task-metrics/index.ts';
import { modelBytes } from '../formats/model-bytes.ts';
import { formatPercent } from './format.ts';
import type { ReportData, ReportTable } from './html/types.ts';
import { renderTable } from './table.ts';

const pct = (x: number | undefined, digits = 1): string => (x === undefined ? '-' : Number.isNaN(x) ? 'n/a' : formatPercent(x, digits));
const num = (x: number | undefined, digits = 3): string => (x === undefined ? '-' : Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const db = (x: number | undefined): string => (x === undefined ? '-' : x === Infinity ? 'inf' : `${x.toFixed(1)} dB`);

/** The task metrics as a titled table, the reference the first row (marked). */
export function taskMetricsTable(m: TaskMetrics): ReportTable {
  const name = (path: string, i: number) => `${basename(path)}${i === 0 ? ' (reference)' : ''}`;
  const from = m.taskFile ? ` (task ${basename(m.taskFile)})` : '';
  switch (m.task) {
    case 'detect':
      return {
        title: `detection${from}: ${m.images} images, ${m.labelledImages} with ground-truth boxes; mAP at IoU ${m.iouThreshold}`,
        head: ['model', 'detections', 'mAP@0.5 (ground truth)', 'mAP@0.5 vs reference'],
        rows: m.models.map((x, i) => [name(x.path, i), String(x.detections), m.labelledImages ? num(x.map) : '-', i === 0 ? '-' : num(x.agreement)]),
      };
    case 'segment':
      return {
        title: `segmentation${from}: ${m.images} images, masks thresholded at ${m.threshold}; IoU against the reference's mask`,
        head: ['model', 'foreground', 'mean IoU', 'worst IoU', 'worst image'],
        rows: m.models.map((x, i) => [name(x.path, i), pct(x.foreground), num(x.meanIoU), num(x.worstIoU), x.worstExample ?? '-']),
      };
    case 'ocr':
      return m.mode === 'chain' ? {
        title: `text detection + recognition${from}: ${m.pages} pages, ${m.lines} labelled lines; CER of each page's text in reading order`,
        head: ['detector', 'lines exact', 'line accuracy', 'CER', 'pages read as the reference', 'PSNR of probability maps'],
        rows: m.models.map((x, i) => [name(x.path, i), `${x.exact}/${m.lines}`, pct(x.lineAccuracy), pct(x.cer, 2), pct(x.sameText), db(x.psnr)]),
      } : {
        title: `text recognition${from}: ${m.lines} labelled lines`,
        head: ['model', 'lines exact', 'line accuracy', 'CER', 'same text as reference', 'PSNR of scores'],
        rows: m.models.map((x, i) => [name(x.path, i), `${x.exact}/${m.lines}`, pct(x.lineAccuracy), pct(x.cer, 2), pct(x.sameText), db(x.psnr)]),
      };
    case 'audio':
      return {
        title: `audio${from}: ${m.files} file${m.files === 1 ? '' : 's'}, ${m.frames} frames (${m.labelledFrames} labelled), threshold ${m.threshold}`,
        head: ['model', 'positive frames', 'accuracy (events)', 'frame agreement', 'max |Δp|'],
        rows: m.models.map((x, i) => [name(x.path, i), pct(x.positive), m.labelledFrames ? pct(x.accuracy) : '-', pct(x.agreement), num(x.maxDifference, 4)]),
      };
  }
}

/** The task metrics as terminal text: the title line, then the table. */
export function formatTaskMetrics(m: TaskMetrics): string {
  const t = taskMetricsTable(m);
  return `${t.title}\n${renderTable(t.head, t.rows)}`;
}

/** An HTML report of task metrics alone (ocr and audio evaluations, which read their own data): the models and the table. */
export function taskMetricsReportData(m: TaskMetrics): ReportData {
  return {
    title: `ondevice evaluate: ${basename(m.models[0].path)} (${m.task})`,
    subtitle: m.data,
    variants: m.models.map((x, i) => ({ name: basename(x.path), fileBytes: modelBytes(x.path), ...(i === 0 ? { reference: true } : {}) })),
    tables: [taskMetricsTable(m)],
  };
}
