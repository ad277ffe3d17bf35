// The compile failure report: every op that cannot be mapped, with why, thrown as one error.
import { OndeviceError } from '../../errors.ts';

/** One node the compiler could not express in the target format. */
export interface UnmappedOp {
  node: string;
  op: string;
  why: string;
}

/** Thrown instead of writing a file when some ops cannot be mapped; lists all of them. */
export class UnmappableOpsError extends OndeviceError {
  constructor(readonly target: string, readonly failures: UnmappedOp[], options: { file?: string } = {}) {
    super(`cannot compile to ${target}: ${failures.length} op${failures.length === 1 ? '' : 's'} cannot be mapped: ` +
      failures.map((f) => `node '${f.node}' (${f.op}): ${f.why}`).join('; '), options);
  }
}
