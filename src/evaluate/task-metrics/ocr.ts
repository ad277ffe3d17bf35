// OCR task metrics: recogniser models on labelled text-line images, read by the task's CTC decoding, line accuracy and CER per model.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sharp from 'sharp';
import { FormatError, UsageError } from '../../errors.ts';
import { ctcClasses, parseDictionary } from '../../tasks/ocr/ctc.ts';
import type { Quad } from '../../tasks/ocr/geometry.ts';
import type { OcrTensor, Raster } from '../../tasks/ocr/image.ts';
import { textAccuracy } from '../../tasks/ocr/metrics.ts';
import { recognizeBox, type RunModel } from '../../tasks/ocr/pipeline.ts';
import type { OcrTask } from '../../tasks/task.ts';
import { FidelityAccumulator } from '../metrics.ts';
import type { TextLineLabel } from './ground-truth.ts';
import { floatOutputs, type TaskModel } from './models.ts';

/** One recogniser's figures over the labelled lines. */
export interface OcrModelMetrics {
  path: string;
  /** Lines read exactly, their fraction, and the corpus character error rate (edits / reference characters). */
  exact: number;
  lineAccuracy: number;
  cer: number;
  /** Candidates: fraction of lines read exactly as the reference model reads them, and the PSNR of the raw [1,T,C] scores. */
  sameText?: number;
  psnr?: number;
}

/** OCR metrics of a reference and its candidates: recognisers on text lines, or detectors chained with the task's recogniser on pages. */
export interface OcrMetrics {
  task: 'ocr';
  mode: 'recognizer' | 'chain';
  /** Labelled lines (for the chain, over all pages), and pages (chain only). */
  lines: number;
  pages?: number;
  models: OcrModelMetrics[];
  /** The first few lines (pages for the chain): ground truth and what each model read (for reports). */
  samples: { text: string; read: string[] }[];
}

/** An image file as an 8-bit RGB raster. */
export async function loadRgb(file: string): Promise<Raster> {
  try {
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new FormatError('image', `cannot decode: ${(e as Error).message}`, { file, cause: e });
  }
}

/**
 * Checks that `m` is a CTC recogniser for `classes`: output [1, T, C] with C the dictionary's classes (when fixed).
 * @throws UsageError naming `taskFile`.
 */
export function checkRecognizer(m: TaskModel, classes: readonly string[], taskFile: string | undefined): void {
  const shape = m.session.outputs[0]?.shape ?? [];
  if (shape.length !== 3) {
    throw new UsageError(`${m.path} is not a CTC recogniser (its output is [${shape.join(', ')}], not [1, T, classes]): line labels (IMAGE<TAB>TEXT) evaluate recognisers; page labels (IMAGE<TAB>[{transcription, points}]) evaluate text detectors`, { file: taskFile });
  }
  const c = shape[2];
  if (typeof c === 'number' && c > 0 && c !== classes.length) {
    throw new UsageError(`the ocr task's dictionary gives ${classes.length} classes (blank + ${classes.length - 2} characters + space), but ${m.path} scores ${c} per frame: not a recogniser for this dictionary`, { file: taskFile });
  }
}

/** The task's CTC classes (blank, dictionary, space), the dictionary read relative to the task file. */
export function ocrClasses(task: OcrTask, taskFile: string | undefined): string[] {
  const file = resolve(taskFile ? dirname(taskFile) : '.', task.dictionary);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the OCR dictionary: ${(e as Error).message}`, { file, cause: e });
  }
  return ctcClasses(parseDictionary(text));
}

/**
 * Reads every labelled line with each recogniser (reference first): the whole image is the line's box, cropped and
 * normalised by `recognizeBox` and decoded by greedy CTC over `classes` — the app's code — at the task's `recHeight` and
 * `maxWidth`. Leading and trailing spaces are not compared (the recogniser reads blank margins as spaces). Exact-line accuracy and corpus CER against the labels per model; for candidates, agreement with the
 * reference's text and the PSNR of their raw scores against the reference's.
 * @throws UsageError naming `taskFile` when a model's output does not have one score per class of the dictionary.
 */
export async function ocrMetrics(task: OcrTask, models: readonly TaskModel[], labels: readonly TextLineLabel[], classes: readonly string[], options: { taskFile?: string; limit?: number } = {}): Promise<OcrMetrics> {
  const lines = labels.slice(0, options.limit ?? labels.length);
  const read: string[][] = models.map(() => []);
  const fidelity = models.map(() => new FidelityAccumulator());
  for (const m of models) checkRecognizer(m, classes, options.taskFile);
  for (const line of lines) {
    const image = await loadRgb(line.image);
    const quad: Quad = [[0, 0], [image.width, 0], [image.width, image.height], [0, image.height]];
    let refScores: Float32Array | undefined;
    for (const [k, m] of models.entries()) {
      const run: RunModel = async (t: OcrTensor) => {
        const out = Object.values(floatOutputs(await m.session.run({ [m.session.inputs[0].name]: { dtype: 'float32', dims: t.dims, data: t.data } })))[0];
        if (k === 0) refScores = out.data;
        else if (refScores && refScores.length === out.data.length) fidelity[k].add(refScores, out.data);
        return out;
      };
      read[k].push((await recognizeBox(image, quad, run, classes, { height: task.recHeight, maxWidth: task.maxWidth })).text.trim());
    }
  }
  const truth = lines.map((l) => l.text.trim());
  return {
    task: 'ocr', mode: 'recognizer', lines: lines.length,
    models: models.map((m, k) => {
      const acc = textAccuracy(truth, read[k]);
      const out: OcrModelMetrics = { path: m.path, exact: acc.exact, lineAccuracy: acc.exactMatch, cer: acc.cer };
      if (k > 0) {
        out.sameText = lines.length ? read[k].filter((t, i) => t === read[0][i]).length / lines.length : 1;
        out.psnr = fidelity[k].result().psnr;
      }
      return out;
    }),
    samples: truth.slice(0, 5).map((text, i) => ({ text, read: read.map((r) => r[i]) })),
  };
}
