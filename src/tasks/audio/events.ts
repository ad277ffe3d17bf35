// Per-frame probabilities → smoothed curve → detected events (start/end in seconds), and frame-level agreement.

/** A detected event: from the start of its first frame above threshold to the end of its last, in seconds. */
export interface AudioEvent {
  start: number;
  end: number;
  /** Highest smoothed probability inside the event. */
  peak: number;
}

/** Moving average over `width` frames (default 1: unchanged): centred, or trailing when `causal` (what streaming can do). */
export function smoothProbabilities(p: ArrayLike<number>, width = 1, causal = false): Float32Array {
  if (!Number.isInteger(width) || width < 1) throw new Error(`audio: smoothing width must be a whole number ≥ 1, got ${width}`);
  const out = new Float32Array(p.length);
  const before = causal ? width - 1 : Math.floor((width - 1) / 2);
  const after = causal ? 0 : width - 1 - before;
  for (let i = 0; i < p.length; i++) {
    const lo = Math.max(0, i - before), hi = Math.min(p.length - 1, i + after);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += p[j];
    out[i] = s / (hi - lo + 1);
  }
  return out;
}

/** Options of {@link detectEvents}. */
export interface EventOptions {
  /** Seconds between frame starts (hop / sampleRate) and of one frame (frame / sampleRate; default the hop). */
  hopSeconds: number;
  frameSeconds?: number;
  /** An event starts when the probability reaches `threshold` (default 0.5) … */
  threshold?: number;
  /** … and ends when it falls below `release` (default `threshold`; lower for hysteresis). */
  release?: number;
  /** Events shorter than this many frames are dropped (default 1); gaps of at most `mergeGap` frames are bridged (default 0). */
  minFrames?: number;
  mergeGap?: number;
}

/** Events where the (already smoothed) per-frame probability `p` is on, frame i spanning [i·hop, i·hop + frame) seconds. */
export function detectEvents(p: ArrayLike<number>, options: EventOptions): AudioEvent[] {
  const threshold = options.threshold ?? 0.5, release = options.release ?? threshold;
  const frameSeconds = options.frameSeconds ?? options.hopSeconds, hop = options.hopSeconds;
  const minFrames = options.minFrames ?? 1, mergeGap = options.mergeGap ?? 0;
  if (release > threshold) throw new Error(`audio: release ${release} must not exceed threshold ${threshold}`);
  const runs: { first: number; last: number; peak: number }[] = [];
  let open: { first: number; last: number; peak: number } | undefined;
  for (let i = 0; i < p.length; i++) {
    if (open ? p[i] >= release : p[i] >= threshold) {
      if (!open) {
        const prev = runs[runs.length - 1];
        if (prev && i - prev.last - 1 <= mergeGap) open = runs.pop()!;
        else open = { first: i, last: i, peak: p[i] };
      }
      open.last = i;
      open.peak = Math.max(open.peak, p[i]);
    } else if (open) {
      runs.push(open);
      open = undefined;
    }
  }
  if (open) runs.push(open);
  return runs.filter((r) => r.last - r.first + 1 >= minFrames)
    .map((r) => ({ start: r.first * hop, end: r.last * hop + frameSeconds, peak: r.peak }));
}

/** Fraction of frames on which two probability curves agree about being ≥ `threshold` (default 0.5); 1 for empty curves. */
export function frameAgreement(a: ArrayLike<number>, b: ArrayLike<number>, threshold = 0.5): number {
  if (a.length !== b.length) throw new Error(`frameAgreement: curves of ${a.length} and ${b.length} frames`);
  if (a.length === 0) return 1;
  let same = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] >= threshold) === (b[i] >= threshold)) same++;
  return same / a.length;
}
