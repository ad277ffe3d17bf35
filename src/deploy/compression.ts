// Content-Encoding for `ondevice serve`: which types to compress, brotli or gzip per Accept-Encoding, and the compressed bytes cached per file + mtime.
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { StaticFile } from '../util/static-files.ts';

/** A content coding `serve` can send. */
export type Encoding = 'br' | 'gzip';

/** Smaller files are sent as they are: compressing them saves next to nothing. */
export const MIN_COMPRESS_BYTES = 1024;
/** Larger files are sent as they are (streamed, with Range support) rather than held in memory compressed. */
export const MAX_COMPRESS_BYTES = 256 * 1024 * 1024;
/**
 * Brotli quality 5: onnxruntime-web's 14 MB wasm becomes 2.8 MB in ≈ 0.4 s on an idle core (quality 11: 2.4 MB but
 * ≈ 36 s, too long for the first visitor to wait; gzip level 6: 3.7 MB in ≈ 0.25 s).
 */
const BROTLI_QUALITY = 5;

/** Whether a Content-Type is worth compressing: text (html, js, css, txt), JSON, SVG and wasm. */
export function compressible(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/wasm' || type === 'image/svg+xml' || /^application\/([\w.+-]+\+)?json$/.test(type);
}

/**
 * The coding to answer an Accept-Encoding header with: the acceptable (q > 0) one of br and gzip with the higher
 * q-value, br on a tie (`*` stands for both when not named); null when neither is acceptable or the header is absent.
 */
export function pickEncoding(acceptEncoding: string | undefined): Encoding | null {
  if (!acceptEncoding) return null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    if (!coding) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(coding, Number.isFinite(value) ? value : 0);
  }
  const star = q.get('*') ?? 0;
  const br = q.get('br') ?? star;
  const gz = q.get('gzip') ?? q.get('x-gzip') ?? star;
  if (br <= 0 && gz <= 0) return null;
  return br >= gz ? 'br' : 'gzip';
}

const compressWith: Record<Encoding, (data: Buffer, size: number) => Promise<Buffer>> = {
  br: (data, size) => promisify(brotliCompress)(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: size },
  }),
  gzip: (data) => promisify(gzip)(data),
};

interface Entry {
  mtimeMs: number;
  size: number;
  bytes: Promise<Buffer>;
  /** Compressed length once known (0 while compressing). */
  length: number;
}

/**
 * Compressed copies of files, made once per file, coding and modification time (concurrent requests share one
 * compression; a changed mtime or size recompresses), least recently used dropped beyond `maxBytes` in total.
 */
export class CompressionCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  /** The bytes of `file` compressed with `encoding` (compressed in zlib's thread pool, off the event loop). */
  get(file: StaticFile, encoding: Encoding): Promise<Buffer> {
    const key = `${encoding}\0${file.real}`;
    const hit = this.entries.get(key);
    if (hit && hit.mtimeMs === file.mtimeMs && hit.size === file.size) {
      this.entries.delete(key); // re-insert: the Map's order is the recency order
      this.entries.set(key, hit);
      return hit.bytes;
    }
    if (hit) this.forget(key, hit);
    const entry: Entry = { mtimeMs: file.mtimeMs, size: file.size, length: 0, bytes: Promise.resolve(Buffer.alloc(0)) };
    entry.bytes = readFile(file.real).then((data) => compressWith[encoding](data, data.length)).then((bytes) => {
      if (this.entries.get(key) === entry) {
        entry.length = bytes.length;
        this.total += bytes.length;
        this.trim();
      }
      return bytes;
    }, (e: unknown) => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw e;
    });
    this.entries.set(key, entry);
    return entry.bytes;
  }

  private forget(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.total -= entry.length;
  }

  /** Drops the least recently used finished entries until the total fits (the newest one always stays). */
  private trim(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes || this.entries.size <= 1) break;
      if (entry.length > 0) this.forget(key, entry);
    }
  }
}
