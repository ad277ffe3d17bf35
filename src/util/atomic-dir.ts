// Writes a folder atomically: fill a sibling temp folder, then swap it in by rename (refusing to replace foreign folders).
import { trackTemp } from './temp-paths.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';

/**
 * Calls `fill(temp)` on a fresh folder next to `out`, then replaces `out` with it. An existing `out` is replaced only
 * if it is empty or `isOurs(out)` says it was written by us; on any failure `out` is left as it was.
 * @throws UsageError if `out` exists and is not ours (or is a file).
 */
export async function writeDirAtomically<T>(out: string, isOurs: (dir: string) => boolean, fill: (temp: string) => Promise<T>): Promise<T> {
  const target = resolve(out);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new UsageError('exists and is not a folder', { file: target });
    if (readdirSync(target).length > 0 && !isOurs(target)) {
      throw new UsageError('folder exists and was not written by ondevice; choose another output folder or remove it', { file: target });
    }
  }
  mkdirSync(dirname(target), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = join(dirname(target), `.${basename(target)}.tmp-${tag}`);
  const old = join(dirname(target), `.${basename(target)}.old-${tag}`);
  mkdirSync(temp);
  const untrack = trackTemp(temp);
  try {
    const result = await fill(temp);
    if (existsSync(target)) renameSync(target, old);
    try {
      renameSync(temp, target);
    } catch (e) {
      if (existsSync(old)) renameSync(old, target);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
    return result;
  } finally {
    rmSync(temp, { recursive: true, force: true });
    untrack();
  }
}
