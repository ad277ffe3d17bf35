// Hands queued jobs to connected, idle devices (one job per device at a time) and puts back the jobs of devices that vanish.
import type { DeviceRecord } from './devices.ts';
import type { HubMessage, JobSpec } from './protocol.ts';
import type { JobQueue, JobRecord } from './queue.ts';

/** A connected device as the scheduler sees it. */
export interface DeviceLink {
  device: DeviceRecord;
  /** The job it runs, if any. */
  busy: string | null;
  send(message: HubMessage): void;
  /** Closes the connection (a newer one of the same device replaced it). */
  close(reason: string): void;
}

/** Events the hub logs or tests watch. */
export interface SchedulerEvents {
  onDispatch?(job: JobRecord, device: DeviceRecord): void;
  onRequeue?(job: JobRecord, device: DeviceRecord): void;
  onFinish?(job: JobRecord): void;
}

/** Matches jobs to devices. All queue calls go through one chain, so dispatch decisions never interleave. */
export class Scheduler {
  private readonly links = new Map<string, DeviceLink>();
  private chain: Promise<unknown> = Promise.resolve();
  private pendingKick = false;
  private stopped = false;

  constructor(private readonly queue: JobQueue, private readonly events: SchedulerEvents = {}) {}

  /** Runs `fn` after every earlier scheduler step (nothing once stopped: the queue may be closed). */
  private serial<T>(fn: () => Promise<T>): Promise<T | undefined> {
    const next = this.chain.then(() => (this.stopped ? undefined : fn()));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Connected devices. */
  connected(): DeviceLink[] {
    return [...this.links.values()];
  }

  /** A device connected: replaces an older connection of the same device, then looks for work. */
  async attach(link: DeviceLink): Promise<void> {
    if (this.stopped) return;
    const old = this.links.get(link.device.id);
    if (old && old !== link) {
      this.links.delete(link.device.id);
      old.close('replaced by a newer connection of this device');
      await this.serial(() => this.requeue(old));
    }
    this.links.set(link.device.id, link);
    this.kick();
  }

  /** A device disconnected: its running job goes back to the queue (or fails after too many drops). */
  async detach(link: DeviceLink): Promise<void> {
    if (this.links.get(link.device.id) !== link) return;
    this.links.delete(link.device.id);
    await this.serial(() => this.requeue(link));
    this.kick();
  }

  private async requeue(link: DeviceLink): Promise<void> {
    const jobs = await this.queue.release(link.device.id, 'the device disconnected');
    for (const j of jobs) this.events.onRequeue?.(j, link.device);
    link.busy = null;
  }

  /** A device finished a job. */
  async finished(link: DeviceLink, jobId: string, outcome: { result: unknown } | { error: string }): Promise<JobRecord | undefined> {
    const job = await this.serial(() => ('error' in outcome
      ? this.queue.fail(jobId, link.device.id, outcome.error)
      : this.queue.complete(jobId, link.device.id, outcome.result)));
    if (link.busy === jobId) link.busy = null;
    if (job) this.events.onFinish?.(job);
    this.kick();
    return job;
  }

  /** Looks for work for idle devices (coalesced: one pass runs at a time, one more is queued at most). */
  kick(): void {
    if (this.pendingKick) return;
    this.pendingKick = true;
    void this.serial(async () => {
      this.pendingKick = false;
      await this.dispatch();
    });
  }

  private async dispatch(): Promise<void> {
    for (const link of this.links.values()) {
      if (link.busy !== null) continue;
      const job = await this.queue.claim({ id: link.device.id, name: link.device.name });
      if (!job) continue;
      if (this.links.get(link.device.id) !== link) {
        await this.queue.release(link.device.id, 'the device disconnected');
        continue;
      }
      link.busy = job.id;
      this.events.onDispatch?.(job, link.device);
      link.send({ type: 'job', jobId: job.id, spec: job.spec as JobSpec });
    }
  }

  /** Waits for the steps queued so far. */
  async idle(): Promise<void> {
    await this.serial(async () => undefined);
  }

  /** Stops scheduling (the hub is closing): later events are ignored; running jobs stay 'running' for recover(). */
  async stop(): Promise<void> {
    await this.idle();
    this.stopped = true;
    this.links.clear();
  }
}
