// The hub: an HTTP server (device page, model downloads, pairing, the job API) plus a WebSocket (ws) for devices; loopback unless --lan.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { hostAllowed, isLoopback, isWildcard } from '../deploy/allowed-hosts.ts';
import { ortFilesFor, ortWebDist } from '../deploy/ort-files.ts';
import { CONTENT_SECURITY_POLICY, ISOLATION_HEADERS, lanUrls } from '../deploy/serve.ts';
import { UsageError } from '../errors.ts';
import { contentType, staticFile } from '../util/static-files.ts';
import { HubDatabase } from './database.ts';
import { buildDevicePage } from './device-page.ts';
import { DeviceStore, type DeviceRecord } from './devices.ts';
import { HttpError, readBody, readJson, sendJson } from './http-body.ts';
import { ModelStore, SHA256_HEX } from './models.ts';
import { newSecret, PairingCodes, sameSecret } from './pairing.ts';
import { DEVICE_SOCKET_PATH, PROTOCOL_VERSION, parseDeviceMessage, type DeviceInfo, type HubMessage, type JobSpec, type ModelRef } from './protocol.ts';
import type { JobFilter, JobQueue, JobRecord, JobState } from './queue.ts';
import { Scheduler, type DeviceLink, type SchedulerEvents } from './scheduler.ts';
import { SqliteQueue } from './sqlite-queue.ts';

/** Default largest model upload, bytes (256 MiB). */
export const DEFAULT_MAX_UPLOAD = 256 * 1024 * 1024;
/** Largest JSON request (job submissions carry inputs), bytes. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;
/** Largest device message (a result with outputs), bytes. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Largest pairing request, bytes. */
const MAX_PAIR_BYTES = 64 * 1024;
/** Seconds between WebSocket pings; a device that misses one is dropped (its job re-queued). */
export const PING_INTERVAL_MS = 10_000;

/** Options of {@link startHub}. */
export interface HubOptions {
  /** The SQLite file (created if missing); models are stored in `<its folder>/hub-models/`. */
  db: string;
  /** Port (0: any free one). Default 8765. */
  port?: number;
  /** Interface to bind: default 127.0.0.1; `--lan` binds 0.0.0.0. */
  host?: string;
  /** Largest model upload in bytes (default DEFAULT_MAX_UPLOAD). */
  maxUploadBytes?: number;
  /** The job queue (default: the embedded SQLite queue in the same file), e.g. a BullQueue shared by several hubs. */
  queue?: (db: HubDatabase) => JobQueue | Promise<JobQueue>;
  /** Serve this folder as the device page instead of building web/device (tests of the protocol alone). */
  devicePageDir?: string;
  /** Milliseconds between pings (default PING_INTERVAL_MS). */
  pingIntervalMs?: number;
  events?: SchedulerEvents & { onDevice?(device: DeviceRecord, connected: boolean): void; onPaired?(device: DeviceRecord): void };
}

/** What a client asks the hub to run: target 'all' means one job per paired device. */
export interface JobRequest {
  target: string;
  spec: JobSpec;
  context?: unknown;
  batch?: string;
}

/** A device as the API lists it. */
export interface DeviceView extends DeviceRecord {
  connected: boolean;
  busy: string | null;
}

/** A running hub. */
export interface Hub {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The secret clients (the CLI) send as `Authorization: Bearer …`; kept in the database, so stable across restarts. */
  readonly adminToken: string;
  readonly database: HubDatabase;
  readonly queue: JobQueue;
  readonly devices: DeviceStore;
  readonly models: ModelStore;
  /** A new one-time pairing code. */
  pairingCode(): string;
  /** The link that pairs a device with `code` (opening it is enough), on `base` (default: this hub's url). */
  pairingUrl(code: string, base?: string): string;
  /** URLs a phone on the network can open (with --lan), else []. */
  lanUrls(): string[];
  submit(request: JobRequest): Promise<JobRecord[]>;
  deviceViews(): DeviceView[];
  close(): Promise<void>;
}

