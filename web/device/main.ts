// The device page: pairs with the hub (code in the link or typed), then keeps a WebSocket open and runs the jobs it is sent.
import { setOrtPath } from '../app/runtime/ort.ts';
import { DEVICE_SOCKET_PATH, PROTOCOL_VERSION, type DeviceInfo, type DeviceMessage, type HubMessage } from '../../src/hub/protocol.ts';
import { availableBackends, runJob } from './jobs.ts';
import './style.css';

const TOKEN_KEY = 'ondevice-hub-token';
const NAME_KEY = 'ondevice-hub-name';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What tests can read from the page. */
export interface DeviceState {
  state: 'unpaired' | 'pairing' | 'connecting' | 'connected' | 'busy' | 'refused';
  deviceId?: string;
  name?: string;
  jobsDone: number;
  current?: string;
  log: string[];
  info?: DeviceInfo;
}
const state: DeviceState = { state: 'unpaired', jobsDone: 0, log: [] };
(globalThis as unknown as { ondeviceDevice: DeviceState }).ondeviceDevice = state;

setOrtPath('/ort/');

function setState(s: DeviceState['state'], text = '') {
  state.state = s;
  $('state').textContent = s;
  $('state').dataset.state = s;
  $('status').textContent = text;
  if (text) state.log.push(`${s}: ${text}`);
}

function defaultName(): string {
  const params = new URLSearchParams(location.search);
  const ua = navigator.userAgent;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'device';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'browser';
  return params.get('name') ?? localStorage.getItem(NAME_KEY) ?? `${browser} on ${os}`;
}

async function deviceInfo(name: string): Promise<DeviceInfo> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  const a = adapter?.info;
  return {
    name,
    userAgent: navigator.userAgent,
    cores: navigator.hardwareConcurrency || null,
    memoryGiB: (navigator as Navigator & { deviceMemory?: number }).deviceMemory ?? null,
    webgpu: adapter ? { vendor: a?.vendor ?? '', architecture: a?.architecture ?? '', device: a?.device ?? '', description: a?.description ?? '' } : null,
    backends: await availableBackends(),
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

async function pair(code: string, name: string): Promise<boolean> {
  setState('pairing');
  const res = await fetch('/api/pair', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code, info: await deviceInfo(name) }),
  }).catch((e: unknown) => e as Error);
  if (res instanceof Error || !res.ok) {
    const why = res instanceof Error ? res.message : (await res.json().catch(() => ({ error: `HTTP ${res.status}` })) as { error: string }).error;
    setState('unpaired', `pairing failed: ${why}`);
    return false;
  }
  const { token } = (await res.json()) as { token: string };
  localStorage.setItem(TOKEN_KEY, token);
  localStorage.setItem(NAME_KEY, name);
  return true;
}

let retryMs = 500;
/** The job the page is running (a reconnect waits for it: the page never runs two jobs at once). */
let running: Promise<unknown> = Promise.resolve();

function connect(token: string, name: string) {
  setState('connecting');
  const url = new URL(DEVICE_SOCKET_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  const send = (m: DeviceMessage) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  let refused = false;
  ws.onopen = async () => {
    await running.catch(() => undefined);
    state.info = await deviceInfo(name);
    $('backends').textContent = state.info.backends.join(', ');
    send({ type: 'hello', protocol: PROTOCOL_VERSION, token, info: state.info });
  };
  ws.onmessage = async (event) => {
    const m = JSON.parse(String(event.data)) as HubMessage;
    if (m.type === 'welcome') {
      retryMs = 500;
      Object.assign(state, { deviceId: m.deviceId, name: m.name });
      $('device').textContent = `${m.name} (${m.deviceId})`;
      $('about').hidden = false;
      $('forget').hidden = false;
      setState('connected');
    } else if (m.type === 'refused') {
      refused = true;
      localStorage.removeItem(TOKEN_KEY);
      setState('refused', `the hub refused this device: ${m.reason}. Pair again.`);
      $('pair').hidden = false;
    } else if (m.type === 'job') {
      state.current = m.jobId;
      setState('busy');
      $('job').textContent = `${m.spec.kind} ${m.jobId}`;
      try {
        const job = runJob(m.spec, token, (step) => ($('job').textContent = `${m.spec.kind} ${m.jobId}: ${step}`));
        running = job;
        const result = await job;
        send({ type: 'result', jobId: m.jobId, result });
        state.jobsDone++;
        $('done').textContent = String(state.jobsDone);
      } catch (e) {
        send({ type: 'failed', jobId: m.jobId, error: (e as Error).message ?? String(e) });
      }
      state.current = undefined;
      $('job').textContent = 'idle';
      if (ws.readyState === WebSocket.OPEN) setState('connected');
    }
  };
  ws.onclose = () => {
    if (refused) return;
    setState('connecting', 'lost the hub; reconnecting');
    setTimeout(() => connect(token, name), retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  };
}

async function start() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const code = hash.get('pair');
  if (code) history.replaceState(null, '', location.pathname + location.search);
  const name = defaultName();
  ($('name') as HTMLInputElement).value = name;
  if (code && (await pair(code, name))) return connect(localStorage.getItem(TOKEN_KEY)!, name);
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) return connect(token, name);
  if (!code) setState('unpaired', 'not paired yet');
  $('pair').hidden = false;
}

$('pair').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = ($('name') as HTMLInputElement).value.trim() || defaultName();
  void pair(($('code') as HTMLInputElement).value, name).then((ok) => {
    if (ok) {
      $('pair').hidden = true;
      connect(localStorage.getItem(TOKEN_KEY)!, name);
    }
  });
});
$('forget').addEventListener('click', () => {
  localStorage.removeItem(TOKEN_KEY);
  location.reload();
});

void start();
