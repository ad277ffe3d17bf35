// Wraps CLI command actions: one clear line and a non-zero exit on failure, the stack only with --verbose.
import { OndeviceError, UsageError, withFile } from '../errors.ts';

/**
 * Exit codes, the same for every command (README "Exit codes"): 0 done; 1 an error (bad file, failed operation);
 * 2 a usage error (bad options or data spec); 3 the command ran but a check failed (an evaluate verdict, a missed
 * mixed-precision target); 130/143 interrupted by SIGINT/SIGTERM.
 */
export const EXIT = { ok: 0, error: 1, usage: 2, checkFailed: 3, sigint: 130, sigterm: 143 } as const;

let verbose = false;

/** The command the user typed (`quantize`, `deploy web`, …), for the help hint of usage errors. */
export function commandOf(argv: readonly string[] = process.argv.slice(2)): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
    if (a !== 'deploy') break;
  }
  return words.join(' ');
}

/** ` (see 'ondevice CMD --help')`. */
export function helpHint(): string {
  const cmd = commandOf();
  return ` (see 'ondevice ${cmd ? `${cmd} ` : ''}--help')`;
}

/** Turns on stack traces for failures (the global --verbose flag). */
export function setVerbose(on: boolean): void {
  verbose = on;
}

/**
 * Prints an error as one line (`ondevice: file: problem`) and returns the exit code to use. `file` names what the
 * command was working on, for errors that do not carry a file themselves.
 */
export function reportError(e: unknown, file?: string): number {
  if (e instanceof OndeviceError) {
    // A failure on a model given as a model object (quantizeModel) names no file: it is the file the command works on.
    if (file && !(e instanceof UsageError)) withFile(e, file);
    process.stderr.write(`ondevice: ${e.toString()}${e instanceof UsageError ? helpHint() : ''}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return e instanceof UsageError ? EXIT.usage : EXIT.error;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  const path = (err as NodeJS.ErrnoException).path;
  const line = code === 'ENOENT' && path ? `${path}: no such file` : code === 'EACCES' && path ? `${path}: permission denied` : err.message.split('\n')[0];
  // An error ondevice did not anticipate: still one line, naming what it can, with the way to the stack trace.
  const known = code === 'ENOENT' || code === 'EACCES';
  const where = !known && file ? `${file}: ` : '';
  process.stderr.write(`ondevice: ${where}${line}${known || verbose ? '' : ' (internal error; --verbose shows where)'}\n`);
  if (verbose) process.stderr.write(`${err.stack}\n`);
  return EXIT.error;
}

/** Wraps an async command action so failures exit non-zero with one line. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      // The first positional argument (the model or folder the command works on) names unanticipated errors.
      process.exitCode = reportError(e, typeof args[0] === 'string' ? args[0] : undefined);
    }
  };
}
