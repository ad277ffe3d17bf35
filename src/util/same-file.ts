// Whether two paths name the same file: the same resolved path, or (both existing) the same device and inode (hard links, symlinks).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** True when `a` and `b` are the same file, so writing `b` would destroy `a`. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a), sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
