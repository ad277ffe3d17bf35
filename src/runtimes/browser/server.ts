// A tiny local HTTP server (127.0.0.1, random port) for browser pages: static folders, in-memory blobs, a request log.
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { contentType, staticFile, type StaticFile } from '../../util/static-files.ts';

/** A blob the server holds in memory (a model file, an input tensor, a generated page). */
export interface Blob {
  body: Uint8Array | string;
  type?: string;
}

/** Options of {@link startLocalServer}. */
export interface LocalServerOptions {
  /** URL prefix (e.g. '/litert/') → folder on disk; files below it are served, nothing above it. */
  mounts?: Record<string, string>;
  /** Exact URL path → in-memory content. */
  blobs?: Record<string, Blob>;
  /**
   * Send COOP/COEP headers so pages are cross-origin isolated (SharedArrayBuffer for threaded wasm,
   * finer performance.now). Default true.
   */
  crossOriginIsolated?: boolean;
}

/** A running local server. */
export interface LocalServer {
  /** Origin, e.g. 'http://127.0.0.1:41234'. */
  readonly origin: string;
  /** Every request answered so far, as 'METHOD /path STATUS', in order of completion. */
  readonly log: readonly string[];
  /** Adds or replaces an in-memory blob at `path`; returns its absolute URL. */
  put(path: string, blob: Blob): string;
  /** Forgets an in-memory blob. */
  drop(path: string): void;

  close(): Promise<void>;
}

/** The file `urlPath` names inside a mount, refusing anything that escapes the folder (also through symlinks). */
function mountedFile(mounts: Record<string, string>, urlPath: string): StaticFile | undefined {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!urlPath.startsWith(prefix)) continue;
    return staticFile(dir, `/${urlPath.slice(prefix.length)}`) ?? undefined;
  }
  return undefined;
}

/**
 * Starts a server on 127.0.0.1 at a random free port. The server is unref'd: it never keeps the
 * process alive by itself, but it should still be closed when done.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const mounts = options.mounts ?? {};
  const blobs = new Map<string, Blob>(Object.entries(options.blobs ?? {}));
  const isolated = options.crossOriginIsolated ?? true;
  const log: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    let path = url.split('?')[0].split('#')[0];
    res.on('finish', () => log.push(`${req.method} ${path} ${res.statusCode}`));
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
    };
    try {
      res.setHeader('Cache-Control', 'no-store');
      if (isolated) {
        res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      if (!path.startsWith('/')) {
        try {
          path = new URL(url).pathname;
        } catch {
          return fail(400, 'bad request');
        }
      }
      const blob = blobs.get(path);
      if (blob) {
        const body = typeof blob.body === 'string' ? Buffer.from(blob.body) : blob.body;
        res.writeHead(200, { 'Content-Type': blob.type ?? contentType(extname(path)), 'Content-Length': body.byteLength });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      const found = mountedFile(mounts, path);
      if (!found) return fail(404, `not found: ${path}`);
      res.writeHead(200, { 'Content-Type': contentType(extname(found.path)), 'Content-Length': found.size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(found.real).on('error', () => res.destroy()).pipe(res);
    } catch {
      // A malformed request fails alone; the server keeps serving.
      if (!res.headersSent) fail(500, 'internal error');
      else res.destroy();
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    log,
    put(path, blob) {
      blobs.set(path, blob);
      return origin + path;
    },
    drop(path) {
      blobs.delete(path);
    },

    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
