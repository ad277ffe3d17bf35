// The job queue on BullMQ (Redis), so several hubs share one queue and each other's devices: an optional dependency, loaded lazily.
import { randomBytes } from 'node:crypto';
import { OndeviceError } from '../errors.ts';
import type { JobSpec } from './protocol.ts';
import { MAX_ATTEMPTS, type JobEvent, type JobFilter, type JobQueue, type JobRecord, type JobState, type NewJob } from './queue.ts';
import { newJobId } from './sqlite-queue.ts';

/** Where Redis is and how to name things in it. */
export interface BullQueueOptions {
  /** redis://[user:password@]host:port[/db]. */
  url: string;
  /** Key prefix of every BullMQ queue (default 'ondevice'): hubs sharing devices use the same one. */
  prefix?: string;
  /** How long a claimed job may run before another hub may take it back (ms, default 10 minutes). */
  lockMs?: number;
  /** Fail fast when Redis does not answer (ms, default 5000). */
  connectTimeoutMs?: number;
}

/** What a BullMQ job carries: the hub's job fields plus who holds it. */
export interface BullJobData extends NewJob {
  kind: JobSpec['kind'];
  deviceId: string | null;
  attempts: number;
  history: JobEvent[];
}

/** The BullMQ job fields the adapter reads (a subset of bullmq's Job). */
export interface BullJobLike {
  id?: string;
  data: BullJobData;
  returnvalue: unknown;
  failedReason?: string;
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
}

/** BullMQ job states → hub job states. */
export function stateOf(bullState: string): JobState {
  if (bullState === 'active') return 'running';
  if (bullState === 'completed') return 'done';
  if (bullState === 'failed') return 'failed';
  return 'queued';
}

/** One BullMQ queue per target ('any', a device name, a device id): Redis has no selective consume. */
export function queueNameOf(target: string): string {
  return `jobs.${Buffer.from(target).toString('base64url')}`;
}

/** The queues a device takes work from, most specific first: its id, its name, then 'any'. */
export function claimOrder(device: { id: string; name: string }): string[] {
  return [queueNameOf(device.id), queueNameOf(device.name), queueNameOf('any')];
}

/** A BullMQ job as the hub's record. */
export function recordOf(job: BullJobLike, bullState: string): JobRecord {
  const d = job.data;
  return {
    id: job.id ?? '', batch: d.batch, target: d.target, spec: d.spec, context: d.context, kind: d.kind, state: stateOf(bullState),
    deviceId: d.deviceId, attempts: d.attempts, history: d.history, result: job.returnvalue ?? null, error: job.failedReason ?? null,
    createdAt: job.timestamp, startedAt: job.processedOn ?? null, finishedAt: job.finishedOn ?? null,
  };
}

type BullModule = typeof import('bullmq');
type BullJob = import('bullmq').Job<BullJobData, unknown, string>;
type RedisCtor = new (url: string, options: Record<string, unknown>) => { quit(): Promise<unknown>; disconnect(): void; on(e: string, f: () => void): unknown };

async function loadBullMq(): Promise<{ bull: BullModule; Redis: RedisCtor }> {
  try {
    const [bull, ioredis] = await Promise.all([import('bullmq'), import('ioredis')]);
    return { bull, Redis: ((ioredis as unknown as { Redis?: RedisCtor; default: RedisCtor }).Redis ?? ioredis.default) as RedisCtor };
  } catch (e) {
    throw new OndeviceError(`the BullMQ queue needs the optional packages 'bullmq' and 'ioredis' (npm install bullmq ioredis): ${(e as Error).message}`);
  }
}

/**
 * {@link JobQueue} on BullMQ. Each hub claims jobs with `Worker.getNextJob` (manual processing: no processor function)
 * and finishes them with the job's lock token; a hub that dies leaves its jobs locked until `lockMs` passes, after which
 * the stalled-job check of any hub sharing the queue puts them back.
 */
