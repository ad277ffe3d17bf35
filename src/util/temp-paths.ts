// Temp files and folders in flight, removed when the process is interrupted (SIGINT/SIGTERM) so no half-written output is left.
import { rmSync } from 'node:fs';

const live = new Set<string>();
let installed = false;

/** Records a temp path to remove on interruption; returns the function that forgets it (call it once it is renamed or removed). */
export function trackTemp(path: string): () => void {
  live.add(path);
  return () => {
    live.delete(path);
  };
}

/** Removes every tracked temp path now (best effort). */
export function removeTrackedTemps(): void {
  for (const p of live) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      /* already gone or not ours to remove */
    }
  }
  live.clear();
}

/**
 * Installs SIGINT/SIGTERM handlers (once) that remove the tracked temp paths, say so on stderr and exit 130/143
 * (unless another handler for that signal is installed: it then decides how the process ends).
 * For the CLI; a library caller keeps its own signal policy.
 */
export function removeTempFilesOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      const n = live.size;
      removeTrackedTemps();
      // A command with its own handler (serve closes its server) ends itself.
      if (process.listenerCount(signal) > 1) return;
      process.stderr.write(`\nondevice: interrupted (${signal})${n ? `; removed ${n} temp file(s)` : ''}\n`);
      process.exit(code);
    });
  }
}
