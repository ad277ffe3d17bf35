// evaluateTaskMetrics: the task file's metrics (detect mAP, segment IoU, OCR accuracy/CER, audio frame agreement) per model.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readLabels } from '../../data/labels.ts';
import type { DataSource } from '../../data/source.ts';
import { OndeviceError, UsageError } from '../../errors.ts';
import type { Task } from '../../tasks/task.ts';
import { audioMetrics, type AudioMetrics } from './audio.ts';
import { detectMetrics, type DetectMetrics } from './detect.ts';
import { BOXES_FILE, EVENTS_FILE, readAudioEvents, readBoxLabels, readTextLineLabels } from './ground-truth.ts';
import { loadTaskModels, releaseTaskModels } from './models.ts';
import { ocrClasses, ocrMetrics, type OcrMetrics } from './ocr.ts';
import { ocrChainMetrics } from './ocr-chain.ts';
import { segmentMetrics, type SegmentMetrics } from './segment.ts';
import { checkTaskOutputs } from './task-file.ts';

export type { AudioMetrics, AudioModelMetrics } from './audio.ts';
export type { DetectMetrics, DetectModelMetrics } from './detect.ts';
export type { OcrMetrics, OcrModelMetrics } from './ocr.ts';
export type { SegmentMetrics, SegmentModelMetrics } from './segment.ts';
export { BOXES_FILE, EVENTS_FILE, PAGE_LABELS_FILE, REC_LABELS_FILE, readAudioEvents, readBoxLabels, readTextLineLabels, type AudioEventLabel, type TextLineLabel, type TextPageLabel } from './ground-truth.ts';
export { checkTaskOutputs, taskFileCandidates, readTaskFile, findEvaluationTask, type TaskFile } from './task-file.ts';

/** The task metrics of one evaluation, by task kind (models in order: reference first). */
export type TaskMetrics = (DetectMetrics | SegmentMetrics | OcrMetrics | AudioMetrics) & { taskFile?: string; data: string };

/** Options for {@link evaluateTaskMetrics}. */
export interface TaskMetricsOptions {
  /**
   * The data: for detect and segment an image folder (read through `source`); for ocr a text-line labels file
   * (`IMAGE<TAB>TEXT`) or a folder holding `rec_gt.txt`; for audio a .wav file or folder.
   */
  data: string;
  /** detect / segment: the image data opened with the model's recipe (e.g. `openDataSource`); `files` keys the boxes file. */
  source?: DataSource & { files?: readonly string[] };
  /** The task file the template came from: files it names (dictionary, labels) are relative to it, and errors name it. */
  taskFile?: string;
  /** detect: the boxes file (default `DATA/boxes.json` when it exists). audio: the events file (default `events.json` in the data folder). */
  boxes?: string;
  events?: string;
  runtime?: string;
  threads?: number;
  limit?: number;
  batchSize?: number;
}

/** The labels file a task names, relative to its task file. */
function taskLabels(task: Task, taskFile: string | undefined): string[] | undefined {
  if (!('labels' in task) || !task.labels) return undefined;
  return readLabels(resolve(taskFile ? dirname(taskFile) : '.', task.labels));
}

/**
 * Runs `reference` and `candidates` for `task` and measures what the task means, with the post-processing the app runs
 * (src/tasks/): detect — mAP@0.5 against `boxes.json` and each candidate's mAP against the reference's detections;
 * segment — mean and worst mask IoU of each candidate against the reference; ocr — line accuracy and CER against the
 * labels, of recognisers on text lines (`IMAGE<TAB>TEXT`) or of detectors chained with the task's recogniser on pages
 * (`IMAGE<TAB>[{transcription, points}]`); audio — frame agreement with the reference and accuracy against `events.json`.
 * Returns undefined for a classify task (the evaluation's accuracy covers it).
 * @throws UsageError naming the task file when the task does not fit a model (an output it names is missing, the
 *   dictionary does not match, the audio frame does not fit the input), and naming the data when it is not what the task reads.
 */
export async function evaluateTaskMetrics(task: Task, reference: string, candidates: readonly string[], options: TaskMetricsOptions): Promise<TaskMetrics | undefined> {
  if (task.task === 'classify') return undefined;
  const { data, taskFile } = options;
  const dataDir = existsSync(data) && statSync(data).isDirectory() ? data : dirname(data);
  if ((task.task === 'detect' || task.task === 'segment') && !options.source) {
    throw new UsageError(`${task.task} task metrics read images through a recipe: open the data first (options.source)`, { file: data });
  }
  const ocrData = task.task === 'ocr' ? readTextLineLabels(data) : undefined;
  const models = await loadTaskModels([reference, ...candidates], options);
  try {
    for (const m of models) checkTaskOutputs(task, m.session.outputs, m.path, taskFile);
    const common = { limit: options.limit, batchSize: options.batchSize };
    let metrics: DetectMetrics | SegmentMetrics | OcrMetrics | AudioMetrics;
    if (task.task === 'detect') {
      const boxes = options.boxes ?? (existsSync(join(dataDir, BOXES_FILE)) ? join(dataDir, BOXES_FILE) : undefined);
      const groundTruth = boxes ? readBoxLabels(boxes, taskLabels(task, taskFile)) : undefined;
      metrics = await detectMetrics(task, models, options.source!, { ...common, groundTruth, dataDir });
    } else if (task.task === 'segment') {
      metrics = await segmentMetrics(task, models, options.source!, common);
    } else if (task.task === 'ocr') {
      const classes = ocrClasses(task, taskFile);
      metrics = ocrData!.pages
        ? await ocrChainMetrics(task, models, ocrData!.pages, classes, { taskFile, runtime: options.runtime, threads: options.threads, limit: options.limit })
        : await ocrMetrics(task, models, ocrData!.lines, classes, { taskFile, limit: options.limit });
    } else {
      const events = options.events ?? (existsSync(join(dataDir, EVENTS_FILE)) ? join(dataDir, EVENTS_FILE) : undefined);
      metrics = await audioMetrics(task, models, data, { ...common, taskFile, events: events ? readAudioEvents(events) : undefined });
    }
    return { ...metrics, ...(taskFile ? { taskFile } : {}), data };
  } catch (e) {
    // The shared post-processing throws plain Errors (it is DOM- and Node-free): a model it cannot read does not fit the task.
    if (e instanceof OndeviceError || !(e instanceof Error)) throw e;
    throw new UsageError(`the ${task.task} task does not fit the models: ${e.message}`, { file: taskFile, cause: e });
  } finally {
    await releaseTaskModels(models);
  }
}
