// Progress bars for long work (cli-progress on stderr; periodic plain lines when stderr is not a terminal).
import cliProgress from 'cli-progress';
import type { Progress } from '../util/progress.ts';

export { silentProgress, type Progress } from '../util/progress.ts';

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
