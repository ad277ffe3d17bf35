// Static files over HTTP, shared by `ondevice serve` and the local browser-runtime server: one resolver (no dotfiles), one MIME table.
import { realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** The Content-Type for a file extension (with the dot, any case); octet-stream when unknown (wasm is application/wasm for streaming compilation). */
export function contentType(ext: string): string {
  return TYPES[ext.toLowerCase()] ?? 'application/octet-stream';
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Whether `path` (inside `root`) has a segment below `root` that starts with '.': `.git/`, `.env`, `.well-known/`. */
function hidden(root: string, path: string): boolean {
  return relative(root, path).split(sep).some((segment) => segment.startsWith('.'));
}

/**
 * Resolves a request path (a raw `req.url` is fine: `?query` and `#fragment` are stripped, %-escapes decoded)
 * inside `root`, or null if it is malformed or escapes it. Purely lexical: see {@link staticFile} for symlinks.
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, `.${path.startsWith('/') ? path : `/${path}`}`);
  return inside(root, file) ? file : null;
}

/** A file found by {@link staticFile}. */
export interface StaticFile {
  /** The path as requested (with the index file appended for a folder): its extension gives the Content-Type. */
  path: string;
  /** The real path to open (symlinks resolved; inside the real root). */
  real: string;
  size: number;
  /** Last modification time (ms since the epoch), e.g. to key a cache of the file's compressed bytes. */
  mtimeMs: number;
}

/**
 * The regular file a request path names inside `root` (a folder's `index` file when given), with its size and mtime;
 * null when it is malformed, missing, not a regular file, hidden (a path segment below `root` starting with '.', as
 * requested or after resolving symlinks), or escapes `root` lexically or through a symlink — all alike, so a caller
 * answering 404 reveals nothing about hidden files. One stat, no exists-then-stat race.
 */
export function staticFile(root: string, urlPath: string, index?: string): StaticFile | null {
  let path = resolveInside(root, urlPath);
  if (!path || hidden(resolve(root), path)) return null;
  try {
    const realRoot = realpathSync(root);
    let real = realpathSync(path);
    if (!inside(realRoot, real) || hidden(realRoot, real)) return null;
    let st = statSync(real);
    if (st.isDirectory() && index) {
      path = join(path, index);
      real = realpathSync(join(real, index));
      if (!inside(realRoot, real) || hidden(realRoot, real)) return null;
      st = statSync(real);
    }
    return st.isFile() ? { path, real, size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
}
