// Renders a ProfileResult as terminal tables.
import { formatBytes, formatPercent } from './format.ts';
import { renderTable } from './table.ts';
import { describeRuntime } from '../runtimes/describe.ts';
import type { ProfileResult } from '../profile/profile.ts';

const ms = (x: number): string => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 3 : 1)} ms`);
const us = (x: number): string => (x < 1000 ? `${x.toFixed(0)} µs` : `${(x / 1000).toFixed(2)} ms`);

/** The text `ondevice profile` prints. */
export function formatProfile(r: ProfileResult): string {
  const lat = r.latencyMs;
  const lines: string[] = [];
  lines.push(`${r.model}  (${formatBytes(r.fileBytes)}) on ${describeRuntime(r.runtimeInfo)}, `
    + `inputs ${r.inputs.map((i) => `${i.name} ${i.dtype}[${i.dims.join('x')}]`).join(', ')}`);
  lines.push(`host: ${r.host.cpuModel.trim()}, ${r.host.arch}, ${r.host.cpus} cores, ${r.host.featuresKnown ? r.host.features.join(' ') || 'no int8-relevant features' : 'CPU features unknown'}`);
  lines.push(`${r.runs} timed runs after ${r.warmup} warm-up runs`);
  lines.push(renderTable(['measure', 'value'], [
    ['load', ms(r.loadMs)],
    ['first inference', ms(r.firstInferenceMs)],
    ['latency p50', ms(lat.p50)],
    ['latency p90', ms(lat.p90)],
    ['latency p99', ms(lat.p99)],
    ['latency mean ± sd', `${ms(lat.mean)} ± ${ms(lat.stdev)}`],
    ['latency min / max', `${ms(lat.min)} / ${ms(lat.max)}`],
    ...(r.deviceLatencyMs ? [['in-runtime p50 / p90', `${ms(r.deviceLatencyMs.p50)} / ${ms(r.deviceLatencyMs.p90)}`]] : []),
    ['throughput', `${r.throughputPerSec.toFixed(1)} /s`],
    ['peak RSS increase', formatBytes(r.memory.peakRssDeltaBytes)],
    ['process max RSS', formatBytes(r.memory.maxRssBytes)],
  ]));
  const o = r.opTimes;
  if (o) {
    lines.push(`per-op time (median of ${o.runs} profiled runs, kernel total ${us(o.totalUs)} per inference)`);
    lines.push(renderTable(['op', 'nodes', 'time', 'share'], o.byOp.map((x) => [x.op, x.nodes, us(x.us), formatPercent(x.share, 1)])));
    lines.push(renderTable(['slowest nodes', 'op', 'time', 'share'], o.topNodes.map((x) => [x.node, x.op, us(x.us), formatPercent(x.share, 1)])));
  } else {
    lines.push('per-op time: not available from this runtime');
  }
  return lines.join('\n');
}
