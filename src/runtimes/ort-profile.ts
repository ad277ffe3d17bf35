// Reads onnxruntime's JSON profile (Chrome trace format) into per-op events, then deletes the file.
import { readFileSync, rmSync } from 'node:fs';
import type { ProfileEvent } from './runtime.ts';

interface TraceEvent { cat?: string; name?: string; dur?: number; args?: { op_name?: string } }

/** Node-level kernel events of an ORT profile file. */
export function readProfileFile(file: string): ProfileEvent[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  rmSync(file, { force: true });
  return events
    .filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time'))
    .map((e) => ({ name: e.name!.replace(/_kernel_time$/, ''), op: e.args?.op_name, durationUs: e.dur ?? 0 }));
}
