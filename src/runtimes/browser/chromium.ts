// Headless Chromium (Debian's, through playwright-core) showing pages of one local server, and nothing else.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where Chromium is looked for: $ONDEVICE_CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.ONDEVICE_CHROMIUM || '/usr/bin/chromium';
}

/** Flags for a quiet, GPU-less, offline-friendly headless Chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-default-apps', '--disable-sync', '--disable-extensions', '--metrics-recording-only',
  '--disable-domain-reliability', '--no-pings',
];

/**
 * Keeps pages offline at the network level (no request interception, which would push every
 * request body through the DevTools protocol and make uploads ~10× slower): no host name
 * resolves, and every non-loopback connection goes to a dead proxy. Loopback is never proxied.
 */
export const OFFLINE_ARGS: readonly string[] = [
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
];

/** Resolves true when Chromium and playwright-core are both present, else the reason. */
export function chromiumAvailable(): true | string {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `no Chromium at ${path} (install Debian's 'chromium' or set ONDEVICE_CHROMIUM)`;
  }
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return "the npm package 'playwright-core' is not installed";
  }
  return true;
}

/** A page in headless Chromium, locked to one origin. */
export interface LocalPage {
  readonly page: Page;
  /** Every URL the page asked for, in order, including ones that were foreign. */
  readonly requests: readonly string[];
  /** URLs the page asked for outside the allowed origin (the network flags make them all fail). */
  readonly foreign: readonly string[];
  /** Uncaught page errors, newest last. */
  readonly errors: readonly string[];
  /** Console messages ('type: text'), newest last. */
  readonly console: readonly string[];
  close(): Promise<void>;
}

/**
 * Launches headless Chromium and opens `url`. Requests to any origin other than `url`'s are
 * recorded in `foreign`, and fail: the browser is started unable to reach anything but loopback.
 */
export async function openLocalPage(url: string, options: { timeoutMs?: number } = {}): Promise<LocalPage> {
  const ok = chromiumAvailable();
  if (ok !== true) throw new Error(ok);
  const { chromium } = (await import('playwright-core')) as typeof import('playwright-core');
  const origin = new URL(url).origin;
  const requests: string[] = [];
  const foreign: string[] = [];
  const errors: string[] = [];
  const consoleLines: string[] = [];
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...OFFLINE_ARGS] });
  let context: BrowserContext | undefined;
  try {
    context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 60_000);
    page.on('request', (r) => {
      const u = r.url();
      requests.push(u);
      if (!u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
    });
    page.on('console', (m) => {
      if (consoleLines.length < 1000) consoleLines.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url, { waitUntil: 'load' });
    return {
      page, requests, foreign, errors, console: consoleLines,
      async close() {
        await browser.close();
      },
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
