// Process memory probes for profiling: a resident-set baseline, a running peak, and the OS's maxRSS.

/** Tracks the highest resident set size seen since it was created. */
export class RssTracker {
  readonly baseline = process.memoryUsage.rss();
  peak = this.baseline;

  /** Samples the current RSS (cheap: one syscall). */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Peak minus baseline, bytes. */
  get delta(): number {
    return this.peak - this.baseline;
  }
}

/** The process's lifetime peak RSS from the OS, in bytes. */
export function maxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
