// Error types: every failure a user can cause carries the file it concerns and one clear line.

/** `text` with line breaks and other control characters escaped (`\n`, `\u0000`): names read from a file stay on one line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Base class for errors that the CLI prints as one line (no stack trace unless --verbose). */
export class OndeviceError extends Error {
  /** The file the problem is about, if any. */
  readonly file?: string;
  /** `message` is kept on one line: line breaks in it (a name read from a corrupt file, a runtime's report) are escaped. */
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(oneLine(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
  /** `file: message`, or the message alone. */
  override toString(): string {
    return this.file ? `${oneLine(this.file)}: ${this.message}` : this.message;
  }
}

/** A model file that a format reader or writer cannot handle; names the format. */
export class FormatError extends OndeviceError {
  readonly format: string;
  constructor(format: string, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(`${format}: ${message}`, options);
    this.format = format;
  }
}

/** A graph that breaks an IR invariant; names the node. */
export class GraphError extends OndeviceError {
  readonly node?: string;
  constructor(message: string, options: { node?: string; file?: string; cause?: unknown } = {}) {
    super(options.node !== undefined ? `node '${options.node}': ${message}` : message, options);
    this.node = options.node;
  }
}

/** Bad user input other than a model file (options, datasets, paths). */
export class UsageError extends OndeviceError {}

/** `e` naming `file` when it names none yet: library entry points that know the file they work on call this on the way out. */
export function withFile<E extends OndeviceError>(e: E, file: string): E {
  if (e.file === undefined) (e as { file?: string }).file = file;
  return e;
}
