// Error types: every failure a user can cause carries the file it concerns and one clear line.

/** Base class for errors that the CLI prints as one line (no stack trace unless --verbose). */
export class OndeviceError extends Error {
  /** The file the problem is about, if any. */
  readonly file?: string;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.file = options.file;
  }
  /** `file: message`, or the message alone. */
  override toString(): string {
    return this.file ? `${this.file}: ${this.message}` : this.message;
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
