// The job-queue contract the hub schedules through: the embedded SQLite queue is the default, an external engine (BullMQ) another.
import type { JobSpec } from './protocol.ts';

/** Where a job is in its life. */
export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** Which devices may take a job: 'any', a device name (every device of that name) or a device id. */
export type JobTarget = string;

/** One step of a job's history. */
export interface JobEvent {
  at: number;
  event: 'queued' | 'started' | 'dropped' | 'done' | 'failed' | 'recovered';
  deviceId?: string;
  note?: string;
}

/** A job as submitted. */
export interface NewJob {
  /** Groups the jobs of one submission (one CLI call). */
  batch: string;
  target: JobTarget;
  spec: JobSpec;
  /** Hub-side data the result is judged with (reference outputs, labels), never sent to a device. */
  context?: unknown;
}

/** A job as stored. */
export interface JobRecord extends NewJob {
  id: string;
  kind: JobSpec['kind'];
  state: JobState;
  /** The device running it or that finished it. */
  deviceId: string | null;
  /** How many times a device started it. */
  attempts: number;
  history: JobEvent[];
  result: unknown;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Filters of {@link JobQueue.list}. */
export interface JobFilter {
  batch?: string;
  state?: JobState;
  /** Newest first, at most this many (default all, oldest first). */
  limit?: number;
}

/** Times a job may be dropped (its device vanished mid-run) before it fails. */
export const MAX_ATTEMPTS = 5;

/**
 * A durable job queue shared by the hub's scheduler. Every method is atomic: two devices never claim the same job,
 * and a result from a device that no longer holds the job (it was re-queued) is ignored.
 */
export interface JobQueue {
  /** Engine name, e.g. 'sqlite' or 'bullmq'. */
  readonly engine: string;
  enqueue(jobs: readonly NewJob[]): Promise<JobRecord[]>;
  /** The oldest queued job `device` may take, now running on it; undefined when none. */
  claim(device: { id: string; name: string }): Promise<JobRecord | undefined>;
  /** Marks a running job done with its result; undefined if `deviceId` does not hold it. */
  complete(jobId: string, deviceId: string, result: unknown): Promise<JobRecord | undefined>;
  /** Marks a running job failed; undefined if `deviceId` does not hold it. */
  fail(jobId: string, deviceId: string, error: string): Promise<JobRecord | undefined>;
  /** Puts the jobs running on `deviceId` back in the queue (it disconnected); fails those dropped MAX_ATTEMPTS times. */
  release(deviceId: string, note: string): Promise<JobRecord[]>;
  /** At start-up: jobs left running by a hub that stopped go back in the queue. Returns how many. */
  recover(): Promise<number>;
  get(id: string): Promise<JobRecord | undefined>;
  list(filter?: JobFilter): Promise<JobRecord[]>;
  /** How many jobs are in each state (of one batch, or all). */
  counts(batch?: string): Promise<Record<JobState, number>>;
  close(): Promise<void>;
}
