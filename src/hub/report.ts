// Per-device results as terminal tables and HTML report data (devices side by side).
import { formatBytes } from '../report/format.ts';
import type { ReportData } from '../report/html/index.ts';
import { renderTable } from '../report/table.ts';
import type { DeviceOutcome, RemoteEvaluation, RemoteParity, RemoteProfile } from './remote.ts';

const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'identical');

/** A device's label: its name, with its id when names repeat. */
function label(o: DeviceOutcome<unknown>, all: readonly DeviceOutcome<unknown>[]): string {
  if (!o.device) return `(unknown device) ${o.jobId}`;
  const shared = all.filter((x) => x.device?.name === o.device!.name).length > 1;
  return shared ? `${o.device.name} (${o.device.id})` : o.device.name;
}

/** `ondevice profile --device` as a table: one row per device. */
export function formatRemoteProfile(r: RemoteProfile): string {
  const rows = r.devices.map((o) => {
    const p = o.result;
    if (o.state !== 'done' || !p) return [label(o, r.devices), o.state, o.error ?? '', '', '', '', '', '', ''];
    return [label(o, r.devices), p.backend, ms(p.loadMs), ms(p.firstInferenceMs), ms(p.latencyMs.p50), ms(p.latencyMs.p90), ms(p.latencyMs.p99),
      p.memoryBytes === null ? '–' : formatBytes(p.memoryBytes), String(o.attempts)];
  });
  return `${r.model} (${r.sha256.slice(0, 12)}…, input ${r.inputs ? r.inputs.map((i) => `${i.name} ${i.dims.join('×')}`).join(', ') : r.inputDims.join('×')}) on ${r.devices.length} device(s)\n` +
    renderTable(['device', 'backend', 'load ms', 'first ms', 'p50 ms', 'p90 ms', 'p99 ms', 'JS heap', 'attempts'], rows);
}

/** The HTML report of a device profile: one variant per device (latency histograms side by side) and a detail table. */
export function remoteProfileReportData(r: RemoteProfile, fileBytes: number): ReportData {
  const ok = r.devices.filter((o) => o.state === 'done' && o.result);
  return {
    title: `Profile on devices: ${r.model}`,
    subtitle: `${r.devices.length} device(s) through the ondevice hub · SHA-256 ${r.sha256.slice(0, 16)}…`,
    variants: ok.map((o) => ({ name: label(o, r.devices), fileBytes, latencyP50Ms: o.result!.latencyMs.p50, latencySamplesMs: o.result!.samplesMs })),
    tables: [{
      title: 'Per device',
      head: ['device', 'user agent', 'cores', 'WebGPU', 'backend', 'load ms', 'first ms', 'p50', 'p90', 'p99', 'JS heap', 'state'],
      rows: r.devices.map((o) => [label(o, r.devices), o.device?.userAgent ?? '', String(o.device?.cores ?? '–'), o.device?.webgpu ?? 'none',
        o.result?.backend ?? '', ms(o.result?.loadMs), ms(o.result?.firstInferenceMs), ms(o.result?.latencyMs.p50), ms(o.result?.latencyMs.p90),
        ms(o.result?.latencyMs.p99), o.result?.memoryBytes ? formatBytes(o.result.memoryBytes) : '–', o.state === 'done' ? 'done' : `${o.state}: ${o.error ?? ''}`]),
    }],
    notes: ['Per-op times: none of the page runtimes reports them yet.'],
  };
}

/** Parity per device and backend against onnxruntime-node. */
export function formatRemoteParity(r: RemoteParity): string {
  const rows = r.devices.flatMap((o) => (o.state !== 'done'
    ? [[label(o, r.devices), '', o.state, o.error ?? '', '', '']]
    : o.parity.map((p) => [label(o, r.devices), p.backend, p.ran ?? 'did not run', p.fidelity ? db(p.fidelity.psnr) : p.error ?? '',
      p.fidelity ? p.fidelity.maxAbsError.toExponential(2) : '', ms(p.meanMs)])));
  return `${r.model}: ${r.samples} seeded inputs on each backend against ${r.reference} here\n` +
    renderTable(['device', 'backend', 'ran as', 'PSNR dB', 'max abs err', 'mean ms'], rows);
}

/** `evaluate --device` as a table: one row per model. */
export function formatRemoteEvaluation(r: RemoteEvaluation): string {
  const dev = r.reference.device ? `${r.reference.device.name} (${r.reference.device.id})` : 'a device';
  const row = (m: RemoteEvaluation['reference']) => [m.model, m.accuracy === null ? '–' : `${(m.accuracy * 100).toFixed(2)}%`,
    m.fidelity ? db(m.fidelity.psnr) : 'reference', m.top1Agreement === null ? '–' : `${(m.top1Agreement * 100).toFixed(1)}%`,
    m.hostFidelity ? db(m.hostFidelity.psnr) : '–', ms(m.meanMs)];
  return `${r.examples} examples of ${r.data} on ${dev}\n` +
    renderTable(['model', 'top-1', 'PSNR vs reference dB', 'top-1 agreement', 'PSNR vs onnxruntime-node here', 'mean ms'], [row(r.reference), ...r.candidates.map(row)]);
}

/** The HTML report of a device evaluation. */
export function remoteEvaluationReportData(r: RemoteEvaluation, sizes: readonly number[]): ReportData {
  const all = [r.reference, ...r.candidates];
  return {
    title: 'Evaluation on a device',
    subtitle: `${r.examples} examples of ${r.data} on ${r.reference.device?.name ?? 'a device'} (${r.reference.device?.userAgent ?? ''})`,
    variants: all.map((m, i) => ({
      name: m.model.split(/[\\/]/).pop() ?? m.model, fileBytes: sizes[i] ?? 0, reference: i === 0,
      ...(m.accuracy !== null ? { accuracy: m.accuracy } : {}), ...(m.fidelity ? { psnrDb: m.fidelity.psnr } : {}),
      ...(m.meanMs !== null ? { latencyP50Ms: m.meanMs } : {}),
    })),
    notes: ['Latency is the mean per example on the device; PSNR against onnxruntime-node here shows what the device runtime changes.'],
  };
}

/** The HTML report of a parity job: per device and backend, PSNR against onnxruntime-node here. */
export function remoteParityReportData(r: RemoteParity, fileBytes: number): ReportData {
  const rows = r.devices.flatMap((o) => o.parity.map((p) => ({ o, p })));
  return {
    title: `Parity on devices: ${r.model}`,
    subtitle: `${r.samples} seeded inputs on each backend of ${r.devices.length} device(s), against ${r.reference} here`,
    variants: rows.filter(({ p }) => p.fidelity).map(({ o, p }) => ({
      name: `${label(o, r.devices)} · ${p.backend}`, fileBytes, psnrDb: p.fidelity!.psnr, ...(p.meanMs !== null ? { latencyP50Ms: p.meanMs } : {}),
    })),
    tables: [{
      title: 'Per device and backend',
      head: ['device', 'backend', 'ran as', 'PSNR dB', 'max abs error', 'cosine', 'mean ms'],
      rows: rows.map(({ o, p }) => [label(o, r.devices), p.backend, p.ran ?? `did not run: ${p.error ?? ''}`, p.fidelity ? db(p.fidelity.psnr) : '–',
        p.fidelity ? p.fidelity.maxAbsError.toExponential(2) : '–', p.fidelity ? p.fidelity.cosine.toFixed(6) : '–', ms(p.meanMs)]),
    }],
  };
}
