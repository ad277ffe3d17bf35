// Writes a file through a temp file in the same folder and a rename, so readers never see half a file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const CHUNK = 1 << 30;

/**
 * Writes `bytes` to `path` atomically. `beforeRename` runs after the temp file is complete and
 * before it takes the final name (e.g. to move a companion data file into place first).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, beforeRename?: () => void): void {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined = openSync(temp, 'w');
  try {
    for (let done = 0; done < bytes.byteLength;) {
      done += writeSync(fd, bytes, done, Math.min(CHUNK, bytes.byteLength - done));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    beforeRename?.();
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw e;
  }
}
