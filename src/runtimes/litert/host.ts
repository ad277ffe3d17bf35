// The process-wide LiteRT.js host: a local server plus one headless Chromium page with LiteRT's wasm loaded, shared by sessions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumAvailable, openLocalPage, type LocalPage } from '../browser/chromium.ts';
import { startLocalServer, type LocalServer } from '../browser/server.ts';

/** A running host: the server and the page that talks to LiteRT.js. */
export interface LiteRtHost {
  readonly server: LocalServer;
  readonly page: LocalPage;
  /** True once the browser is closed (idle, closeLiteRtHosts, crash); its models are gone. */
  readonly closed: boolean;
  /** Calls `window.ondeviceLiteRt[fn](...args)` in the page; rejects with the page's own error message. */
  call<T>(fn: string, ...args: unknown[]): Promise<T>;
}

/** Folders of the installed @litertjs/core and @litertjs/wasm-utils packages; throws when missing. */
export function litertPackageDirs(): { core: string; wasmUtils: string } {
  const req = createRequire(import.meta.url);
  const coreMain = req.resolve('@litertjs/core');
  const utilsMain = createRequire(coreMain).resolve('@litertjs/wasm-utils');
  return { core: dirname(dirname(coreMain)), wasmUtils: dirname(dirname(utilsMain)) };
}

/** True when Chromium, playwright-core and @litertjs/core are all present, else what is missing. */
export function litertAvailable(): true | string {
  try {
    litertPackageDirs();
  } catch {
    return "the npm package '@litertjs/core' is not installed (npm install @litertjs/core)";
  }
  return chromiumAvailable();
}

const PAGE_HTML = `<!doctype html>
<meta charset="utf-8"><title>ondevice · LiteRT.js</title><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"@litertjs/wasm-utils":"/litert/wasm-utils/dist/index.js"}}</script>
<script type="module" src="/ondevice/litert-page.js"></script>`;

/** The page's error, without Playwright's wrapping and the browser-side stack. */
export function pageErrorMessage(e: unknown): string {
  const first = String((e as Error)?.message ?? e).split('\n')[0];
  return first.replace(/^page\.evaluate:\s*/, '').replace(/^(Uncaught )?(Error|RuntimeError|TypeError|RangeError): /, '').trim();
}

/** Lifetime state of one host (one per thread count). */
interface Slot {
  threads: number;
  host: Promise<LiteRtHost>;
  refs: number;
  /** Page calls in flight (the idle clock only runs when none are). */
  busy: number;
  closed: boolean;
  timer?: NodeJS.Timeout;
}

const slots = new Map<number, Slot>();

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/**
 * The browser's open pipe keeps Node alive, so a host never outlives its use: it closes this long
 * after the last session is released (so back-to-back loads reuse it), or after this long with no
 * call at all even if sessions were never released (they reopen it transparently on their next run).
 */
const LINGER_MS = () => envMs('ONDEVICE_LITERT_LINGER_MS', 1000);
const IDLE_MS = () => envMs('ONDEVICE_LITERT_IDLE_MS', 15_000);

function arm(slot: Slot): void {
  clearTimeout(slot.timer);
  slot.timer = setTimeout(() => void closeSlot(slot), slot.refs > 0 ? IDLE_MS() : LINGER_MS());
  slot.timer.unref();
}

async function closeSlot(slot: Slot): Promise<void> {
  if (slots.get(slot.threads) === slot) slots.delete(slot.threads);
  slot.closed = true;
  clearTimeout(slot.timer);
  const host = await slot.host.catch(() => undefined);
  if (!host) return;
  await host.page.close().catch(() => undefined);
  await host.server.close();
}

async function startHost(slot: Slot): Promise<LiteRtHost> {
  const dirs = litertPackageDirs();
  const pageJs = readFileSync(fileURLToPath(new URL('./page.js', import.meta.url)), 'utf8');
  const server = await startLocalServer({
    mounts: { '/litert/core/': dirs.core, '/litert/wasm-utils/': dirs.wasmUtils },
    blobs: { '/': { body: PAGE_HTML, type: 'text/html; charset=utf-8' }, '/ondevice/litert-page.js': { body: pageJs } },
  });
  let page: LocalPage | undefined;
  try {
    page = await openLocalPage(`${server.origin}/`);
    const p = page.page;
    p.on('crash', () => void closeSlot(slot));
    await p.waitForFunction(() => 'ondeviceLiteRt' in window);
    const call = async <T>(fn: string, ...args: unknown[]): Promise<T> => {
      if (slot.closed) throw new Error('the LiteRT browser page is closed');
      clearTimeout(slot.timer);
      slot.busy++;
      try {
        return (await p.evaluate(([f, a]) => (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>).ondeviceLiteRt[f as string](...(a as unknown[])), [fn, args] as const)) as T;
      } catch (e) {
        throw new Error(pageErrorMessage(e), { cause: e });
      } finally {
        if (--slot.busy === 0 && !slot.closed) arm(slot);
      }
    };
    await call('init', '/litert/core/wasm/', slot.threads);
    return { server, page, call, get closed() { return slot.closed; } };
  } catch (e) {
    await page?.close();
    await server.close();
    throw e;
  }
}

/**
 * Returns the host for `threads` (LiteRT's wasm is loaded once per page, threaded or not),
 * starting it on first use. Pair every call with {@link releaseHost}.
 */
export async function acquireHost(threads: number): Promise<LiteRtHost> {
  let slot = slots.get(threads);
  if (!slot) {
    const s: Slot = { threads, refs: 0, busy: 0, closed: false, host: undefined as unknown as Promise<LiteRtHost> };
    s.host = startHost(s);
    s.host.catch(() => void closeSlot(s));
    slots.set(threads, s);
    slot = s;
  }
  slot.refs++;
  clearTimeout(slot.timer);
  try {
    const host = await slot.host;
    if (slot.busy === 0) arm(slot);
    return host;
  } catch (e) {
    slot.refs--;
    throw e;
  }
}

/** Drops one reference to a host; it closes {@link LINGER_MS} after its last reference goes. */
export function releaseHost(threads: number, host: LiteRtHost): void {
  const slot = slots.get(threads);
  if (!slot || host.closed) return;
  void slot.host.then((h) => {
    if (h !== host || slot.closed) return;
    slot.refs = Math.max(0, slot.refs - 1);
    if (slot.busy === 0) arm(slot);
  }, () => undefined);
}

/** Closes every LiteRT host now (the browser and server), whatever sessions still hold them. */
export async function closeLiteRtHosts(): Promise<void> {
  await Promise.all([...slots.values()].map((slot) => closeSlot(slot)));
}
