// Wraps CLI command actions: one clear line and a non-zero exit on failure, the stack only with --verbose.
import { OndeviceError, UsageError } from '../errors.ts';

let verbose = false;

/** Turns on stack traces for failures (the global --verbose flag). */
export function setVerbose(on: boolean): void {
  verbose = on;
}

/** Prints an error as one line (`ondevice: file: problem`) and returns the exit code to use. */
export function reportError(e: unknown): number {
  if (e instanceof OndeviceError) {
    process.stderr.write(`ondevice: ${e.toString()}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  const path = (err as NodeJS.ErrnoException).path;
  const line = code === 'ENOENT' && path ? `${path}: no such file` : code === 'EACCES' && path ? `${path}: permission denied` : err.message.split('\n')[0];
  process.stderr.write(`ondevice: ${line}\n`);
  if (verbose) process.stderr.write(`${err.stack}\n`);
  else if (!(code === 'ENOENT' || code === 'EACCES')) process.stderr.write('(run with --verbose for details)\n');
  return 1;
}

/** Wraps an async command action so failures exit non-zero with one line. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}
