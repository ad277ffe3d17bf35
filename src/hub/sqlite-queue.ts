// The embedded job queue (the default): jobs as rows of the hub's SQLite file, so they survive a restart.
import { randomBytes } from 'node:crypto';
import type { HubDatabase } from './database.ts';
import type { JobSpec } from './protocol.ts';
import { MAX_ATTEMPTS, type JobEvent, type JobFilter, type JobQueue, type JobRecord, type JobState, type NewJob } from './queue.ts';

interface JobRow {
  id: string; batch: string; kind: string; target: string; spec: string; context: string | null; state: string;
  device_id: string | null; attempts: number; history: string; result: string | null; error: string | null;
  created_at: number; started_at: number | null; finished_at: number | null;
}

const toRecord = (r: JobRow): JobRecord => ({
  id: r.id, batch: r.batch, kind: r.kind as JobSpec['kind'], target: r.target, spec: JSON.parse(r.spec) as JobSpec,
  context: r.context === null ? undefined : JSON.parse(r.context), state: r.state as JobState, deviceId: r.device_id,
  attempts: r.attempts, history: JSON.parse(r.history) as JobEvent[], result: r.result === null ? null : JSON.parse(r.result),
  error: r.error, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
});

/** A fresh job id. */
export function newJobId(): string {
  return `j-${randomBytes(5).toString('hex')}`;
}

/** {@link JobQueue} over the hub database (one hub process per file). */
export class SqliteQueue implements JobQueue {
  readonly engine = 'sqlite';

  constructor(private readonly hub: HubDatabase, private readonly now: () => number = Date.now) {}

  private row(id: string): JobRow | undefined {
    return (this.hub.db.get('SELECT * FROM jobs WHERE id = ?', [id]) as JobRow | null) ?? undefined;
  }

  private addEvent(row: JobRow, event: JobEvent): string {
    return JSON.stringify([...(JSON.parse(row.history) as JobEvent[]), event]);
  }

  async enqueue(jobs: readonly NewJob[]): Promise<JobRecord[]> {
    const t = this.now();
    const ids = this.hub.transaction(() => jobs.map((j) => {
      const id = newJobId();
      this.hub.db.run(`INSERT INTO jobs (id, batch, kind, target, spec, context, state, attempts, history, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
      [id, j.batch, j.spec.kind, j.target, JSON.stringify(j.spec), j.context === undefined ? null : JSON.stringify(j.context),
        JSON.stringify([{ at: t, event: 'queued' }]), t]);
      return id;
    }));
    // A submission is acknowledged only once it is on disk.
    await this.hub.flushed();
    return ids.map((id) => toRecord(this.row(id)!));
  }

  async claim(device: { id: string; name: string }): Promise<JobRecord | undefined> {
    return this.hub.transaction(() => {
      const row = this.hub.db.get(`SELECT * FROM jobs WHERE state = 'queued' AND target IN ('any', ?, ?) ORDER BY seq LIMIT 1`,
        [device.name, device.id]) as JobRow | null;
      if (!row) return undefined;
      const t = this.now();
      this.hub.db.run(`UPDATE jobs SET state = 'running', device_id = ?, attempts = attempts + 1, started_at = ?, history = ? WHERE id = ?`,
        [device.id, t, this.addEvent(row, { at: t, event: 'started', deviceId: device.id }), row.id]);
      return toRecord(this.row(row.id)!);
    });
  }

  private finish(jobId: string, deviceId: string, state: 'done' | 'failed', result: unknown, error: string | null): JobRecord | undefined {
    return this.hub.transaction(() => {
      const row = this.row(jobId);
      if (!row || row.state !== 'running' || row.device_id !== deviceId) return undefined;
      const t = this.now();
      this.hub.db.run('UPDATE jobs SET state = ?, result = ?, error = ?, finished_at = ?, history = ? WHERE id = ?',
        [state, result === undefined ? null : JSON.stringify(result), error, t,
          this.addEvent(row, { at: t, event: state, deviceId, ...(error ? { note: error } : {}) }), jobId]);
      return toRecord(this.row(jobId)!);
    });
  }

  async complete(jobId: string, deviceId: string, result: unknown): Promise<JobRecord | undefined> {
    return this.finish(jobId, deviceId, 'done', result, null);
  }

  async fail(jobId: string, deviceId: string, error: string): Promise<JobRecord | undefined> {
    return this.finish(jobId, deviceId, 'failed', undefined, error.slice(0, 2000));
  }

  async release(deviceId: string, note: string): Promise<JobRecord[]> {
    return this.hub.transaction(() => {
      const rows = this.hub.db.all(`SELECT * FROM jobs WHERE state = 'running' AND device_id = ?`, [deviceId]) as unknown as JobRow[];
      const t = this.now();
      for (const row of rows) {
        const history = this.addEvent(row, { at: t, event: 'dropped', deviceId, note });
        if (row.attempts >= MAX_ATTEMPTS) {
          this.hub.db.run(`UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, history = ? WHERE id = ?`,
            [`dropped by its device ${row.attempts} times`, t, history, row.id]);
        } else {
          this.hub.db.run(`UPDATE jobs SET state = 'queued', device_id = NULL, started_at = NULL, history = ? WHERE id = ?`, [history, row.id]);
        }
      }
      return rows.map((r) => toRecord(this.row(r.id)!));
    });
  }

  async recover(): Promise<number> {
    return this.hub.transaction(() => {
      const rows = this.hub.db.all(`SELECT * FROM jobs WHERE state = 'running'`) as unknown as JobRow[];
      const t = this.now();
      for (const row of rows) {
        this.hub.db.run(`UPDATE jobs SET state = 'queued', device_id = NULL, started_at = NULL, history = ? WHERE id = ?`,
          [this.addEvent(row, { at: t, event: 'recovered', ...(row.device_id ? { deviceId: row.device_id } : {}), note: 'the hub restarted' }), row.id]);
      }
      return rows.length;
    });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.row(id);
    return row ? toRecord(row) : undefined;
  }

  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    const where: string[] = [];
    const values: string[] = [];
    if (filter.batch !== undefined) {
      where.push('batch = ?');
      values.push(filter.batch);
    }
    if (filter.state !== undefined) {
      where.push('state = ?');
      values.push(filter.state);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const sql = filter.limit !== undefined
      ? `SELECT * FROM (SELECT * FROM jobs ${clause} ORDER BY seq DESC LIMIT ${Math.max(0, Math.floor(filter.limit))}) ORDER BY seq`
      : `SELECT * FROM jobs ${clause} ORDER BY seq`;
    return (this.hub.db.all(sql, values) as unknown as JobRow[]).map(toRecord);
  }

  async counts(batch?: string): Promise<Record<JobState, number>> {
    const rows = this.hub.db.all(`SELECT state, count(*) AS n FROM jobs ${batch !== undefined ? 'WHERE batch = ?' : ''} GROUP BY state`,
      batch !== undefined ? [batch] : []) as unknown as { state: JobState; n: number }[];
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  async close(): Promise<void> {
    // The database belongs to the hub, which closes it.
  }
}
