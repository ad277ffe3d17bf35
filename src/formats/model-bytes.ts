// The bytes a model occupies on disk: the file itself, plus a TF.js model.json's weight shards.
import { readFileSync, statSync } from 'node:fs';
import { shardBytes } from './tfjs/describe.ts';
import { looksLikeTfjs, parseModelJson } from './tfjs/model-json.ts';

/**
 * Size of the model at `path` in bytes: the file, and for a TF.js model.json every weight shard it lists (shards that
 * cannot be found are not counted; reading the model reports them).
 */
export function modelBytes(path: string): number {
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
