// OCR chain metrics: text detectors chained with the task's recogniser (readText, the app's pipeline) on labelled pages.
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import { FidelityAccumulator } from '../metrics.ts';
import { textAccuracy } from '../../tasks/ocr/metrics.ts';
import { readingOrder, readText, readTextOptions, type RunModel } from '../../tasks/ocr/pipeline.ts';
import type { OcrTensor } from '../../tasks/ocr/image.ts';
import type { OcrTask } from '../../tasks/task.ts';
import type { TextPageLabel } from './ground-truth.ts';
import { floatOutputs, loadTaskModels, releaseTaskModels, type TaskModel } from './models.ts';
import { checkRecognizer, loadRgb, type OcrMetrics } from './ocr.ts';

/** How many of `truth`'s lines appear exactly among `read` (each read line matched once). */
function exactLines(truth: readonly string[], read: readonly string[]): number {
  const left = new Map<string, number>();
  for (const r of read) left.set(r, (left.get(r) ?? 0) + 1);
  let n = 0;
  for (const t of truth) {
    const k = left.get(t) ?? 0;
    if (k > 0) {
      n++;
      left.set(t, k - 1);
    }
  }
  return n;
}

/**
 * Reads every labelled page with each detector (reference first) chained with the task's recogniser (`task.recognizer`,
 * relative to the task file) by `readText` with the task's options. Per model: ground-truth lines read exactly, line
 * accuracy, and the CER of the page text (lines in reading order joined by newlines) against the labels' lines in reading
 * order; for candidates, the share of pages read exactly as the reference reads them and the PSNR of their probability maps.
 * @throws UsageError naming `taskFile` when a model is not a DB detector ([1,1,H,W] output) or the recogniser does not fit the dictionary.
 */
export async function ocrChainMetrics(task: OcrTask, detectors: readonly TaskModel[], pages: readonly TextPageLabel[], classes: readonly string[], options: { taskFile?: string; runtime?: string; threads?: number; limit?: number } = {}): Promise<OcrMetrics> {
  const chosen = pages.slice(0, options.limit ?? pages.length);
  for (const d of detectors) {
    const shape = d.session.outputs[0]?.shape ?? [];
    if (shape.length !== 4) {
      throw new UsageError(`${d.path} is not a text detector (its output is [${shape.join(', ')}], not [1, 1, H, W]): page labels (IMAGE<TAB>[{transcription, points}]) evaluate detectors chained with the task's recogniser`, { file: options.taskFile });
    }
  }
  const [rec] = await loadTaskModels([resolve(options.taskFile ? dirname(options.taskFile) : '.', task.recognizer)], options);
  try {
    checkRecognizer(rec, classes, options.taskFile);
    const runner = (m: TaskModel, onOutput?: (data: Float32Array) => void): RunModel => async (t: OcrTensor) => {
      const out = Object.values(floatOutputs(await m.session.run({ [m.session.inputs[0].name]: { dtype: 'float32', dims: t.dims, data: t.data } })))[0];
      onOutput?.(out.data);
      return out;
    };
    const recognize = runner(rec);
    const read: string[][] = detectors.map(() => []);
    const exact = detectors.map(() => 0);
    const fidelity = detectors.map(() => new FidelityAccumulator());
    const truth: string[] = [];
    let lines = 0;
    for (const page of chosen) {
      const image = await loadRgb(page.image);
      const expected = readingOrder(page.lines.map((l) => ({ ...l, text: l.text.trim() }))).map((l) => l.text);
      truth.push(expected.join('\n'));
      lines += expected.length;
      let refMap: Float32Array | undefined;
      for (const [k, det] of detectors.entries()) {
        const detect = runner(det, (map) => {
          if (k === 0) refMap = map;
          else if (refMap && refMap.length === map.length) fidelity[k].add(refMap, map);
        });
        const found = (await readText(image, { detect, recognize }, classes, readTextOptions(task))).map((l) => l.text.trim());
        read[k].push(found.join('\n'));
        exact[k] += exactLines(expected, found);
      }
    }
    return {
      task: 'ocr', mode: 'chain', pages: chosen.length, lines,
      models: detectors.map((m, k) => {
        const acc = textAccuracy(truth, read[k]);
        return {
          path: m.path, exact: exact[k], lineAccuracy: lines ? exact[k] / lines : 1, cer: acc.cer,
          ...(k > 0 ? { sameText: chosen.length ? read[k].filter((t, i) => t === read[0][i]).length / chosen.length : 1, psnr: fidelity[k].result().psnr } : {}),
        };
      }),
      samples: truth.slice(0, 3).map((text, i) => ({ text, read: read.map((r) => r[i]) })),
    };
  } finally {
    await releaseTaskModels([rec]);
  }
}
