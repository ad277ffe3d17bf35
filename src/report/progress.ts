// Progress bars for long work (cli-progress on stderr; periodic plain lines when stderr is not a terminal).
import cliProgress from 'cli-progress';

/** A progress sink that library functions call; the CLI passes a bar, library users anything. */
export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

/** A progress sink that does nothing (the library default). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

/** A terminal progress bar on stderr; prints a line every 2 s when stderr is not a TTY. */
export function terminalProgress(): Progress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total, label) {
      bar = new cliProgress.SingleBar({
        format: `${label.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} elapsed, eta {eta_formatted}`,
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 2000,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
