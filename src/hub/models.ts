// Content-addressed model files of a hub: stored once by SHA-256 beside the database, served to devices by hash.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubDatabase } from './database.ts';
import type { ModelRef } from './protocol.ts';

/** A SHA-256 in hex. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The model store: `<dir>/<sha256>` files plus a row per model. */
export class ModelStore {
  readonly dir: string;

  constructor(private readonly hub: HubDatabase, dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  /** Stores `bytes` (once per content) and returns its reference. */
  put(bytes: Uint8Array, format: ModelRef['format'], name: string): ModelRef {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = join(this.dir, sha256);
    if (!existsSync(path) || statSync(path).size !== bytes.byteLength) {
      const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
      try {
        writeFileSync(temp, bytes);
        renameSync(temp, path);
      } finally {
        rmSync(temp, { force: true });
      }
    }
    this.hub.db.run('INSERT OR IGNORE INTO models (sha256, bytes, format, name, added_at) VALUES (?, ?, ?, ?, ?)',
      [sha256, bytes.byteLength, format, name.slice(0, 200), Date.now()]);
    return { sha256, bytes: bytes.byteLength, format };
  }

  /** The file of a stored model, or undefined. */
  path(sha256: string): string | undefined {
    if (!SHA256_HEX.test(sha256)) return undefined;
    const path = join(this.dir, sha256);
    return existsSync(path) ? path : undefined;
  }

  /** The reference of a stored model, or undefined. */
  ref(sha256: string): ModelRef | undefined {
    const row = this.hub.db.get('SELECT sha256, bytes, format FROM models WHERE sha256 = ?', [sha256]) as ModelRef | null;
    return row && this.path(sha256) ? { sha256: row.sha256, bytes: row.bytes, format: row.format } : undefined;
  }
}
