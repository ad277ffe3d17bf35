// Reading text from an image: detector → DB boxes → upright crops → recogniser → CTC, lines in reading order; model runs injected.
import { ctcGreedyDecode, type CtcChar } from './ctc.ts';
import { dbBoxes, type DbOptions, type TextBox } from './db-boxes.ts';
import { detInput, type DetInputOptions } from './det-input.ts';
import type { Quad } from './geometry.ts';
import { cropQuad, recInput, type RecInputOptions } from './crop.ts';
import type { OcrTensor, Raster } from './image.ts';
import type { OcrTask } from '../task.ts';

/** One model run: an NCHW float32 input in, its (single) float32 output out. */
export type RunModel = (input: OcrTensor) => Promise<OcrTensor>;

/** The two model runs: the DB detector (→ [1,1,H,W] probabilities) and the CTC recogniser (→ [1,T,C] probabilities). */
export interface OcrModels {
  detect: RunModel;
  recognize: RunModel;
}

/** Options of every stage, and the recognition confidence below which a line is dropped (PaddleOCR's drop_score, default 0.5). */
export interface ReadTextOptions extends DetInputOptions, DbOptions, Omit<RecInputOptions, 'bgr'> {
  minConfidence?: number;
}

/** The pipeline options an OCR task template sets (the rest keep PaddleOCR's defaults). */
export function readTextOptions(task: OcrTask): ReadTextOptions {
  const options: ReadTextOptions = {
    threshold: task.threshold, boxThreshold: task.boxThreshold, unclipRatio: task.unclipRatio, minSize: task.minSize, height: task.recHeight, maxWidth: task.maxWidth,
  };
  for (const k of Object.keys(options) as (keyof ReadTextOptions)[]) if (options[k] === undefined) delete options[k];
  return options;
}

/** A recognised line: text, confidence (mean character score), the box in image pixels and its detection score. */
export interface TextLine {
  text: string;
  confidence: number;
  box: Quad;
  boxScore: number;
  chars: CtcChar[];
}

/**
 * Reading order: boxes sorted by their centre's y, those whose centres lie within half a box height of a row's first
 * box joined into that row, each row left to right.
 */
export function readingOrder<T extends { points: Quad }>(boxes: readonly T[]): T[] {
  const centre = (b: T) => b.points.reduce((s, p) => s + p[1], 0) / 4;
  const height = (b: T) => (Math.hypot(b.points[3][0] - b.points[0][0], b.points[3][1] - b.points[0][1]) + Math.hypot(b.points[2][0] - b.points[1][0], b.points[2][1] - b.points[1][1])) / 2;
  const sorted = [...boxes].sort((a, b) => centre(a) - centre(b));
  const out: T[] = [];
  let row: T[] = [];
  for (const b of sorted) {
    if (row.length && Math.abs(centre(b) - centre(row[0])) > height(row[0]) / 2) { out.push(...row.sort((p, q) => p.points[0][0] - q.points[0][0])); row = []; }
    row.push(b);
  }
  out.push(...row.sort((p, q) => p.points[0][0] - q.points[0][0]));
  return out;
}

/** The text boxes of an image: detector input, one detector run, DB post-processing back to image pixels. */
export async function detectText(image: Raster, detect: RunModel, options: ReadTextOptions = {}): Promise<TextBox[]> {
  const input = detInput(image, options);
  const out = await detect(input.tensor);
  const [mapHeight, mapWidth] = out.dims.slice(-2);
  return dbBoxes(out.data, mapWidth, mapHeight, image.width, image.height, options);
}

/** The text of one box: crop upright, recogniser run, greedy CTC over `classes` (blank, dictionary, space). */
export async function recognizeBox(image: Raster, box: Quad, recognize: RunModel, classes: readonly string[], options: RecInputOptions = {}): Promise<{ text: string; confidence: number; chars: CtcChar[] }> {
  const out = await recognize(recInput(cropQuad(image, box), options));
  const frames = out.dims[out.dims.length - 2];
  return ctcGreedyDecode(out.data.subarray(0, frames * classes.length), frames, classes);
}

/**
 * Reads the text in an RGB(A) HWC 8-bit image: detect boxes, recognise each (one recogniser run per box), drop lines below
 * minConfidence, return them top to bottom, left to right.
 */
export async function readText(image: Raster, models: OcrModels, classes: readonly string[], options: ReadTextOptions = {}): Promise<TextLine[]> {
  const boxes = readingOrder(await detectText(image, models.detect, options));
  const lines: TextLine[] = [];
  for (const b of boxes) {
    const rec = await recognizeBox(image, b.points, models.recognize, classes, options);
    if (rec.confidence < (options.minConfidence ?? 0.5) || !rec.text) continue;
    lines.push({ ...rec, box: b.points, boxScore: b.score });
  }
  return lines;
}
