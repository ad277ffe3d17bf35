// Argument checks and hashing shared by the data sources.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { UsageError } from '../errors.ts';

/**
 * Check `batchSize` and `limit` and return how many examples to read out of `count`.
 * @throws UsageError for a batch size that is not a positive integer or a negative/non-integer limit.
 */
export function examplesToRead(count: number, batchSize: number, limit?: number): number {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new UsageError(`batch size must be a positive integer, got ${batchSize}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new UsageError(`limit must be a non-negative integer, got ${limit}`);
  return Math.min(count, limit ?? count);
}

/** A fresh sha256 hash (the fingerprint algorithm of every data source). */
export function newFingerprint(): Hash {
  return createHash('sha256');
}

/** Feed a file's bytes into `hash`, streamed so large files never sit in memory. */
export async function hashFile(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}
