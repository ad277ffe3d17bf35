// Loading what a task page needs: config.json, the task template, model bytes, and a session on the first backend that works.
import type { AppConfig, BackendName } from '../config.ts';
import { loadWithFallback, type ModelSession } from '../runtime/backend.ts';
import { setOrtPath } from '../runtime/ort.ts';
import { backendsFor } from '../runtime/registry.ts';
import type { Task } from '../../../src/tasks/task.ts';

/** Overrides for testing and benchmarking (from the page URL: ?backend=wasm&threads=1). */
export interface AppOverrides {
  backends?: BackendName[];
  threads?: number;
}

/** Fetches `url`, failing with the URL and the HTTP status. */
export async function fetchOk(url: string): Promise<Response> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r;
}

/** config.json, with onnxruntime-web pointed at the site's own wasm folder. */
export async function loadConfig(url = 'config.json'): Promise<AppConfig> {
  const config = (await (await fetchOk(url)).json()) as AppConfig;
  setOrtPath(config.ortPath);
  return config;
}

/** The task template (validated at deploy) and a resolver for the files it names (relative to it). */
export async function loadTask<T extends Task>(config: AppConfig): Promise<{ task: T; url: (file: string) => string }> {
  const base = new URL(config.taskFile, location.href);
  const task = (await (await fetchOk(base.href)).json()) as T;
  return { task, url: (file) => new URL(file, base).href };
}

/** A text file's lines (a trailing newline dropped). */
export async function fetchLines(url: string): Promise<string[]> {
  return (await (await fetchOk(url)).text()).replace(/\r?\n$/, '').split(/\r?\n/);
}

/** Opens the model at `url` on the first backend (config order, or the override) that loads it; the reasons others were skipped too. */
export async function openModel(config: AppConfig, url: string, overrides: AppOverrides, io: { input?: string; output?: string } = {}): Promise<{ session: ModelSession; skipped: string[] }> {
  const bytes = new Uint8Array(await (await fetchOk(url)).arrayBuffer());
  return loadWithFallback(backendsFor(overrides.backends ?? config.backends), bytes, config.format, { ...io, threads: overrides.threads });
}
