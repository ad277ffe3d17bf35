// ONNX external data: safe resolution of `location`, lazy ranged reads, and streamed writing.
import { trackTemp } from '../../util/temp-paths.ts';
import { closeSync, fstatSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { FormatError } from '../../errors.ts';

/** Largest single read/write call (node refuses ranges of 2 GiB and more). */
const IO_CHUNK = 1 << 30;

/** Throws unless `location` is a plain relative path that stays inside the model's folder. */
export function checkLocationSyntax(location: string, file: string): void {
  if (location === '') throw new FormatError('onnx', 'external data tensor has an empty location', { file });
  if (isAbsolute(location) || location.startsWith('/') || location.startsWith('\\') || /^[A-Za-z]:/.test(location)) {
    throw new FormatError('onnx', `external data location '${location}' is an absolute path; only paths relative to the model's folder are allowed`, { file });
  }
  if (location.split(/[\\/]/).includes('..') || location.includes('\0')) {
    throw new FormatError('onnx', `external data location '${location}' leaves the model's folder`, { file });
  }
}

/**
 * Resolves an external-data location against the model's folder, rejecting absolute paths, `..`
 * segments and symlinks that lead outside the folder. Returns the real absolute path of the file.
 */
export function resolveLocation(location: string, modelFile: string): string {
  checkLocationSyntax(location, modelFile);
  const folder = realpathSync(dirname(resolve(modelFile)));
  let real: string;
  try {
    real = realpathSync(join(folder, location));
  } catch {
    throw new FormatError('onnx', `external data file '${location}' not found next to the model`, { file: modelFile });
  }
  if (!real.startsWith(folder + sep)) {
    throw new FormatError('onnx', `external data location '${location}' resolves outside the model's folder`, { file: modelFile });
  }
  if (!statSync(real).isFile()) {
    throw new FormatError('onnx', `external data location '${location}' is not a regular file`, { file: modelFile });
  }
  return real;
}

const closer = new FinalizationRegistry<number>((fd) => {
  try { closeSync(fd); } catch { /* already closed */ }
});

/**
 * One external-data file, identified at read time by inode and size. The descriptor is opened on the
 * first read and then kept, so a later rewrite that renames a new file over this path does not change
 * what lazy tensors read; it is closed when the last tensor referring to the file is garbage collected.
 */
export class ExternalFile {
  readonly path: string;
  readonly size: number;
  private readonly ino: number;
  private fd: number | undefined;

  constructor(path: string, private readonly modelFile: string) {
    const st = statSync(path);
    this.path = path;
    this.size = st.size;
    this.ino = st.ino;
  }

  /** Reads `length` bytes at `offset` (just that range). */
  read(offset: number, length: number): Uint8Array {
    const fd = this.open();
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, Math.min(IO_CHUNK, length - done), offset + done);
      if (n === 0) {
        throw new FormatError('onnx', `external data file '${this.path}' ended at byte ${offset + done}, expected ${offset + length}`, { file: this.modelFile });
      }
      done += n;
    }
    return out;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (e) {
      throw new FormatError('onnx', `external data file '${this.path}' cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: this.modelFile, cause: e });
    }
    const st = fstatSync(fd);
    if (st.ino !== this.ino || st.size !== this.size) {
      closeSync(fd);
      throw new FormatError('onnx', `external data file '${this.path}' was replaced since the model was read`, { file: this.modelFile });
    }
    this.fd = fd;
    closer.register(this, fd);
    return fd;
  }
}

/**
 * Streams tensor payloads into one external-data file, each aligned to 4 KiB. Writes go to a temp
 * file in the target folder; `commit()` renames it into place, `abort()` removes it.
 */
export class ExternalDataWriter {
  /** Location string recorded in the model (relative to the model's folder). */
  readonly location: string;
  readonly finalPath: string;
  private readonly tempPath: string;
  private fd: number | undefined;
  private position = 0;
  private untrack: (() => void) | undefined;

  constructor(modelPath: string, location: string) {
    checkLocationSyntax(location, modelPath);
    this.location = location;
    this.finalPath = join(dirname(resolve(modelPath)), location);
    this.tempPath = join(dirname(this.finalPath), `.${basename(this.finalPath)}.${process.pid}.${Date.now()}.tmp`);
  }

  /** Appends one payload (at a 4 KiB-aligned offset) and returns where it went. */
  append(bytes: Uint8Array): { offset: number; length: number } {
    if (this.fd === undefined) {
      this.untrack = trackTemp(this.tempPath);
      this.fd = openSync(this.tempPath, 'w');
    }
    const offset = Math.ceil(this.position / 4096) * 4096;
    let done = 0;
    while (done < bytes.byteLength) {
      done += writeSync(this.fd, bytes, done, Math.min(IO_CHUNK, bytes.byteLength - done), offset + done);
    }
    this.position = offset + bytes.byteLength;
    return { offset, length: bytes.byteLength };
  }

  /** True once at least one payload was written. */
  get used(): boolean {
    return this.fd !== undefined;
  }

  /** Closes the temp file and renames it to its final name. */
  commit(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.tempPath, this.finalPath);
    this.untrack?.();
  }

  /** Closes and deletes the temp file (after a failure). */
  abort(): void {
    if (this.fd === undefined) return;
    try { closeSync(this.fd); } catch { /* ignore */ }
    this.fd = undefined;
    try { unlinkSync(this.tempPath); } catch { /* ignore */ }
    this.untrack?.();
  }
}
