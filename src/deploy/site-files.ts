// The PWA pieces of a deployed site: the web manifest and the service worker with its precache list.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under `dir`, as site paths with forward slashes, sorted. */
export function listSite(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? walk(p) : [relative(dir, p).split(sep).join('/')];
  });
  return walk(dir).sort();
}

/** The web app manifest (installable PWA, opens full screen from the home screen). */
export function webManifest(name: string): string {
  return `${JSON.stringify({
    name: `${name} · ondevice`,
    short_name: name,
    description: `${name}, running on this device with ondevice`,
    start_url: './',
    scope: './',
    display: 'standalone',
    orientation: 'any',
    background_color: '#111318',
    theme_color: '#111318',
    icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  }, null, 2)}\n`;
}

/**
 * The service worker: the compiled template with `self.__PRECACHE = { version, files }` in front. The version
 * hashes every precached file, so a redeployed site replaces the old cache.
 */
export function serviceWorker(template: string, siteDir: string, files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) if (f !== './') h.update(f).update('\0').update(readFileSync(join(siteDir, f)));
  const precache = { version: h.digest('hex').slice(0, 16), files };
  return `self.__PRECACHE = ${JSON.stringify(precache)};\n${template}`;
}
