// Lets a session with a fixed batch size (e.g. a .tflite compiled for batch 1) run batches of any size.
import type { TypedArray } from '../ir/dtype.ts';
import type { HostTensor, RuntimeSession } from './runtime.ts';
import { wrapSession } from './wrap-session.ts';

type ArrayCtor = new (length: number) => TypedArray;

function perExample(t: HostTensor): number {
  return t.dims.slice(1).reduce((a, b) => a * b, 1);
}

/** Examples [start, start+n) of a batch, zero-padded to `size` examples. */
function slice(t: HostTensor, start: number, n: number, size: number): HostTensor {
  const per = perExample(t);
  const part = t.data.subarray(start * per, (start + n) * per) as TypedArray;
  if (n === size) return { dtype: t.dtype, dims: [size, ...t.dims.slice(1)], data: part };
  const padded = new (t.data.constructor as ArrayCtor)(size * per);
  (padded as Float32Array).set(part as Float32Array);
  return { dtype: t.dtype, dims: [size, ...t.dims.slice(1)], data: padded };
}

/**
 * Wraps `session` so that when its inputs have a fixed batch (first) dim `b` and a feed has N ≠ b examples, the
 * feeds run in chunks of `b` (the last one zero-padded) and the outputs are joined back into N examples.
 * Sessions with a symbolic batch dim are returned as they are.
 */
export function acceptAnyBatch(session: RuntimeSession): RuntimeSession {
  const b = session.inputs[0]?.shape[0];
  if (typeof b !== 'number' || b < 1) return session;
  const run = async (feeds: Record<string, HostTensor>, fetches?: string[]): Promise<Record<string, HostTensor>> => {
    const first = Object.values(feeds)[0];
    const total = first?.dims[0];
    if (total === undefined || total === b) return session.run(feeds, fetches);
    const parts: Record<string, HostTensor[]> = {};
    for (let start = 0; start < total; start += b) {
      const n = Math.min(b, total - start);
      const chunk = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, slice(t, start, n, b)]));
      const out = await session.run(chunk, fetches);
      for (const [k, t] of Object.entries(out)) (parts[k] ??= []).push(n === b ? t : slice(t, 0, n, n));
    }
    return Object.fromEntries(Object.entries(parts).map(([k, ts]) => {
      // Chunks join along dim 0: the batch for batch-major outputs; an output whose dim 0 is not the batch (an RNN's
      // [seq, dirs, batch, hidden] seen by per-layer analysis) is stacked chunk by chunk the same way in every model.
      const data = new (ts[0].data.constructor as ArrayCtor)(ts.reduce((a, t) => a + t.data.length, 0));
      let offset = 0;
      for (const t of ts) {
        (data as Float32Array).set(t.data as Float32Array, offset);
        offset += t.data.length;
      }
      return [k, { dtype: ts[0].dtype, dims: [ts.reduce((a, t) => a + (t.dims[0] ?? 1), 0), ...ts[0].dims.slice(1)], data }];
    }));
  };
  return wrapSession(session, run);
}
