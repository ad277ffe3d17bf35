// `ondevice hub [--lan] [--port N] [--db FILE]`: the device hub; and the --device paths of profile/evaluate, which send jobs to it.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { terminalQr } from '../deploy/qr.ts';
import { writeHtmlReport } from '../report/html/index.ts';
import { defaultHubDb, findHub, HubClient, hubStateFile, writeHubState } from '../hub/client.ts';
import { evaluateOnDevice, parityOnDevice, profileOnDevices } from '../hub/remote.ts';
import { formatRemoteEvaluation, formatRemoteParity, formatRemoteProfile, remoteEvaluationReportData, remoteParityReportData, remoteProfileReportData } from '../hub/report.ts';
import { BullQueue } from '../hub/bullmq-queue.ts';
import { DEFAULT_MAX_UPLOAD, startHub } from '../hub/server.ts';
import { applyInputShapes, type InputShapes } from '../ir/input-shapes.ts';
import { parseInputValues } from '../ir/input-values.ts';
import { modelInputs } from '../data/model-inputs.ts';
import { readModel } from '../formats/registry.ts';
import { action, EXIT } from './action.ts';
import { port, positiveInt } from './options.ts';

/** Adds the hub command. */
export function registerHub(program: Command): void {
  program
    .command('hub')
    .description('run the device hub: phones and browsers that open its link (or type its code) become devices that run profile and evaluate jobs')
    .option('--port <n>', 'port (0: any free port)', port(), 8765)
    .option('--lan', 'serve the local network (0.0.0.0), so phones on the same Wi-Fi can pair; default: this machine only')
    .option('--db <file>', `the SQLite file keeping devices, jobs and results (default ${defaultHubDb()})`)
    .option('--max-upload <MiB>', 'largest model upload', positiveInt('max-upload'), DEFAULT_MAX_UPLOAD / 1024 / 1024)
    .option('--redis <url>', 'share the job queue with other hubs through BullMQ on this Redis (redis://host:port; optional packages bullmq and ioredis)')
    .action(action(async (opts: { port: number; lan?: boolean; db?: string; maxUpload: number; redis?: string }) => {
      const out = process.stdout;
      const log = (line: string) => out.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
      let showCode = async () => {};
      const hub = await startHub({
        db: opts.db ?? defaultHubDb(),
        port: opts.port,
        host: opts.lan ? '0.0.0.0' : '127.0.0.1',
        maxUploadBytes: opts.maxUpload * 1024 * 1024,
        ...(opts.redis ? { queue: () => BullQueue.create({ url: opts.redis! }) } : {}),
        events: {
          onPaired: (d) => {
            log(`paired ${d.name} (${d.id})`);
            void showCode();
          },
          onDevice: (d, up) => log(`${up ? 'connected' : 'disconnected'} ${d.name} (${d.id}) ${up ? d.info.backends.join(', ') : ''}`),
          onDispatch: (j, d) => log(`job ${j.id} (${j.kind}) → ${d.name}`),
          onRequeue: (j, d) => log(`job ${j.id} back in the queue: ${d.name} dropped it`),
          onFinish: (j) => log(`job ${j.id} ${j.state}${j.error ? `: ${j.error}` : ''}`),
        },
      });
      writeHubState({ url: hub.url, token: hub.adminToken, db: hub.database.path, pid: process.pid });
      out.write(`ondevice hub on ${hub.url} (database ${hub.database.path}, queue ${hub.queue.engine})\n`);
      showCode = async () => {
        const code = hub.pairingCode();
        const links = hub.lanUrls().map((u) => hub.pairingUrl(code, u));
        const link = links[0] ?? hub.pairingUrl(code);
        out.write(`\nPair a device: open ${link}\n  or open ${new URL('/device/', links[0] ?? hub.url).href} and type the code ${code}\n`);
        if (links.length) out.write(`${await terminalQr(link)}\n`);
        else out.write(`Only this machine can open it; --lan serves phones on the same Wi-Fi (or \`adb reverse tcp:${hub.port} tcp:${hub.port}\`).\n`);
        out.write('Each code pairs one device once; a new one is printed after each pairing.\n\n');
      };
      await showCode();
      const known = hub.devices.list();
      if (known.length) out.write(`${known.length} device(s) paired before reconnect by themselves: ${known.map((d) => d.name).join(', ')}\n`);
      out.write(`Commands on this machine find the hub through ${hubStateFile()}. Ctrl+C stops it (jobs and results are kept).\n`);
      await new Promise<void>((ok) => {
        const stop = () => void hub.close().then(ok);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    }));
}

/** Options `profile --device` takes. */
export interface RemoteProfileFlags { device: string; hub?: string; warmup: number; runs: number; threads?: number; json?: boolean; report?: string; parity?: boolean; inputValue?: string[] }

/** `ondevice profile MODEL --device NAME|all|any`: profile (or, with --parity, parity-check) on hub devices. */
export async function profileOnHub(file: string, shapes: InputShapes, opts: RemoteProfileFlags): Promise<void> {
  const client = new HubClient(findHub(opts.hub));
  const onProgress = opts.json ? undefined : (d: number, n: number) => process.stderr.write(`\r${d}/${n} device job(s) finished`);
  if (opts.parity) {
    const r = await parityOnDevice(client, file, { device: opts.device, shapes, onProgress });
    if (onProgress) process.stderr.write('\n');
    process.stdout.write(opts.json ? `${JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n` : `${formatRemoteParity(r)}\n`);
    if (opts.report) {
      writeHtmlReport(opts.report, remoteParityReportData(r, statSync(file).size));
      process.stderr.write(`wrote ${opts.report}\n`);
    }
    if (r.devices.some((d) => d.state !== 'done')) process.exitCode = EXIT.error;
    return;
  }
  const inputValues = opts.inputValue?.length ? parseInputValues(opts.inputValue, applyInputShapes(modelInputs(await readModel(file)), shapes)) : undefined;
  const r = await profileOnDevices(client, file, { device: opts.device, warmup: opts.warmup, runs: opts.runs, threads: opts.threads, shapes, ...(inputValues ? { inputValues } : {}), onProgress });
  if (onProgress) process.stderr.write('\n');
  process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatRemoteProfile(r)}\n`);
  if (opts.report) {
    writeHtmlReport(opts.report, remoteProfileReportData(r, statSync(file).size));
    process.stderr.write(`wrote ${opts.report}\n`);
  }
  if (r.devices.some((d) => d.state !== 'done')) process.exitCode = EXIT.error;
}

/** `ondevice evaluate REF CAND --data DATA --device NAME`: the models on a hub device over the first examples of the data. */
export async function evaluateOnHub(reference: string, candidates: string[], source: Parameters<typeof evaluateOnDevice>[3],
  opts: { device: string; hub?: string; limit?: number; json?: boolean; report?: string }): Promise<void> {
  const client = new HubClient(findHub(opts.hub));
  const r = await evaluateOnDevice(client, reference, candidates, source, { device: opts.device, limit: opts.limit ?? 100 });
  process.stdout.write(opts.json ? `${JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n` : `${formatRemoteEvaluation(r)}\n`);
  if (opts.report) {
    writeHtmlReport(opts.report, remoteEvaluationReportData(r, [reference, ...candidates].map((f) => statSync(f).size)));
    process.stderr.write(`wrote ${opts.report}\n`);
  }
}
