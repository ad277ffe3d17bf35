// Framing a sample stream: fixed frames every `hop` samples, one-shot or from arbitrary chunks through a ring buffer.

function checkSizes(frame: number, hop: number): void {
  if (!Number.isInteger(frame) || frame < 1 || !Number.isInteger(hop) || hop < 1) throw new Error(`audio: frame and hop must be whole numbers ≥ 1, got ${frame} and ${hop}`);
}

/** The full frames of `samples`: frame k holds samples [k·hop, k·hop + frame); a partial tail is dropped. */
export function frameSignal(samples: ArrayLike<number>, frame: number, hop: number): Float32Array[] {
  checkSizes(frame, hop);
  const frames: Float32Array[] = [];
  for (let start = 0; start + frame <= samples.length; start += hop) {
    const f = new Float32Array(frame);
    for (let i = 0; i < frame; i++) f[i] = samples[start + i];
    frames.push(f);
  }
  return frames;
}

/**
 * Streaming framing: `push` chunks of any size (a microphone's 128-sample worklet buffers, 4096-sample script buffers)
 * and get the frames completed so far, the same frames `frameSignal` gives on the whole stream. Memory is one ring
 * buffer of `frame` samples (plus a skip counter when hop > frame).
 */
export class FrameStream {
  readonly frame: number;
  readonly hop: number;
  private readonly ring: Float32Array;
  /** Samples written in total, and the stream position of the next frame's first sample. */
  private written = 0;
  private nextStart = 0;

  constructor(frame: number, hop: number) {
    checkSizes(frame, hop);
    this.frame = frame;
    this.hop = hop;
    this.ring = new Float32Array(frame);
  }

  /** Appends `chunk`; returns the frames it completes, oldest first. */
  push(chunk: ArrayLike<number>): Float32Array[] {
    const out: Float32Array[] = [];
    const n = this.frame;
    for (let i = 0; i < chunk.length; i++) {
      this.ring[this.written % n] = chunk[i];
      this.written++;
      if (this.written === this.nextStart + n) {
        const f = new Float32Array(n);
        const base = this.nextStart % n;
        f.set(this.ring.subarray(base));
        f.set(this.ring.subarray(0, base), n - base);
        out.push(f);
        this.nextStart += this.hop;
      }
    }
    return out;
  }

  /** Samples received so far. */
  get samplesSeen(): number {
    return this.written;
  }

  /** Forgets everything (a new recording). */
  reset(): void {
    this.written = 0;
    this.nextStart = 0;
    this.ring.fill(0);
  }
}