const PAGE_PATH = '/device/';

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  return h.startsWith('Bearer ') ? h.slice(7).trim() : '';
}

function checkSpec(spec: JobSpec, models: ModelStore): void {
  const refs: (ModelRef | undefined)[] = spec.kind === 'profile' ? [spec.model] : spec.kind === 'run' ? Object.values(spec.models) : [];
  if (spec.kind !== 'profile' && spec.kind !== 'run') throw new HttpError(400, `unknown job kind '${(spec as { kind?: string }).kind}'`);
  if (refs.length === 0) throw new HttpError(400, 'the job names no model');
  for (const r of refs) {
    if (!r || !SHA256_HEX.test(r.sha256) || !models.ref(r.sha256)) throw new HttpError(400, `model ${r?.sha256 ?? '?'} is not on the hub: upload it first`);
  }
}

/**
 * Starts a hub over the database at `options.db`: jobs left running by a previous hub are re-queued, the device page
 * is built (or taken from the cache), and the server listens. The admin token is created on first start.
 * @throws UsageError when the port is taken; OndeviceError when the database cannot be opened.
 */
export async function startHub(options: HubOptions): Promise<Hub> {
  const database = HubDatabase.open(options.db);
  let queue: JobQueue;
  try {
    queue = options.queue ? await options.queue(database) : new SqliteQueue(database);
  } catch (e) {
    database.close();
    throw e;
  }
  const devices = new DeviceStore(database);
  const models = new ModelStore(database, join(dirname(database.path), 'hub-models'));
  const codes = new PairingCodes();
  let adminToken = database.meta('admin_token');
  if (!adminToken) {
    adminToken = newSecret();
    database.setMeta('admin_token', adminToken);
  }
  const admin = adminToken;
  await queue.recover();
  const pageDir = options.devicePageDir ?? (await buildDevicePage());
  const ortDir = ortWebDist();
  const ortFiles = new Set(ortFilesFor(['wasm', 'webgpu']));
  const litertWasmDir = join(dirname(dirname(createRequire(import.meta.url).resolve('@litertjs/core'))), 'wasm');
  const host = options.host ?? '127.0.0.1';
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const scheduler = new Scheduler(queue, options.events);
  let port = 0;
  let closed = false;

  const deviceViews = (): DeviceView[] => {
    const live = new Map(scheduler.connected().map((l) => [l.device.id, l]));
    return devices.list().map((d) => ({ ...d, connected: live.has(d.id), busy: live.get(d.id)?.busy ?? null }));
  };

  const submit = async (request: JobRequest): Promise<JobRecord[]> => {
    if (typeof request !== 'object' || request === null || typeof request.spec !== 'object' || request.spec === null) throw new HttpError(400, 'a job needs a spec');
    checkSpec(request.spec, models);
    const target = String(request.target ?? 'any');
    const batch = String(request.batch ?? `b-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
    const known = devices.list();
    let targets: string[];
    if (target === 'all') {
      if (known.length === 0) throw new HttpError(409, 'no device is paired yet: open the pairing link on one');
      targets = known.map((d) => d.id);
    } else if (target === 'any') {
      targets = ['any'];
    } else {
      if (!known.some((d) => d.id === target || d.name === target)) {
        throw new HttpError(404, `no paired device is called '${target}' (paired: ${known.map((d) => d.name).join(', ') || 'none'})`);
      }
      targets = [target];
    }
    const jobs = await queue.enqueue(targets.map((t) => ({ batch, target: t, spec: request.spec, context: request.context })));
    scheduler.kick();
    return jobs;
  };

  const sendFile = (res: ServerResponse, path: string, size: number, type: string) => {
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-cache' });
    createReadStream(path).on('error', () => res.destroy()).pipe(res);
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === '/api/pair' && req.method === 'POST') {
      const body = (await readJson(req, MAX_PAIR_BYTES)) as { code?: unknown; info?: DeviceInfo };
      if (typeof body?.code !== 'string' || typeof body.info !== 'object' || body.info === null) throw new HttpError(400, 'pairing needs a code and the device info');
      if (!codes.redeem(body.code)) throw new HttpError(403, 'unknown, used or expired pairing code');
      const info = body.info;
      const { device, token } = database.transaction(() => devices.add(info));
      await database.flushed();
      options.events?.onPaired?.(device);
      return sendJson(res, 200, { deviceId: device.id, name: device.name, token });
    }
    if (!sameSecret(bearer(req), admin)) throw new HttpError(401, 'this needs the hub token (Authorization: Bearer …)');
    if (path === '/api/models' && req.method === 'POST') {
      const format = url.searchParams.get('format') ?? 'onnx';
      if (format !== 'onnx' && format !== 'tflite') throw new HttpError(400, `format must be onnx or tflite, not '${format}'`);
      const bytes = await readBody(req, maxUpload);
      if (bytes.length === 0) throw new HttpError(400, 'an empty model');
      const ref = database.transaction(() => models.put(bytes, format, url.searchParams.get('name') ?? ''));
      await database.flushed();
      return sendJson(res, 200, ref);
    }
    if (path === '/api/jobs' && req.method === 'POST') {
      const jobs = await submit((await readJson(req, MAX_JSON_BYTES)) as JobRequest);
      return sendJson(res, 200, { batch: jobs[0]?.batch, jobs: jobs.map((j) => ({ id: j.id, target: j.target })) });
    }
    if (path === '/api/jobs' && req.method === 'GET') {
      const filter: JobFilter = {};
      const p = url.searchParams;
      if (p.get('batch')) filter.batch = p.get('batch')!;
      if (p.get('state')) filter.state = p.get('state') as JobState;
      if (p.get('limit')) filter.limit = Number(p.get('limit'));
      const full = p.get('full') === '1';
      const jobs = await queue.list(filter);
      return sendJson(res, 200, { jobs: full ? jobs : jobs.map(({ spec, context, result, ...rest }) => ({ ...rest, hasResult: result !== null })) });
    }
    if (path === '/api/jobs/counts' && req.method === 'GET') return sendJson(res, 200, await queue.counts(url.searchParams.get('batch') ?? undefined));
    const m = /^\/api\/jobs\/(j-[0-9a-f]+)$/.exec(path);
    if (m && req.method === 'GET') {
      const job = await queue.get(m[1]);
      if (!job) throw new HttpError(404, `no job ${m[1]}`);
      return sendJson(res, 200, job);
    }
    if (path === '/api/devices' && req.method === 'GET') return sendJson(res, 200, { devices: deviceViews() });
    if (path === '/api/pairing' && req.method === 'POST') {
      const code = codes.issue();
      return sendJson(res, 200, { code, url: pairingUrl(code), lan: lanLinks().map((u) => pairingUrl(code, u)) });
    }
    throw new HttpError(404, `no ${req.method} ${path}`);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (closed) throw new HttpError(503, 'the hub is stopping');
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      if (!hostAllowed(req.headers.host, { bound: host, port })) throw new HttpError(403, 'host not allowed');
      const url = new URL(req.url ?? '/', 'http://hub');
      const path = url.pathname;
      if (path.startsWith('/api/')) return await api(req, res, url);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      if (path === '/' || path === '/device') {
        res.writeHead(302, { Location: PAGE_PATH }).end();
        return;
      }
      const model = /^\/models\/([0-9a-f]{64})$/.exec(path);
      if (model) {
        if (!devices.byToken(bearer(req)) && !sameSecret(bearer(req), admin)) throw new HttpError(401, 'models go to paired devices only');
        const file = models.path(model[1]);
        if (!file) throw new HttpError(404, 'no such model');
        return sendFile(res, file, statSync(file).size, 'application/octet-stream');
      }
      if (path.startsWith('/litert/wasm/')) {
        const found = staticFile(litertWasmDir, `/${path.slice('/litert/wasm/'.length)}`);
        if (!found) throw new HttpError(404, 'not found');
        return sendFile(res, found.real, found.size, contentType(extname(found.path)));
      }
      if (path.startsWith('/ort/')) {
        const name = path.slice(5);
        if (!ortFiles.has(name)) throw new HttpError(404, 'not found');
        const file = join(ortDir, name);
        return sendFile(res, file, statSync(file).size, contentType(extname(name)));
      }
      if (path.startsWith(PAGE_PATH)) {
        const found = staticFile(pageDir, `/${path.slice(PAGE_PATH.length)}`, 'index.html');
        if (!found) throw new HttpError(404, 'not found');
        const type = contentType(extname(found.path));
        if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', `${CONTENT_SECURITY_POLICY}; connect-src 'self'`);
        return sendFile(res, found.real, found.size, type);
      }
      throw new HttpError(404, 'not found');
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) sendJson(res, status, { error: e instanceof HttpError ? e.message : 'internal error' });
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => void handler(req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const origin = req.headers.origin;
    // A browser always sends Origin: it must be this hub (no other site's page may drive a paired device's socket).
    const originOk = origin === undefined || hostAllowed(origin.replace(/^https?:\/\//, ''), { bound: host, port });
    if (url.pathname !== DEVICE_SOCKET_PATH || !hostAllowed(req.headers.host, { bound: host, port }) || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  const onSocket = (ws: WebSocket) => {
    let link: DeviceLink | undefined;
    let alive = true;
    ws.on('pong', () => (alive = true));
    const pinger = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, options.pingIntervalMs ?? PING_INTERVAL_MS);
    const send = (m: HubMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const hello = setTimeout(() => ws.close(4001, 'no hello'), 10_000);
    ws.on('message', (data, isBinary) => {
      void (async () => {
        if (closed) return;
        let m;
        try {
          if (isBinary) throw new Error('binary message');
          m = parseDeviceMessage(data.toString());
        } catch (e) {
          send({ type: 'refused', reason: `bad message: ${(e as Error).message}` });
          return ws.close(4002, 'bad message');
        }
        if (m.type === 'hello') {
          clearTimeout(hello);
          if (link) return;
          if (m.protocol !== PROTOCOL_VERSION) {
            send({ type: 'refused', reason: `protocol ${m.protocol}; this hub speaks ${PROTOCOL_VERSION}` });
            return ws.close(4003, 'protocol');
          }
          const known = devices.byToken(m.token);
          if (!known) {
            send({ type: 'refused', reason: 'unknown device token' });
            return ws.close(4004, 'unpaired');
          }
          const device = devices.seen(known.id, m.info);
          link = { device, busy: null, send, close: (reason) => ws.close(4005, reason) };
          send({ type: 'welcome', deviceId: device.id, name: device.name });
          options.events?.onDevice?.(device, true);
          await scheduler.attach(link);
          return;
        }
        if (!link) {
          send({ type: 'refused', reason: 'say hello first' });
          return ws.close(4002, 'no hello');
        }
        await scheduler.finished(link, m.jobId, m.type === 'result' ? { result: m.result } : { error: m.error });
      })();
    });
    ws.on('close', () => {
      clearInterval(pinger);
      clearTimeout(hello);
      if (link && !closed) {
        options.events?.onDevice?.(link.device, false);
        void scheduler.detach(link);
      }
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'EADDRINUSE'
      ? new UsageError(`port ${options.port ?? 8765} is already in use; pick another with --port`)
      : e));
    server.listen(options.port ?? 8765, host, () => ok());
  }).catch(async (e) => {
    await queue.close();
    database.close();
    throw e;
  });
  port = (server.address() as AddressInfo).port;
  const shown = isWildcard(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${port}/`;
  const lanLinks = () => (isWildcard(host) ? lanUrls(port) : isLoopback(host) ? [] : [url]);
  const pairingUrl = (code: string, base = url) => `${new URL(PAGE_PATH, base).href}#pair=${code}`;

  return {
    url, port, host, adminToken: admin, database, queue, devices, models,
    pairingCode: () => codes.issue(),
    pairingUrl,
    lanUrls: lanLinks,
    submit,
    deviceViews,
    async close() {
      closed = true;
      await scheduler.stop();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await queue.close();
      database.close();
    },
  };
}
