// Read exact byte counts from a Node stream, one piece at a time, so big arrays are streamed, never loaded whole.
import type { Readable } from 'node:stream';

/** Sequential exact-length reads over a readable stream of bytes. */
export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private buffered = 0;
  /** Bytes handed out so far. */
  position = 0;

  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  }

  /** The next `n` bytes (a fresh copy), or fewer if the stream ends first. */
  async read(n: number): Promise<Uint8Array> {
    while (this.buffered < n) {
      const next = await this.iterator.next();
      if (next.done) break;
      this.pending.push(next.value);
      this.buffered += next.value.length;
    }
    const out = new Uint8Array(Math.min(n, this.buffered));
    let filled = 0;
    while (filled < out.length) {
      const head = this.pending[0];
      const take = Math.min(head.length, out.length - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.buffered -= out.length;
    this.position += out.length;
    return out;
  }

  /** Stop reading and release the stream. */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