export class BullQueue implements JobQueue {
  readonly engine = 'bullmq';
  private readonly queues = new Map<string, import('bullmq').Queue<BullJobData, unknown, string>>();
  private readonly workers = new Map<string, import('bullmq').Worker<BullJobData, unknown, string>>();
  /** Jobs this hub holds: id → lock token and queue. */
  private readonly held = new Map<string, { token: string; queue: string }>();

  /** Redis connections this queue made (BullMQ under native ESM takes client instances, not options). */
  private readonly clients: InstanceType<RedisCtor>[] = [];

  private constructor(private readonly bull: BullModule, private readonly Redis: RedisCtor, private readonly options: Required<BullQueueOptions>) {}

  /** Connects to Redis; @throws OndeviceError naming the address when it does not answer. */
  static async create(options: BullQueueOptions): Promise<BullQueue> {
    const { bull, Redis } = await loadBullMq();
    const q = new BullQueue(bull, Redis, { prefix: 'ondevice', lockMs: 10 * 60_000, connectTimeoutMs: 5000, ...options });
    const probe = q.queue('any');
    try {
      await Promise.race([
        probe.waitUntilReady(),
        new Promise((_, fail) => setTimeout(() => fail(new Error(`no answer in ${q.options.connectTimeoutMs} ms`)), q.options.connectTimeoutMs)),
      ]);
    } catch (e) {
      await q.close().catch(() => {});
      throw new OndeviceError(`cannot reach Redis at ${options.url}: ${(e as Error).message}`);
    }
    return q;
  }

  /** A new Redis connection (one per queue and worker: a worker's blocking commands must not share one). */
  private connection() {
    const client = new this.Redis(this.options.url, { maxRetriesPerRequest: null, connectTimeout: this.options.connectTimeoutMs, retryStrategy: () => null, lazyConnect: false });
    client.on('error', () => {});
    this.clients.push(client);
    return client as unknown as import('bullmq').ConnectionOptions;
  }

