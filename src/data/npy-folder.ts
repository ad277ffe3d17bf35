// A folder of .npy files, one per model input (`DIR/<input name>.npy`, first dim = examples): an unzipped .npz.
import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UsageError } from '../errors.ts';
import { combineSources } from './combined-source.ts';
import { npySource } from './npy.ts';
import type { TypedDataSource } from './typed-source.ts';

/** True when `dir` holds `<name>.npy` for at least one of `inputNames` (and so is array data). */
export function holdsInputArrays(dir: string, inputNames: readonly string[]): boolean {
  return inputNames.some((n) => existsSync(join(dir, `${n}.npy`)));
}

/**
 * The arrays `DIR/<name>.npy` for each of `inputNames`, read side by side (all must count the same examples).
 * @throws UsageError naming the folder and the missing file(s), listing the .npy files it does hold.
 */
export async function npyFolderSource(dir: string, inputNames: readonly string[]): Promise<TypedDataSource> {
  const missing = inputNames.filter((n) => !existsSync(join(dir, `${n}.npy`)));
  if (missing.length) {
    const held = readdirSync(dir).filter((n) => extname(n).toLowerCase() === '.npy');
    throw new UsageError(`no array for model input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}' (${m}.npy)`).join(', ')} (the folder holds ${held.join(', ') || 'no .npy files'})`, { file: dir });
  }
  const sources = await Promise.all(inputNames.map((n) => npySource(join(dir, `${n}.npy`), [n])));
  const combined = combineSources(sources, dir);
  const count = combined.count;
  return { ...combined, description: `arrays in ${dir} (${inputNames.map((n) => `${n}.npy`).join(', ')}; ${count} examples)`, batches: combined.batches, fingerprint: combined.fingerprint };
}
