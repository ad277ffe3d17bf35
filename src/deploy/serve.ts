// `ondevice serve`: a static file server (node:http) with cross-origin isolation, a CSP, compression and ranges; loopback unless asked for the LAN.
import { createReadStream, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { extname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { contentType, staticFile } from '../util/static-files.ts';
import { hostAllowed, isLoopback, isWildcard } from './allowed-hosts.ts';
import { parseRange } from './byte-range.ts';
import { CompressionCache, MAX_COMPRESS_BYTES, MIN_COMPRESS_BYTES, compressible, pickEncoding } from './compression.ts';

/** Headers on every response: COOP/COEP make the page cross-origin isolated, which WASM threads need. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * The Content-Security-Policy of HTML pages: everything from the site itself, nothing from elsewhere, no inline
 * script or style. The deployed web app needs `'wasm-unsafe-eval'` (compiling onnxruntime's WebAssembly) and
 * `blob:`/`data:` images (an uploaded photo); its workers and service worker are same-origin scripts, and the camera
 * stream (`srcObject`) is not subject to media-src.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "img-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Where and how to serve. */
export interface ServeOptions {
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1: this machine only; 0.0.0.0 for the whole local network). */
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
 * Serves the files of `dir` (GET/HEAD; index.html for folders; 404 for missing and hidden files) with the isolation
 * headers, correct MIME types, a Content-Security-Policy on HTML, `Cache-Control: no-cache` (so a redeployed site
 * and its service worker update), brotli/gzip for compressible types (compressed once per file and mtime) and
 * single byte ranges. Requests whose Host is not this server's (see {@link hostAllowed}) get 403.
 * @throws UsageError if `dir` is not a folder or the port is taken.
 */
export async function serveStatic(dir: string, options: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch { /* missing */ }
  if (!isDir) throw new UsageError('not a folder', { file: root });
  const host = options.host ?? '127.0.0.1';
  const cache = new CompressionCache();
  let port = 0;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number) => options.onRequest?.(req.method ?? '', req.url ?? '', status);
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
      done(status);
    };
    try {
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // Origin-form ('/a/b?q') goes to the resolver as is; absolute-form ('http://host/a/b') only if it parses,
      // and then its authority stands for the Host header (RFC 9112 §3.2.2).
      let target = req.url ?? '/';
      let authority = req.headers.host;
      if (!target.startsWith('/')) {
        try {
          const url = new URL(target);
          [target, authority] = [url.pathname, url.host];
        } catch {
          return fail(400, 'bad request');
        }
      }
      if (!hostAllowed(authority, { bound: host, port, https: Boolean(options.tls) })) {
        return fail(403, isLoopback(host)
          ? 'host not allowed: this server answers to localhost only (ondevice serve --lan serves the local network)'
          : "host not allowed: use localhost or this machine's address");
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return done(405);
      }
      const found = staticFile(root, target, 'index.html');
      if (!found) return fail(404, 'not found');
      const type = contentType(extname(found.path));
      res.setHeader('Content-Type', type);
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Accept-Ranges', 'bytes');
      if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      const squeezable = compressible(type) && found.size >= MIN_COMPRESS_BYTES && found.size <= MAX_COMPRESS_BYTES;
      if (compressible(type)) res.setHeader('Vary', 'Accept-Encoding');
      // A range is of the file as stored, so a Range request is answered uncompressed (If-Range: no validators here, send it all).
      const range = req.headers['if-range'] === undefined ? parseRange(req.headers.range, found.size) : null;
      const encoding = squeezable && req.headers.range === undefined ? pickEncoding(req.headers['accept-encoding']) : null;
      if (encoding) {
        const bytes = await cache.get(found, encoding);
        res.writeHead(200, { 'Content-Encoding': encoding, 'Content-Length': bytes.length });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return done(200);
      }
      if (range === 'unsatisfiable') {
        res.writeHead(416, { 'Content-Range': `bytes */${found.size}`, 'Content-Type': 'text/plain; charset=utf-8' }).end('range not satisfiable\n');
        return done(416);
      }
      const status = range ? 206 : 200;
      if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${found.size}`);
      res.writeHead(status, { 'Content-Length': range ? range.end - range.start + 1 : found.size });
      if (req.method === 'HEAD') {
        res.end();
        return done(status);
      }
      createReadStream(found.real, range ?? {}).on('error', () => res.destroy()).pipe(res);
      done(status);
    } catch {
      // Whatever went wrong, this request fails and the server keeps serving.
      if (!res.headersSent) fail(500, 'internal error');
      else res.destroy();
    }
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE'
      ? new UsageError(`port ${options.port ?? 8080} is already in use; pick another with --port`)
      : e));
    server.listen(options.port ?? 8080, host, () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const shown = isWildcard(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
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
