// `ondevice serve`: a static file server (node:http) with cross-origin isolation headers, for phones on the local network.
import { createReadStream, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { extname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { contentType, staticFile } from '../util/static-files.ts';

/** Headers on every response: COOP/COEP make the page cross-origin isolated, which WASM threads need. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** Where and how to serve. */
export interface ServeOptions {
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 0.0.0.0: the whole local network). */
  host?: string;
  /** Serve https with this key and certificate (PEM), e.g. from tls.ts. */
  tls?: { key: string; cert: string };
  /** Called once per request (for logs). */
  onRequest?: (method: string, path: string, status: number) => void;
}

/** A running server. */
export interface RunningServer {
  server: Server;
  port: number;
  host: string;
  /** http(s)://localhost:PORT/ (or the bound address). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` (GET/HEAD; index.html for folders; 404 otherwise) with the isolation headers,
 * correct MIME types and `Cache-Control: no-cache` (so a redeployed site and its service worker update).
 * @throws UsageError if `dir` is not a folder or the port is taken.
 */
export async function serveStatic(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch { /* missing */ }
  if (!isDir) throw new UsageError('not a folder', { file: root });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number) => options.onRequest?.(req.method ?? '', req.url ?? '', status);
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
      done(status);
    };
    try {
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return done(405);
      }
      // Origin-form ('/a/b?q') goes to the resolver as is; absolute-form ('http://host/a/b') only if it parses.
      let target = req.url ?? '/';
      if (!target.startsWith('/')) {
        try {
          target = new URL(target).pathname;
        } catch {
          return fail(400, 'bad request');
        }
      }
      const found = staticFile(root, target, 'index.html');
      if (!found) return fail(404, 'not found');
      res.writeHead(200, { 'Content-Type': contentType(extname(found.path)), 'Content-Length': found.size, 'Cache-Control': 'no-cache' });
      if (req.method === 'HEAD') {
        res.end();
        return done(200);
      }
      createReadStream(found.real).on('error', () => res.destroy()).pipe(res);
      done(200);
    } catch {
      // Whatever went wrong, this request fails and the server keeps serving.
      if (!res.headersSent) fail(500, 'internal error');
      else res.destroy();
    }
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE'
      ? new UsageError(`port ${options.port ?? 8080} is already in use; pick another with --port`)
      : e));
    server.listen(options.port ?? 8080, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    server, port, host, url: `${options.tls ? 'https' : 'http'}://${shown}:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    }),
  };
}

/** The external IPv4 addresses of this machine (where a phone on the same network can reach it). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/** http(s)://ADDRESS:PORT/ for each external IPv4 address of this machine. */
export function lanUrls(port: number, https = false): string[] {
  return lanAddresses().map((a) => `${https ? 'https' : 'http'}://${a}:${port}/`);
}
