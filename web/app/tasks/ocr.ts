// ocr: frame → text detector → boxes → upright crops → recogniser → CTC with the dictionary (src/tasks/ocr) → text over the frame.
import type { AppConfig } from '../config.ts';
import { FrameGrabber, type Frame } from '../preprocess/frame.ts';
import type { ModelSession } from '../runtime/backend.ts';
import { ctcClasses, parseDictionary } from '../../../src/tasks/ocr/ctc.ts';
import type { OcrTensor } from '../../../src/tasks/ocr/image.ts';
import { readText, readTextOptions, type RunModel } from '../../../src/tasks/ocr/pipeline.ts';
import type { OcrTask } from '../../../src/tasks/task.ts';
import { drawRgba, strokeQuad } from '../ui/stage.ts';
import { fetchOk, loadTask, openModel, type AppOverrides } from './load.ts';
import type { TaskResult, TaskRunner } from './runner.ts';

/** Frames are read at most this wide/high (PaddleOCR's detector limit is 960 on the longer side). */
const MAX_SIDE = 960;

/** Runs the detector + recogniser chain on frames. */
export class OcrRunner implements TaskRunner {
  readonly kind = 'ocr';
  private readonly grabber = new FrameGrabber();
  private constructor(
    readonly task: OcrTask, readonly classes: string[], readonly session: ModelSession, readonly recognizer: ModelSession, readonly skipped: string[],
  ) {}

  static async load(config: AppConfig, overrides: AppOverrides): Promise<OcrRunner> {
    const { task, url } = await loadTask<OcrTask>(config);
    const [dictionary, det, rec] = await Promise.all([
      fetchOk(url(task.dictionary)).then((r) => r.text()),
      openModel(config, config.model, overrides),
      openModel(config, url(task.recognizer), overrides),
    ]);
    return new OcrRunner(task, ctcClasses(parseDictionary(dictionary)), det.session, rec.session, det.skipped);
  }

  /** One model as the OCR pipeline runs it, adding its inference time to `spent` (one counter per frame). */
  private runner(session: ModelSession, spent: { ms: number }): RunModel {
    return async (t: OcrTensor) => {
      const start = performance.now();
      const out = await session.runFeeds({ [session.inputNames[0]]: { dtype: 'float32', data: t.data, dims: t.dims } });
      spent.ms += performance.now() - start;
      return out[session.outputNames[0]];
    };
  }

  async process(frame: Frame, source: string): Promise<TaskResult> {
    const t0 = performance.now();
    const scale = Math.min(1, MAX_SIDE / Math.max(frame.width, frame.height));
    const w = Math.round(frame.width * scale), h = Math.round(frame.height * scale);
    const pixels = this.grabber.grab(frame, { x: 0, y: 0, width: frame.width, height: frame.height }, w, h);
    const spent = { ms: 0 };
    // A copy of the pixels read: the stage shows the picture the text was read from, not the video a second later.
    const picture = { width: w, height: h, data: new Uint8ClampedArray(pixels.data) };
    const lines = await readText({ ...picture, channels: 4 }, { detect: this.runner(this.session, spent), recognize: this.runner(this.recognizer, spent) }, this.classes, readTextOptions(this.task));
    const t1 = performance.now();
    const quads = lines.map((l) => l.box.map(([x, y]) => [x / scale, y / scale] as [number, number]));
    return {
      t: t1, source, ms: spent.ms, totalMs: t1 - t0,
      items: lines.map((l) => l.text),
      data: { lines: lines.map((l, i) => ({ text: l.text, confidence: l.confidence, box: quads[i] })) },
      draw(ctx) {
        drawRgba(ctx, picture);
        const s = { sx: scale, sy: scale };
        lines.forEach((l, i) => strokeQuad(ctx, quads[i], s, l.text));
      },
    };
  }
}
