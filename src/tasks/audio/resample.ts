// Resampling a whole signal to the task's rate: windowed-sinc (Hann, band-limited to the lower Nyquist) or linear.

/** How to resample: 'sinc' (default) is band-limited and anti-aliased; 'linear' is cheap and aliases when downsampling. */
export type ResampleMethod = 'sinc' | 'linear';

/**
 * `samples` at `fromRate` Hz resampled to `toRate` Hz; output sample j sits at time j / toRate. 'sinc': a Hann-windowed
 * sinc with `zeros` zero crossings each side (default 16) and cut-off at the lower of the two Nyquist frequencies
 * (edges treated as silence); 'linear': interpolation between the two neighbours. Same rates → a copy.
 */
export function resample(samples: ArrayLike<number>, fromRate: number, toRate: number, options: { method?: ResampleMethod; zeros?: number } = {}): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) throw new Error(`audio: sample rates must be positive, got ${fromRate} and ${toRate}`);
  const outLength = Math.floor(samples.length * toRate / fromRate);
  const out = new Float32Array(outLength);
  if (fromRate === toRate) {
    for (let j = 0; j < outLength; j++) out[j] = samples[j];
    return out;
  }
  const ratio = fromRate / toRate;
  if ((options.method ?? 'sinc') === 'linear') {
    for (let j = 0; j < outLength; j++) {
      const t = j * ratio, i = Math.floor(t), w = t - i;
      out[j] = samples[i] * (1 - w) + (i + 1 < samples.length ? samples[i + 1] : samples[i]) * w;
    }
    return out;
  }
  const zeros = options.zeros ?? 16;
  const cutoff = Math.min(1, toRate / fromRate); // in units of the input Nyquist
  const half = Math.ceil(zeros / cutoff); // input samples each side
  for (let j = 0; j < outLength; j++) {
    const t = j * ratio;
    const lo = Math.max(0, Math.ceil(t - half)), hi = Math.min(samples.length - 1, Math.floor(t + half));
    let sum = 0;
    for (let i = lo; i <= hi; i++) {
      const x = (i - t) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = 0.5 + 0.5 * Math.cos(Math.PI * (i - t) / (half + 1));
      sum += samples[i] * sinc * window;
    }
    out[j] = sum * cutoff;
  }
  return out;
}
