// The hub's SQLite file (node-sqlite3-wasm: SQLite compiled to WebAssembly, writing the file through Node's fs): open, schema, transactions.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Database as SqliteDatabase } from 'node-sqlite3-wasm';
import { OndeviceError } from '../errors.ts';

/** Schema version kept in `meta`; a file from a newer hub is refused. */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, info TEXT NOT NULL,
  paired_at INTEGER NOT NULL, last_seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS models (
  sha256 TEXT PRIMARY KEY, bytes INTEGER NOT NULL, format TEXT NOT NULL, name TEXT NOT NULL, added_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, batch TEXT NOT NULL, kind TEXT NOT NULL,
  target TEXT NOT NULL, spec TEXT NOT NULL, context TEXT, state TEXT NOT NULL, device_id TEXT, attempts INTEGER NOT NULL,
  history TEXT NOT NULL, result TEXT, error TEXT, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq);
CREATE INDEX IF NOT EXISTS jobs_batch ON jobs (batch);
`;

/** Whether process `pid` is alive on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * node-sqlite3-wasm locks a file by creating the folder `FILE.lock`. The hub holds that lock for as long as it runs
 * (locking_mode EXCLUSIVE: no lock/unlock per statement, which costs a mkdir + rmdir each), and records its pid in
 * `FILE.pid`; a lock left by a hub that died is removed here, a live one is refused.
 */
function claimLock(file: string): void {
  const lock = `${file}.lock`, pidFile = `${file}.pid`;
  if (existsSync(lock)) {
    const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : NaN);
    if (Number.isInteger(pid) && alive(pid)) throw new OndeviceError(`the hub database is in use by process ${pid} (one hub per database)`, { file });
    rmSync(lock, { recursive: true, force: true });
  }
  writeFileSync(pidFile, `${process.pid}\n`);
}

/** An open hub database. Single writer: one hub process per file. */
export class HubDatabase {
  readonly path: string;
  readonly db: SqliteDatabase;

  private constructor(path: string, db: SqliteDatabase) {
    this.path = path;
    this.db = db;
  }

  /**
   * Opens (creating it and its folder if needed) the database at `path` and brings its schema up to date.
   * @throws OndeviceError naming the file if it is not a SQLite database or is from a newer hub.
   */
  static open(path: string): HubDatabase {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    // CommonJS package: loaded through require so its named exports resolve under ESM.
    const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
    claimLock(file);
    let db: SqliteDatabase;
    try {
      db = new Database(file);
      // No WAL (the WASM VFS has no shared memory): a rollback journal, synced at each commit; the lock is held throughout.
      db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = NORMAL;');
      db.exec(SCHEMA);
    } catch (e) {
      throw new OndeviceError(`cannot open the hub database: ${(e as Error).message}`, { file, cause: e });
    }
    const hub = new HubDatabase(file, db);
    const version = Number(hub.meta('schema') ?? SCHEMA_VERSION);
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new OndeviceError(`the hub database has schema ${version}; this ondevice reads up to ${SCHEMA_VERSION}`, { file });
    }
    hub.setMeta('schema', String(SCHEMA_VERSION));
    return hub;
  }

  /** A value of the `meta` table, or undefined. */
  meta(key: string): string | undefined {
    const row = this.db.get('SELECT value FROM meta WHERE key = ?', [key]) as { value: string } | null;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  private open = false;
  private waiters: (() => void)[] = [];

  /**
   * Runs `fn` atomically (a savepoint: all of its writes or none) inside the current group transaction, which commits
   * on the next turn of the event loop: writes made in one turn share one commit (one journal sync), so many devices
   * reporting at once cost one sync. Use {@link flushed} where a caller must know the writes are on disk.
   */
  transaction<T>(fn: () => T): T {
    if (!this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
      setImmediate(() => this.commit());
    }
    this.db.exec('SAVEPOINT step');
    try {
      const out = fn();
      this.db.exec('RELEASE step');
      return out;
    } catch (e) {
      this.db.exec('ROLLBACK TO step; RELEASE step');
      throw e;
    }
  }

  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  flushed(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((ok) => this.waiters.push(ok));
  }

  private commit(): void {
    if (!this.open || !this.db.isOpen) return;
    this.db.exec('COMMIT');
    this.open = false;
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.commit();
    this.db.close();
    rmSync(`${this.path}.pid`, { force: true });
  }
}
