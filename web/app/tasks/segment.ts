// segment: frame → recipe → model → foreground mask at the frame's size (src/tasks/segment) → blur/replace/overlay composite.
import type { AppConfig } from '../config.ts';
import { FrameGrabber, type Frame } from '../preprocess/frame.ts';
import { Preprocessor } from '../preprocess/pipeline.ts';
import type { WebRecipe } from '../preprocess/recipe.ts';
import type { ModelSession } from '../runtime/backend.ts';
import { applyEffect, segmentPostprocess } from '../../../src/tasks/segment/postprocess.ts';
import type { SegmentTask } from '../../../src/tasks/task.ts';
import { drawRgba } from '../ui/stage.ts';
import { fetchOk, loadTask, openModel, type AppOverrides } from './load.ts';
import { runOnFrame, type TaskResult, type TaskRunner } from './runner.ts';

/** The composite's width at most (the blur is a few passes over every pixel). */
const MAX_WIDTH = 480;

/** Runs a segmenter on frames and composites the result (the video-call filter). */
export class SegmentRunner implements TaskRunner {
  readonly kind = 'segment';
  private readonly pre: Preprocessor;
  private readonly grabber = new FrameGrabber();
  private constructor(readonly task: SegmentTask, readonly recipe: WebRecipe, readonly session: ModelSession, readonly skipped: string[]) {
    this.pre = new Preprocessor(recipe, 'image');
  }

  static async load(config: AppConfig, overrides: AppOverrides): Promise<SegmentRunner> {
    const [{ task }, recipe, opened] = await Promise.all([
      loadTask<SegmentTask>(config),
      fetchOk(config.recipe!).then((r) => r.json() as Promise<WebRecipe>),
      openModel(config, config.model, overrides),
    ]);
    return new SegmentRunner(task, recipe, opened.session, opened.skipped);
  }

  async process(frame: Frame, source: string): Promise<TaskResult> {
    // The picture to composite is read before the model runs: a live video moves on meanwhile, and the mask is of this frame.
    const scale = Math.min(1, MAX_WIDTH / frame.width);
    const w = Math.round(frame.width * scale), h = Math.round(frame.height * scale);
    const pixels = this.grabber.grab(frame, { x: 0, y: 0, width: frame.width, height: frame.height }, w, h);
    const { outputs, start, inference } = await runOnFrame(this.pre, this.session, frame);
    const rgba = { width: w, height: h, data: pixels.data as Uint8ClampedArray };
    const mask = segmentPostprocess(this.task, outputs, w, h);
    const composite = applyEffect(this.task, rgba, mask);
    let cover = 0;
    for (const v of mask.data) if (v >= (this.task.threshold ?? 0.5)) cover++;
    const t3 = performance.now();
    const fraction = cover / mask.data.length;
    return {
      t: t3, source, ms: inference, totalMs: t3 - start,
      items: [`foreground ${(fraction * 100).toFixed(1)}% of the frame (${this.task.effect ?? 'blur'})`],
      data: { cover: fraction, mask: { width: w, height: h, data: mask.data } },
      draw(ctx) {
        drawRgba(ctx, composite);
      },
    };
  }
}
