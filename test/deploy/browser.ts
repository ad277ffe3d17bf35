// Test helper: headless Debian Chromium through playwright-core, with every request the pages make recorded.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../src/runtimes/browser/chromium.ts';

/** Debian's Chromium (never a downloaded one). */
export const CHROMIUM = chromiumPath();

/** Launches headless Chromium with quiet defaults plus `extraArgs`. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** A context whose requests (pages and service workers) are collected in `urls`. */
export async function recordingContext(browser: Browser): Promise<{ context: BrowserContext; urls: string[] }> {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return { context, urls };
}
