// An audio task's model input for one frame: the raw samples or their log-mel features, as the task says.
import type { AudioTask } from '../task.ts';
import { logMel, melFilterbank } from './mel.ts';

const banks = new WeakMap<object, Float64Array[]>();

/**
 * The features of one `task.frame`-sample frame at `task.sampleRate`: the samples themselves ('raw' or no features), or
 * log-mel frames flattened row-major ([frames × mels], natural log). Filterbanks are built once per task.
 */
export function audioFeatures(task: AudioTask, frame: Float32Array): Float32Array {
  const f = task.features;
  if (!f || f.kind === 'raw') return frame;
  let bank = banks.get(f);
  if (!bank) {
    bank = melFilterbank({ mels: f.mels, fft: f.fft, sampleRate: task.sampleRate });
    banks.set(f, bank);
  }
  const frames = logMel(frame, { mels: f.mels, fft: f.fft, sampleRate: task.sampleRate, window: f.window, hopLength: f.hopLength }, bank);
  const out = new Float32Array(frames.length * f.mels);
  frames.forEach((row, i) => out.set(row, i * f.mels));
  return out;
}
