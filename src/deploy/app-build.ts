// Builds the web app (web/app), or another page such as the hub's device page, with Vite on first use and caches the bundle by a hash of its sources.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OndeviceError } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { ortWebVersion } from './ort-files.ts';

/** The web app's sources. */
export const WEB_APP_DIR = join(PACKAGE_ROOT, 'web', 'app');
/** Files and folders outside web/app that the app imports (the config.json contract; the tasks' DOM-free pre/post-processing); hashed with it. */
export const WEB_APP_SHARED = [join(PACKAGE_ROOT, 'src', 'deploy', 'app-config.ts'), join(PACKAGE_ROOT, 'src', 'tasks')];
/** Name of the compiled service worker template inside a build (deploy prepends the precache list). */
export const SW_TEMPLATE = 'sw.template.js';

const require = createRequire(import.meta.url);

/** A page Vite builds: its source folder (holding index.html), the files or folders outside it that it imports, its cache folder. */
export interface WebPage {
  dir: string;
  shared: readonly string[];
  /** Sub-folder of the build cache (builds of other versions of the same page are pruned inside it). */
  cacheName: string;
  /** A service worker source in `dir` compiled beside the bundle as SW_TEMPLATE. */
  serviceWorker?: string;
}

/** The deployed web app. */
export const WEB_APP: WebPage = { dir: WEB_APP_DIR, shared: WEB_APP_SHARED, cacheName: '', serviceWorker: 'sw.ts' };

function walk(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A hash of everything the bundle depends on: app sources (and the shared ones), this builder, Vite's and onnxruntime-web's versions. */
export function webAppHash(page: WebPage = WEB_APP): string {
  const h = createHash('sha256');
  for (const file of walk(page.dir)) h.update(relative(page.dir, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const file of page.shared.flatMap(walk)) h.update(relative(PACKAGE_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(`vite@${(require('vite/package.json') as { version: string }).version} onnxruntime-web@${ortWebVersion()}`);
  return h.digest('hex').slice(0, 16);
}

/** Where builds are cached: node_modules/.cache in the package, or the temp folder if that is read-only. */
function cacheRoot(): string {
  for (const dir of [join(PACKAGE_ROOT, 'node_modules', '.cache', 'ondevice-web'), join(tmpdir(), 'ondevice-web-cache')]) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.probe'), '');
      return dir;
    } catch {
      // try the next place
    }
  }
  throw new OndeviceError('cannot find a writable folder to cache the web app build');
}

async function viteBuild(outDir: string, page: WebPage): Promise<void> {
  const { build, defaultClientConditions, transformWithEsbuild } = await import('vite');
  await build({
    root: page.dir,
    base: './',
    configFile: false,
    logLevel: 'error',
    publicDir: existsSync(join(page.dir, 'public')) ? join(page.dir, 'public') : false,
    cacheDir: join(outDir, '.vite'),
    // The "extern wasm" builds of onnxruntime-web load their wasm + glue from env.wasm.wasmPaths (our own ort/ folder).
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  });
  rmSync(join(outDir, '.vite'), { recursive: true, force: true });
  if (!page.serviceWorker) return;
  const sw = await transformWithEsbuild(readFileSync(join(page.dir, page.serviceWorker), 'utf8'), page.serviceWorker, { format: 'iife', target: 'es2022' });
  writeFileSync(join(outDir, SW_TEMPLATE), sw.code);
}

/** Removes cached builds of other source versions (they are rebuilt if the sources ever come back). */
function pruneOtherBuilds(keep: string): void {
  const root = dirname(keep);
  for (const name of readdirSync(root)) {
    if (/^[0-9a-f]{16}$/.test(name) && join(root, name) !== keep) rmSync(join(root, name), { recursive: true, force: true });
  }
}

const pending = new Map<string, Promise<string>>();

/**
 * The folder holding the built app (index.html, assets/, icon, sw template), building it if the cached build
 * is missing or stale. Safe to call concurrently, also from several processes (build in a temp folder, rename).
 * @throws OndeviceError if Vite fails.
 */
export function buildWebApp(): Promise<string> {
  return buildWebPage(WEB_APP);
}

/** {@link buildWebApp} for any page: its cached build folder, built if missing or stale. */
export function buildWebPage(page: WebPage): Promise<string> {
  let build = pending.get(page.dir);
  if (build) return build;
  build = (async () => {
    const root = join(cacheRoot(), page.cacheName);
    mkdirSync(root, { recursive: true });
    const dir = join(root, webAppHash(page));
    if (existsSync(join(dir, 'index.html'))) return dir;
    const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await viteBuild(temp, page);
      try {
        renameSync(temp, dir);
      } catch (e) {
        if (!existsSync(join(dir, 'index.html'))) throw e;
      }
      pruneOtherBuilds(dir);
    } catch (e) {
      throw new OndeviceError(`cannot build the web app: ${(e as Error).message}`, { file: page.dir, cause: e });
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
    return dir;
  })();
  pending.set(page.dir, build);
  build.catch(() => pending.delete(page.dir));
  return build;
}
