// Option value parsers shared by every command: each returns a commander argParser that throws a UsageError
// naming the flag and the bad value (main.ts prints it as one line, exit code 2).
import { UsageError } from '../errors.ts';
import { sameFile } from '../util/same-file.ts';

/** The number a flag value spells in full (`'80abc'`, `''` and `' '` are NaN, unlike parseInt/Number). */
function numberOf(v: string): number {
  return v.trim() === '' ? NaN : Number(v);
}

/** `--NAME <n>`: an integer ≥ 1. */
export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = numberOf(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

/** `--NAME <n>`: an integer ≥ 0. */
export function nonNegativeInt(name: string): (v: string) => number {
  return (v) => {
    const n = numberOf(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

/** `--NAME <x>`: a finite number > 0. */
export function positiveNumber(name: string): (v: string) => number {
  return (v) => {
    const n = numberOf(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, got '${v}'`);
    return n;
  };
}

/** `--port <n>`: a TCP port, 0–65535 (0: any free port). */
export function port(name = 'port'): (v: string) => number {
  return (v) => {
    const n = numberOf(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number 0–65535, got '${v}'`);
    return n;
  };
}

/** `--NAME <value>`: one of `allowed`. */
export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/**
 * The names of a comma-separated option (trimmed, empties dropped); undefined when the option is absent.
 * @throws UsageError `FLAG names no WHAT` when it is given but names nothing.
 */
export function nameList(value: string | undefined, flag: string, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (!names.length) throw new UsageError(`${flag} names no ${what}`);
  return names;
}

/** Collects a repeatable option's values into an array. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The help text of `--input-shape`, the same on every command. */
export const INPUT_SHAPE_HELP = 'fixed input shape NAME=D1,D2,…, e.g. x=1,3,48,192 (repeatable; a dynamic batch dim defaults to 1, other dynamic dims must be given)';

/** The help text of `--input-value`, the same on every command. */
export const INPUT_VALUE_HELP = 'fixed input value NAME=V or NAME=V1,V2,…, e.g. sr=16000, state=0 (one value fills the input), flag=true '
  + '(repeatable; fed on every example instead of data; compile treats the input as a constant)';

/** The help text of `--outputs` (compile and quantize). */
export const OUTPUTS_HELP = 'comma-separated graph outputs to keep, e.g. a detector\'s raw heads without its NMS post-processing; '
  + 'any value the graph computes may be named, and the graph is pruned to what they need';

/**
 * Refuses an output path that is one of the inputs (same path, a symlink or a hard link to it): nothing is written and
 * the input stays untouched.
 * @throws UsageError naming the output.
 */
export function refuseOverwritingInput(output: string, ...inputs: string[]): void {
  const hit = inputs.find((i) => sameFile(i, output));
  if (hit) throw new UsageError(`the output would overwrite the input ${hit}; choose another -o/--output path`, { file: output });
}
