// A device in Node speaking the device protocol over ws (pairs, says hello, answers jobs with made-up results): load tests and benchmarks.
import { WebSocket } from 'ws';
import { DEVICE_SOCKET_PATH, PROTOCOL_VERSION, type DeviceInfo, type DeviceMessage, type DeviceProfile, type DeviceRun, type HubMessage, type JobSpec } from './protocol.ts';

/** How a simulated device behaves. */
export interface SimulatedDeviceOptions {
  name: string;
  /** Milliseconds a job takes (default 0–5, uniform). */
  jobMs?: () => number;
}

/** The info a simulated device reports. */
export function simulatedInfo(name: string): DeviceInfo {
  return { name, userAgent: 'ondevice-simulated/1 (Node)', cores: 1, memoryGiB: null, webgpu: null, backends: ['wasm'], crossOriginIsolated: false };
}

function fakeResult(spec: JobSpec): DeviceProfile | DeviceRun {
  if (spec.kind === 'run') return { kind: 'run', backends: spec.backends.map((b) => ({ backend: b, ran: b, outputs: spec.inputs, meanMs: 0 })) };
  const latencyMs = { count: spec.runs, min: 1, max: 1, mean: 1, stdev: 0, p50: 1, p90: 1, p99: 1 };
  return { kind: 'profile', backend: 'simulated', skipped: [], loadMs: 1, firstInferenceMs: 1, latencyMs, throughputPerSec: 1000, samplesMs: [], memoryBytes: null, opTimes: null, fetchMs: 0, cached: true };
}

/** A device in this process. */
export class SimulatedDevice {
  private ws?: WebSocket;
  /** Jobs it finished, in order. */
  readonly done: string[] = [];
  /** The job it holds now. */
  current: string | null = null;
  deviceId?: string;
  private timer?: NodeJS.Timeout;

  private constructor(readonly hubUrl: string, readonly token: string, readonly options: SimulatedDeviceOptions) {}

  /** Pairs with `code` through the hub's HTTP API, then connects. */
  static async pair(hubUrl: string, code: string, options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
    const res = await fetch(new URL('/api/pair', hubUrl), { method: 'POST', body: JSON.stringify({ code, info: simulatedInfo(options.name) }) });
    if (!res.ok) throw new Error(`pairing failed: HTTP ${res.status} ${await res.text()}`);
    const { token } = (await res.json()) as { token: string };
    const d = new SimulatedDevice(hubUrl, token, options);
    await d.connect();
    return d;
  }

  /** Opens the socket and says hello; resolves on the hub's welcome. */
  connect(): Promise<void> {
    const url = new URL(DEVICE_SOCKET_PATH, this.hubUrl);
    url.protocol = 'ws:';
    const ws = new WebSocket(url);
    this.ws = ws;
    const send = (m: DeviceMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    return new Promise((ok, fail) => {
      ws.on('open', () => send({ type: 'hello', protocol: PROTOCOL_VERSION, token: this.token, info: simulatedInfo(this.options.name) }));
      ws.on('error', fail);
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as HubMessage;
        if (m.type === 'welcome') {
          this.deviceId = m.deviceId;
          ok();
        } else if (m.type === 'refused') {
          fail(new Error(m.reason));
        } else if (m.type === 'job') {
          this.current = m.jobId;
          const delay = this.options.jobMs?.() ?? Math.random() * 5;
          this.timer = setTimeout(() => {
            if (this.ws !== ws || ws.readyState !== ws.OPEN) return;
            this.current = null;
            this.done.push(m.jobId);
            send({ type: 'result', jobId: m.jobId, result: fakeResult(m.spec) });
          }, delay);
        }
      });
    });
  }

  /** Drops the connection at once (as a phone that leaves), whatever it is doing. */
  drop(): void {
    clearTimeout(this.timer);
    this.ws?.terminate();
    this.ws = undefined;
    this.current = null;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }
}
