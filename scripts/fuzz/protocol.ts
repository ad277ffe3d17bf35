// Messages between the fuzz parent and its worker process.
import type { StageResult } from './classify.ts';
import type { Seed } from './seeds.ts';
import type { Stage } from './stages.ts';

/** Parent → worker. */
export type ToWorker =
  | { type: 'init'; seeds: Seed[] }
  /** Make mutant `index` in `dir` and run it. */
  | { type: 'run'; runSeed: number; index: number; dir: string };

/** Worker → parent. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'made'; index: number; file: string; label: string }
  | { type: 'stage'; index: number; stage: Stage; result: StageResult }
  | { type: 'done'; index: number; maxRssKb: number }
  | { type: 'crash'; index: number; message: string; where?: string };
