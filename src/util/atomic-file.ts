// Writes a file through a temp file in the same folder and a rename, so readers never see half a file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { trackTemp } from './temp-paths.ts';

const CHUNK = 1 << 30;

/** A one-line reason for a failed open/write ('no such folder', 'permission denied', 'no space left', …). */
function reason(e: unknown, folder: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return `no such folder ${folder}`;
    case 'ENOTDIR': return `${folder} is not a folder`;
    case 'EACCES': case 'EPERM': return `permission denied in ${folder}`;
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EISDIR': return 'a folder has that name';
    default: return code ?? (e as Error).message;
  }
}

/**
 * Writes `bytes` to `path` atomically. `beforeRename` runs after the temp file is complete and
 * before it takes the final name (e.g. to move a companion data file into place first).
 * @throws UsageError naming `path` (never the hidden temp file) when the file cannot be created, written or renamed.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, beforeRename?: () => void): void {
  const target = resolve(path);
  const folder = dirname(target);
  const temp = join(folder, `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const cannotWrite = (e: unknown) => new UsageError(`cannot write: ${reason(e, folder)}`, { file: target, cause: e });
  let fd: number | undefined;
  const untrack = trackTemp(temp);
  try {
    fd = openSync(temp, 'w');
  } catch (e) {
    untrack();
    throw cannotWrite(e);
  }
  try {
    try {
      for (let done = 0; done < bytes.byteLength;) {
        done += writeSync(fd, bytes, done, Math.min(CHUNK, bytes.byteLength - done));
      }
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
    } catch (e) {
      throw cannotWrite(e);
    }
    beforeRename?.();
    try {
      renameSync(temp, target);
    } catch (e) {
      throw cannotWrite(e);
    }
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw e;
  } finally {
    untrack();
  }
}
