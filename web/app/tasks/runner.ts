// The contract between the task page and each task: process a frame into a result, draw it, list it (DOM drawing only in draw).
import type { Frame } from '../preprocess/frame.ts';
import type { Preprocessor } from '../preprocess/pipeline.ts';
import type { ModelSession, Output } from '../runtime/backend.ts';

/** One processed frame: what to draw over it, what to list, and figures for tests and the stats line. */
export interface TaskResult {
  /** performance.now() when the result was ready. */
  t: number;
  source: string;
  /** Inference time (ms) over every model run of this frame, and the whole time including pre/post-processing. */
  ms: number;
  totalMs: number;
  /** One line per item (a detection, a text line, the mask's cover) for the result list. */
  items: string[];
  /** Task-specific figures the page exposes (boxes, text, mask cover …). */
  data: unknown;
  /** Draws the result at the stage's size: the frame (or its composite) and the overlays. */
  draw(ctx: CanvasRenderingContext2D, frame: Frame): void;
}

/** A loaded task: its sessions and how it turns a frame into a result (null when the frame holds nothing to process). */
export interface TaskRunner {
  readonly kind: string;
  /** The main model's session (its backend is shown on the page). */
  readonly session: ModelSession;
  readonly skipped: string[];
  process(frame: Frame, source: string): Promise<TaskResult | null>;
}

/** An image task's model run on a frame: the recipe's input, every output, and when each stage ended (performance.now()). */
export async function runOnFrame(pre: Preprocessor, session: ModelSession, frame: Frame): Promise<{ outputs: Record<string, Output>; start: number; inference: number }> {
  const start = performance.now();
  const prepared = pre.prepare(frame)!;
  const t1 = performance.now();
  const outputs = await session.runFeeds({ [pre.recipe.input]: { dtype: 'float32', data: prepared.tensor, dims: prepared.dims } });
  return { outputs, start, inference: performance.now() - t1 };
}
