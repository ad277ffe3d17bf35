// Moving tensors between Node and the LiteRT page: base64 inline, except large inputs, which the page fetches raw from the local server.
import type { DType, TypedArray } from '../../ir/dtype.ts';
import type { LocalServer } from '../browser/server.ts';
import type { HostTensor } from '../runtime.ts';

/**
 * Inputs up to this many bytes travel inline (base64 inside the page.evaluate call); larger ones are
 * put on the local server and fetched by the page as raw bytes. Outputs always come back as base64
 * in the evaluate result. Measured for 1 MiB on 2 busy cores (4 runs each, ms):
 * input as base64 argument 360–1130, input fetched over HTTP 57–174; output returned as base64
 * 196–743, output PUT back over HTTP 466–1274 (DevTools network events carry request bodies).
 */
export const INLINE_BYTES = 64 * 1024;

/** The element types LiteRT.js (2.x) moves between JS and wasm. */
export const LITERT_DTYPES = ['float32', 'int32', 'uint8'] as const;
const TYPED = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;

/** A tensor as it crosses into or out of the page. */
export interface WireTensor {
  dtype: string;
  dims: number[];
  b64?: string;
  url?: string;
}

function bytesOf(a: TypedArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Turns one feed into its wire form; large data is put on `server` under `path` (drop it after the run).
 * @returns the wire tensor and the blob path used, if any.
 */
export function toWire(t: HostTensor, server: LocalServer, path: string): { wire: WireTensor; blob?: string } {
  const bytes = bytesOf(t.data);
  if (bytes.byteLength <= INLINE_BYTES) return { wire: { dtype: t.dtype, dims: t.dims, b64: bytes.toString('base64') } };
  server.put(path, { body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  return { wire: { dtype: t.dtype, dims: t.dims, url: path }, blob: path };
}

/** Rebuilds a HostTensor from the page's answer (base64); throws when its byte length does not fit its dtype and dims. */
export function fromWire(w: WireTensor): HostTensor {
  const Ctor = TYPED[w.dtype as keyof typeof TYPED];
  if (!Ctor) throw new Error(`LiteRT.js returned an unsupported ${w.dtype} tensor`);
  if (w.b64 === undefined) throw new Error('the page returned an output without data');
  const raw = Buffer.from(w.b64, 'base64');
  const count = w.dims.reduce((a, b) => a * b, 1);
  if (raw.byteLength !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`LiteRT.js returned ${raw.byteLength} bytes for a ${w.dtype} [${w.dims}] output (${count * Ctor.BYTES_PER_ELEMENT} expected)`);
  }
  // Copy into a fresh, aligned buffer: Buffer pools may start at offsets not divisible by 4.
  const aligned = new Uint8Array(raw.byteLength);
  aligned.set(raw);
  return { dtype: w.dtype as DType, dims: w.dims, data: new Ctor(aligned.buffer) };
}