  private queue(target: string) {
    const name = queueNameOf(target);
    let q = this.queues.get(name);
    if (!q) {
      q = new this.bull.Queue<BullJobData, unknown, string>(name, { connection: this.connection(), prefix: this.options.prefix });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  private worker(name: string) {
    let w = this.workers.get(name);
    if (!w) {
      w = new this.bull.Worker<BullJobData, unknown, string>(name, null, {
        connection: this.connection(), prefix: this.options.prefix, autorun: false, lockDuration: this.options.lockMs,
      });
      w.on('error', () => {});
      this.workers.set(name, w);
    }
    return w;
  }

  /** The raw Redis client (ioredis) of the 'any' queue. */
  private async redis(): Promise<{ sadd(key: string, member: string): Promise<number>; smembers(key: string): Promise<string[]> }> {
    return (await this.queue('any').getBackend().client) as unknown as { sadd(key: string, member: string): Promise<number>; smembers(key: string): Promise<string[]> };
  }

  /** Targets with jobs, kept in a Redis set so every hub can list every queue. */
  private async targets(): Promise<string[]> {
    return (await this.redis()).smembers(`${this.options.prefix}:ondevice:targets`);
  }

  async enqueue(jobs: readonly NewJob[]): Promise<JobRecord[]> {
    const client = await this.redis();
    const out: JobRecord[] = [];
    for (const j of jobs) {
      await client.sadd(`${this.options.prefix}:ondevice:targets`, j.target);
      const data: BullJobData = { ...j, kind: j.spec.kind, deviceId: null, attempts: 0, history: [{ at: Date.now(), event: 'queued' }] };
      const job = await this.queue(j.target).add(j.spec.kind, data, { jobId: newJobId(), attempts: 1, removeOnComplete: false, removeOnFail: false });
      out.push(recordOf(job as BullJobLike, 'waiting'));
    }
    return out;
  }

  async claim(device: { id: string; name: string }): Promise<JobRecord | undefined> {
    for (const name of claimOrder(device)) {
      const token = `${device.id}:${randomBytes(6).toString('hex')}`;
      const job = (await this.worker(name).getNextJob(token, { block: false })) as BullJob | undefined;
      if (!job) continue;
      const data: BullJobData = { ...job.data, deviceId: device.id, attempts: job.data.attempts + 1, history: [...job.data.history, { at: Date.now(), event: 'started', deviceId: device.id }] };
      await job.updateData(data);
      this.held.set(job.id!, { token, queue: name });
      return recordOf({ ...job, data, id: job.id, returnvalue: null, timestamp: job.timestamp, processedOn: job.processedOn }, 'active');
    }
    return undefined;
  }

  private async heldJob(jobId: string, deviceId: string): Promise<{ job: BullJob; token: string } | undefined> {
    const h = this.held.get(jobId);
    if (!h) return undefined;
    const job = (await this.bull.Job.fromId(this.queues.get(h.queue) ?? this.worker(h.queue), jobId)) as BullJob | undefined;
    if (!job || job.data.deviceId !== deviceId) return undefined;
    return { job, token: h.token };
  }

  private async finish(jobId: string, deviceId: string, outcome: { result: unknown } | { error: string }): Promise<JobRecord | undefined> {
    const held = await this.heldJob(jobId, deviceId);
    if (!held) return undefined;
    const { job, token } = held;
    const event: JobEvent = 'error' in outcome ? { at: Date.now(), event: 'failed', deviceId, note: outcome.error } : { at: Date.now(), event: 'done', deviceId };
    await job.updateData({ ...job.data, history: [...job.data.history, event] });
    if ('error' in outcome) await job.moveToFailed(new Error(outcome.error), token, false);
    else await job.moveToCompleted(outcome.result, token, false);
    this.held.delete(jobId);
    return this.get(jobId);
  }

  complete(jobId: string, deviceId: string, result: unknown): Promise<JobRecord | undefined> {
    return this.finish(jobId, deviceId, { result });
  }

  fail(jobId: string, deviceId: string, error: string): Promise<JobRecord | undefined> {
    return this.finish(jobId, deviceId, { error });
  }

  async release(deviceId: string, note: string): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const [jobId] of [...this.held]) {
      const held = await this.heldJob(jobId, deviceId);
      if (!held) continue;
      const { job, token } = held;
      const history: JobEvent[] = [...job.data.history, { at: Date.now(), event: 'dropped', deviceId, note }];
      await job.updateData({ ...job.data, deviceId: null, history });
      if (job.data.attempts >= MAX_ATTEMPTS) await job.moveToFailed(new Error(`dropped by its device ${job.data.attempts} times`), token, false);
      else await job.moveToWait(token);
      this.held.delete(jobId);
      const r = await this.get(jobId);
      if (r) out.push(r);
    }
    return out;
  }

  async recover(): Promise<number> {
    // Jobs a dead hub held come back when their locks expire: every hub runs BullMQ's stalled-job check.
    for (const t of await this.targets()) void this.worker(queueNameOf(t)).startStalledCheckTimer();
    return 0;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    for (const t of await this.targets()) {
      const job = (await this.queue(t).getJob(id)) as BullJob | undefined;
      if (job) return recordOf(job as BullJobLike, await job.getState());
    }
    return undefined;
  }

  async list(filter: JobFilter = {}): Promise<JobRecord[]> {
    const all: JobRecord[] = [];
    for (const t of await this.targets()) {
      for (const state of ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const) {
        for (const job of (await this.queue(t).getJobs([state])) as BullJob[]) all.push(recordOf(job as BullJobLike, state));
      }
    }
    const picked = all.filter((j) => (filter.batch === undefined || j.batch === filter.batch) && (filter.state === undefined || j.state === filter.state))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    return filter.limit !== undefined ? picked.slice(-filter.limit) : picked;
  }

  async counts(batch?: string): Promise<Record<JobState, number>> {
    const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const j of await this.list(batch !== undefined ? { batch } : {})) out[j.state]++;
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.close(true).catch(() => {})));
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    for (const c of this.clients) c.disconnect();
  }
}
