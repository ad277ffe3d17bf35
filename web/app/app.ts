// The classifier behind the page, without the page: loads config, model, labels and recipe, classifies frames, benchmarks.
import { topK, type Ranked } from './classify.ts';
import type { AppConfig } from './config.ts';
import { Preprocessor, type Prepared } from './preprocess/pipeline.ts';
import type { Frame } from './preprocess/frame.ts';
import type { WebRecipe } from './preprocess/recipe.ts';
import type { ModelSession } from './runtime/backend.ts';
import { fetchLines, fetchOk, loadConfig, openModel, type AppOverrides } from './tasks/load.ts';

export type { AppOverrides } from './tasks/load.ts';

/** One classified frame. */
export interface Prediction {
  /** performance.now() when the result was ready. */
  t: number;
  source: string;
  ranked: Ranked[];
  /** Inference time (ms), excluding preprocessing. */
  ms: number;
  /** Preprocessing time (ms). */
  prepMs: number;
  prepared: Prepared;
}

/** A loaded model with its recipe and labels, ready to classify frames. */
export class ClassifierApp {
  /** Why backends before the chosen one were skipped. */
  skipped: string[] = [];
  private constructor(
    readonly config: AppConfig,
    readonly recipe: WebRecipe,
    readonly labels: string[],
    readonly session: ModelSession,
    readonly preprocessor: Preprocessor,
  ) {}

  /** Loads everything named by the config at `configUrl` and opens the model on the first backend that works. */
  static async load(configUrl = 'config.json', overrides: AppOverrides = {}): Promise<ClassifierApp> {
    return ClassifierApp.open(await loadConfig(configUrl), overrides);
  }

  /** Opens the classifier a loaded config describes. */
  static async open(config: AppConfig, overrides: AppOverrides = {}): Promise<ClassifierApp> {
    if (!config.recipe) throw new Error('config.json names no preprocessing recipe for the classifier');
    const [recipe, labels] = await Promise.all([
      fetchOk(config.recipe).then((r) => r.json() as Promise<WebRecipe>),
      config.labels ? fetchLines(config.labels) : Promise.resolve([]),
    ]);
    const { session, skipped } = await openModel(config, config.model, overrides, { input: recipe.input, output: recipe.output });
    const app = new ClassifierApp(config, recipe, labels, session, new Preprocessor(recipe, config.input));
    app.skipped = skipped;
    return app;
  }

  /** Preprocesses and classifies one frame; null when the frame holds nothing to classify (e.g. an empty pad). */
  async classify(frame: Frame, source: string, digitCrop = 1): Promise<Prediction | null> {
    const t0 = performance.now();
    const prepared = this.preprocessor.prepare(frame, digitCrop);
    if (!prepared) return null;
    const t1 = performance.now();
    const scores = await this.session.run(prepared.tensor, prepared.dims);
    const t2 = performance.now();
    return { t: t2, source, ranked: topK(scores, this.config.topK, this.labels), ms: t2 - t1, prepMs: t1 - t0, prepared };
  }

  /** Times `runs` inferences (after `warmup` untimed ones) on a fixed input; returns each run's ms. */
  async benchmark(runs = 200, warmup = 20): Promise<number[]> {
    const dims = this.preprocessor.dims;
    const input = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < input.length; i++) input[i] = Math.sin(i);
    for (let i = 0; i < warmup; i++) await this.session.run(input, dims);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await this.session.run(input, dims);
      times.push(performance.now() - t);
    }
    return times;
  }
}
