// Test helper: headless Debian Chromium through playwright-core, with every request the pages make recorded.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (never a downloaded one). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium with quiet defaults plus `extraArgs`. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-default-apps', '--disable-sync', '--metrics-recording-only', ...extraArgs],
  });
}

/** A context whose requests (pages and service workers) are collected in `urls`. */
export async function recordingContext(browser: Browser): Promise<{ context: BrowserContext; urls: string[] }> {
  const context = await browser.newContext({ serviceWorkers: 'allow' });
  const urls: string[] = [];
  context.on('request', (r) => urls.push(r.url()));
  return { context, urls };
}
