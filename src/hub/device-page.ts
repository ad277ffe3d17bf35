// The device page (web/device) as a Vite build, cached like the web app by a hash of its sources and the runtime modules it reuses.
import { join } from 'node:path';
import { buildWebPage, type WebPage } from '../deploy/app-build.ts';
import { PACKAGE_ROOT } from '../paths.ts';

/** web/device plus what it imports from outside: the web app's runtime layer and the shared TypeScript contracts. */
export const DEVICE_PAGE: WebPage = {
  dir: join(PACKAGE_ROOT, 'web', 'device'),
  shared: [
    join(PACKAGE_ROOT, 'web', 'app', 'runtime'),
    join(PACKAGE_ROOT, 'src', 'hub', 'protocol.ts'),
    join(PACKAGE_ROOT, 'src', 'profile', 'stats.ts'),
  ],
  cacheName: 'device',
};

/** The folder holding the built device page (index.html, assets/), built on first use. */
export function buildDevicePage(): Promise<string> {
  return buildWebPage(DEVICE_PAGE);
}
