// Live figures: inference latency (rolling median) and classified frames per second (over the last second).

/** Rolling latency and throughput counters. */
export class Stats {
  private readonly latencies: number[] = [];
  private readonly stamps: number[] = [];
  constructor(private readonly window = 30) {}

  /** Records one classified frame that took `ms` of inference. */
  add(ms: number, now = performance.now()): void {
    this.latencies.push(ms);
    if (this.latencies.length > this.window) this.latencies.shift();
    this.stamps.push(now);
    while (this.stamps.length && this.stamps[0] < now - 1000) this.stamps.shift();
  }

  /** Median inference latency over the last frames (ms), or NaN before the first. */
  get latency(): number {
    if (!this.latencies.length) return NaN;
    const s = [...this.latencies].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  }

  /** Frames classified during the last second. */
  fps(now = performance.now()): number {
    while (this.stamps.length && this.stamps[0] < now - 1000) this.stamps.shift();
    return this.stamps.length;
  }

  reset(): void {
    this.latencies.length = 0;
    this.stamps.length = 0;
  }
}
