// The compile failure report: every op that cannot be mapped, with why, thrown as one error.
import { OndeviceError } from '../errors.ts';

/** One node the compiler could not express in the target format. */
export interface UnmappedOp {
  node: string;
  op: string;
  why: string;
}

/** Ops named in the message (all of them stay in `failures`): the line stays readable on a model with hundreds. */
const LISTED = 10;

/** Thrown instead of writing a file when some ops cannot be mapped; `failures` lists all of them, the message the first ten. */
export class UnmappableOpsError extends OndeviceError {
  constructor(readonly target: string, readonly failures: UnmappedOp[], options: { file?: string } = {}) {
    const more = failures.length > LISTED ? `; and ${failures.length - LISTED} more` : '';
    super(`cannot compile to ${target}: ${failures.length} op${failures.length === 1 ? '' : 's'} cannot be mapped: ` +
      failures.slice(0, LISTED).map((f) => `node '${f.node}' (${f.op}): ${f.why}`).join('; ') + more, options);
  }
}
