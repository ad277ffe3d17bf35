// detect: frame → recipe → model → box decoding (anchors as data) + NMS (src/tasks/detect) → boxes drawn over the frame.
import type { AppConfig } from '../config.ts';
import { Preprocessor } from '../preprocess/pipeline.ts';
import type { Frame } from '../preprocess/frame.ts';
import { recipeCrop, type WebRecipe } from '../preprocess/recipe.ts';
import type { ModelSession } from '../runtime/backend.ts';
import { detectPostprocess } from '../../../src/tasks/detect/postprocess.ts';
import type { Detection } from '../../../src/tasks/detect/box.ts';
import type { DetectTask } from '../../../src/tasks/task.ts';
import { drawFrame, strokeBox } from '../ui/stage.ts';
import { fetchLines, fetchOk, loadTask, openModel, type AppOverrides } from './load.ts';
import { runOnFrame, type TaskResult, type TaskRunner } from './runner.ts';

/** A detection in frame pixels. */
export interface FrameDetection {
  label: string;
  score: number;
  box: { x: number; y: number; width: number; height: number };
  keypoints: { x: number; y: number }[];
}

/** Runs a detector on frames. */
export class DetectRunner implements TaskRunner {
  readonly kind = 'detect';
  private readonly pre: Preprocessor;
  private constructor(
    readonly task: DetectTask, readonly recipe: WebRecipe, readonly labels: string[], readonly session: ModelSession, readonly skipped: string[],
  ) {
    this.pre = new Preprocessor(recipe, 'image');
  }

  static async load(config: AppConfig, overrides: AppOverrides): Promise<DetectRunner> {
    const [{ task }, recipe, labels, opened] = await Promise.all([
      loadTask<DetectTask>(config),
      fetchOk(config.recipe!).then((r) => r.json() as Promise<WebRecipe>),
      config.labels ? fetchLines(config.labels) : Promise.resolve([]),
      openModel(config, config.model, overrides),
    ]);
    return new DetectRunner(task, recipe, labels, opened.session, opened.skipped);
  }

  async process(frame: Frame, source: string): Promise<TaskResult> {
    const { outputs, start, inference } = await runOnFrame(this.pre, this.session, frame);
    const found = detectPostprocess(this.task, outputs);
    const crop = recipeCrop(frame.width, frame.height, this.recipe);
    const boxes = found.map((d) => this.toFrame(d, crop));
    const t3 = performance.now();
    return {
      t: t3, source, ms: inference, totalMs: t3 - start,
      items: boxes.map((b) => `${b.label} ${(b.score * 100).toFixed(0)}% at ${Math.round(b.box.x)},${Math.round(b.box.y)} ${Math.round(b.box.width)}×${Math.round(b.box.height)}`),
      data: { boxes, frame: { width: frame.width, height: frame.height } },
      draw(ctx, f) {
        const s = drawFrame(ctx, f);
        for (const b of boxes) strokeBox(ctx, b.box, s, `${b.label} ${(b.score * 100).toFixed(0)}%`, b.keypoints);
      },
    };
  }

  private toFrame(d: Detection, crop: { x: number; y: number; width: number; height: number }): FrameDetection {
    const x = crop.x + d.box.xmin * crop.width, y = crop.y + d.box.ymin * crop.height;
    return {
      label: this.labels[d.classId] ?? (this.labels.length ? String(d.classId) : 'object'),
      score: d.score,
      box: { x, y, width: (d.box.xmax - d.box.xmin) * crop.width, height: (d.box.ymax - d.box.ymin) * crop.height },
      keypoints: d.keypoints.map((k) => ({ x: crop.x + k.x * crop.width, y: crop.y + k.y * crop.height })),
    };
  }
}
