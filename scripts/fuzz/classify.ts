// Sorts a stage's failure into clean (an OndeviceError with a one-line message) or non-clean (anything else), with where it came from.
import { OndeviceError } from '../../src/errors.ts';

/** How one stage ended for one mutant. */
export type Outcome = 'ok' | 'clean' | 'non-clean' | 'skipped';

/** A classified stage result. */
export interface StageResult {
  outcome: Outcome;
  /** Error class name (TypeError, FormatError, ...). */
  name?: string;
  /** The line the CLI would print (for clean errors: `file: message`). */
  message?: string;
  /** First stack frame inside the project, for non-clean errors. */
  where?: string;
  /** Whether a clean error names a file. */
  namesFile?: boolean;
}

/** A clean error is one line a user can read; longer ones (a dumped tensor, a list without end) are findings. */
const MAX_CLEAN_LENGTH = 4000;

/** Classifies a thrown value. */
export function classify(e: unknown): StageResult {
  if (e instanceof OndeviceError) {
    const text = e.toString();
    if (text.length > MAX_CLEAN_LENGTH) return { outcome: 'non-clean', name: e.name, message: `over-long (${text.length} characters): ${text.slice(0, 200)}`, where: frame(e) };
    if (!text.includes('\n')) return { outcome: 'clean', name: e.name, message: text, namesFile: e.file !== undefined };
    return { outcome: 'non-clean', name: e.name, message: `multi-line: ${text.split('\n')[0]}`, where: frame(e) };
  }
  const err = e instanceof Error ? e : new Error(`thrown non-Error: ${String(e)}`);
  return { outcome: 'non-clean', name: err.name || 'Error', message: err.message.split('\n')[0].slice(0, MAX_CLEAN_LENGTH), where: frame(err) };
}

function frame(err: Error): string | undefined {
  const lines = (err.stack ?? '').split('\n').slice(1);
  const ours = lines.find((l) => l.includes('/src/')) ?? lines[0];
  return ours?.trim().replace(/^at /, '').replace(/file:\/\/\S*?\/src\//, 'src/');
}

/** A message with the mutant's file name, quoted names and numbers blurred, so equal failures group together. */
export function blur(message: string): string {
  return message.slice(0, MAX_CLEAN_LENGTH).replace(/\S*mutant-\d+\.\w+/g, 'MUTANT').replace(/'[^']*'/g, "'…'").replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, 'N');
}

/** A key grouping equal failures: stage, class, the blurred message and the location. */
export function failureKey(stage: string, r: StageResult): string {
  const where = (r.where ?? '').replace(/:\d+(:\d+)?\)?$/, '');
  return `${stage} | ${r.name} | ${blur(r.message ?? '')} | ${where}`;
}
