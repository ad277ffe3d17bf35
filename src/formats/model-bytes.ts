// The bytes a model occupies on disk: the file itself, plus a TF.js model.json's weight shards.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { shardBytes } from './tfjs/describe.ts';
import { looksLikeTfjs, parseModelJson } from './tfjs/model-json.ts';

/**
 * Size of the model at `path` in bytes: the file, and for a TF.js model.json every weight shard it lists (shards that
 * cannot be found are not counted; reading the model reports them).
 */
export function modelBytes(path: string): number {
  if (statSync(path).isDirectory()) return folderBytes(path);
  const size = statSync(path).size;
  if (!path.toLowerCase().endsWith('.json')) return size;
  const text = readFileSync(path, 'utf8');
  if (!looksLikeTfjs(new TextEncoder().encode(text.slice(0, 4096)))) return size;
  try {
    return size + shardBytes(path, parseModelJson(text, path));
  } catch {
    return size;
  }
}

/** Bytes of every file under a folder (a Core ML .mlpackage). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(p) : entry.isFile() ? statSync(p).size : 0;
  }
  return total;
}
