// The pass contract: a named, documented rewrite of a model, run in order by the pipeline.
import type { Model } from '../ir/graph.ts';

/** What the pipeline hands each pass besides the model. */
export interface PassContext {
  /** Diagnostic sink for one-line messages (what was folded, what was skipped and why). */
  log(message: string): void;
}

/** One graph rewrite. It may mutate the model in place; it returns the model to continue with. */
export interface Pass {
  /** Short kebab-case name used on the command line and in reports, e.g. 'fold-batchnorm'. */
  readonly name: string;
  /** One sentence saying what the pass does. */
  readonly description: string;
  run(model: Model, ctx: PassContext): Model | Promise<Model>;
}

/** A context that discards log messages. */
export function silentContext(): PassContext {
  return { log: () => {} };
}
