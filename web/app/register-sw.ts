// Registers the service worker that precaches the site, so it keeps working offline after the first visit.

/** Registers ./sw.js (where supported: https or localhost) and resolves once it controls the page or fails. */
export async function registerServiceWorker(): Promise<'active' | string> {
  if (!('serviceWorker' in navigator)) return 'no service worker support (the page must be https or localhost)';
  try {
    await navigator.serviceWorker.register('sw.js', { scope: './' });
    await navigator.serviceWorker.ready;
    return 'active';
  } catch (e) {
    return `service worker failed: ${(e as Error).message}`;
  }
}
