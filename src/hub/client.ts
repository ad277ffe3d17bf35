// A client of a running hub's HTTP API (what the CLI uses): upload models, submit jobs, wait for them, list jobs and devices.
import { readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { OndeviceError, UsageError } from '../errors.ts';
import type { JobRequest, DeviceView } from './server.ts';
import type { ModelRef } from './protocol.ts';
import type { JobRecord, JobState } from './queue.ts';

/** Where a running hub is and the token to use it. */
export interface HubAddress {
  url: string;
  token: string;
}

/** The folder of ondevice's own state: $ONDEVICE_HOME, else ~/.ondevice. */
export function ondeviceHome(): string {
  return process.env.ONDEVICE_HOME || join(homedir(), '.ondevice');
}

/** The default hub database: <ondevice home>/hub.db. */
export function defaultHubDb(): string {
  return join(ondeviceHome(), 'hub.db');
}

/** The file a running hub writes so commands on this machine find it (readable by this user only). */
export function hubStateFile(): string {
  return join(ondeviceHome(), 'hub.json');
}

/** Records where the hub runs (called by `ondevice hub`). */
export function writeHubState(address: HubAddress & { db: string; pid: number }): void {
  const file = hubStateFile();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(address, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The hub to talk to: `url` (or $ONDEVICE_HUB) with $ONDEVICE_HUB_TOKEN, else the one `ondevice hub` recorded in
 * hubStateFile(). @throws UsageError when none is known.
 */
export function findHub(url?: string): HubAddress {
  let state: Partial<HubAddress> = {};
  try {
    state = JSON.parse(readFileSync(hubStateFile(), 'utf8')) as HubAddress;
  } catch { /* no hub recorded */ }
  const chosen = url ?? process.env.ONDEVICE_HUB ?? state.url;
  const token = process.env.ONDEVICE_HUB_TOKEN ?? (chosen === state.url ? state.token : undefined);
  if (!chosen) throw new UsageError(`no hub is running here: start one with \`ondevice hub\` (looked for ${hubStateFile()})`);
  if (!token) throw new UsageError(`no token for the hub at ${chosen}: set ONDEVICE_HUB_TOKEN`);
  return { url: chosen, token };
}

/** A client of one hub. */
export class HubClient {
  constructor(readonly address: HubAddress) {}

  private async call<T>(method: string, path: string, body?: Blob | string, type = 'application/json'): Promise<T> {
    let res: Response | undefined;
    // A GET is retried once: a kept-alive connection may have been closed by a hub that restarted.
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await fetch(new URL(path, this.address.url), {
          method,
          headers: { Authorization: `Bearer ${this.address.token}`, ...(body !== undefined ? { 'Content-Type': type } : {}) },
          ...(body !== undefined ? { body } : {}),
        });
      } catch (e) {
        if (method === 'GET' && attempt === 0) continue;
        throw new OndeviceError(`cannot reach the hub at ${this.address.url}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
      }
    }
    const text = await res.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = { error: text.slice(0, 200) };
    }
    if (!res.ok) {
      const why = (value as { error?: string }).error ?? `HTTP ${res.status}`;
      throw res.status < 500 && res.status !== 401 ? new UsageError(`hub: ${why}`) : new OndeviceError(`hub: ${why}`);
    }
    return value as T;
  }

  /** Uploads a model file (stored once by content); returns its reference. */
  uploadModel(path: string, format: ModelRef['format']): Promise<ModelRef> {
    const bytes = new Blob([readFileSync(path)]);
    return this.call<ModelRef>('POST', `/api/models?format=${format}&name=${encodeURIComponent(path.split(/[\\/]/).pop() ?? '')}`, bytes, 'application/octet-stream');
  }

  /** Submits jobs; returns their ids (one per device for target 'all'). */
  submit(request: JobRequest): Promise<{ batch: string; jobs: { id: string; target: string }[] }> {
    return this.call('POST', '/api/jobs', JSON.stringify(request));
  }

  job(id: string): Promise<JobRecord> {
    return this.call('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }

  /** Jobs, oldest first (summaries without spec and result unless `full`). */
  async jobs(filter: { batch?: string; state?: JobState; limit?: number; full?: boolean } = {}): Promise<JobRecord[]> {
    const q = new URLSearchParams();
    if (filter.batch) q.set('batch', filter.batch);
    if (filter.state) q.set('state', filter.state);
    if (filter.limit !== undefined) q.set('limit', String(filter.limit));
    if (filter.full) q.set('full', '1');
    return (await this.call<{ jobs: JobRecord[] }>('GET', `/api/jobs?${q}`)).jobs;
  }

  /** How many jobs are in each state (of one batch, or all). */
  counts(batch?: string): Promise<Record<JobState, number>> {
    return this.call('GET', `/api/jobs/counts${batch ? `?batch=${encodeURIComponent(batch)}` : ''}`);
  }

  async devices(): Promise<DeviceView[]> {
    return (await this.call<{ devices: DeviceView[] }>('GET', '/api/devices')).devices;
  }

  /** A new one-time pairing code and the links that use it. */
  pairing(): Promise<{ code: string; url: string; lan: string[] }> {
    return this.call('POST', '/api/pairing');
  }

  /**
   * Waits until every job of `ids` is done or failed (polling every `pollMs`), reporting progress; returns them in
   * the order given. @throws OndeviceError after `timeoutMs` with how many are still open.
   */
  async wait(ids: readonly string[], options: { pollMs?: number; timeoutMs?: number; onProgress?: (finished: number, total: number) => void } = {}): Promise<JobRecord[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
    const done = new Map<string, JobRecord>();
    for (;;) {
      for (const id of ids) {
        if (done.has(id)) continue;
        const job = await this.job(id);
        if (job.state === 'done' || job.state === 'failed') done.set(id, job);
      }
      options.onProgress?.(done.size, ids.length);
      if (done.size === ids.length) return ids.map((id) => done.get(id)!);
      if (Date.now() > deadline) throw new OndeviceError(`${ids.length - done.size} of ${ids.length} jobs still open after ${Math.round((options.timeoutMs ?? 0) / 1000)} s (is a device connected?)`);
      await new Promise((ok) => setTimeout(ok, options.pollMs ?? 250));
    }
  }
}
