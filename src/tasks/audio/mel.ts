// Log-mel features: Hann window, power spectrum, triangular filters on the HTK mel scale, log.
import { powerSpectrum } from './fft.ts';

/** HTK mel scale: 2595·log10(1 + f/700). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** Inverse of {@link hzToMel}. */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** A Hann window of `n` samples; periodic (default, as torch.hann_window and librosa use for STFTs) or symmetric. */
export function hannWindow(n: number, periodic = true): Float64Array {
  const w = new Float64Array(n);
  const d = periodic ? n : n - 1;
  for (let i = 0; i < n; i++) w[i] = d === 0 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * i / d);
  return w;
}

/** Options of the mel filterbank. */
export interface MelOptions {
  mels: number;
  fft: number;
  sampleRate: number;
  /** Band edges in Hz; default 0 and the Nyquist frequency. */
  fMin?: number;
  fMax?: number;
}

/**
 * `mels` triangular filters over the `fft/2 + 1` power-spectrum bins, centres evenly spaced on the HTK mel scale between
 * fMin and fMax, peak 1, no area normalisation (torchaudio's MelSpectrogram defaults: mel_scale 'htk', norm None).
 * Row m is filter m's weight for each bin (bin k at k·sampleRate/fft Hz).
 */
export function melFilterbank({ mels, fft, sampleRate, fMin = 0, fMax = sampleRate / 2 }: MelOptions): Float64Array[] {
  if (!(fMax > fMin) || fMin < 0) throw new Error(`audio: mel band edges must satisfy 0 ≤ fMin < fMax, got ${fMin} and ${fMax}`);
  const bins = fft / 2 + 1;
  const lo = hzToMel(fMin), hi = hzToMel(fMax);
  const edges = Array.from({ length: mels + 2 }, (_, i) => melToHz(lo + (hi - lo) * i / (mels + 1)));
  return Array.from({ length: mels }, (_, m) => {
    const [left, centre, right] = [edges[m], edges[m + 1], edges[m + 2]];
    const row = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      const f = k * sampleRate / fft;
      const up = (f - left) / (centre - left), down = (right - f) / (right - centre);
      row[k] = Math.max(0, Math.min(up, down));
    }
    return row;
  });
}

/** Options of {@link logMel}: the filterbank's, plus framing and the log. */
export interface LogMelOptions extends MelOptions {
  /** Window length in samples (≤ fft; the windowed frame is zero-padded to fft) and hop between frames. */
  window: number;
  hopLength: number;
  /** 'ln' (default): natural log of mel power; 'db': 10·log10. */
  log?: 'ln' | 'db';
  /** Power floor before the log (default 1e-10). */
  floor?: number;
}

/**
 * Log-mel spectrogram of `samples`: frames of `window` samples every `hopLength` (no centre padding; a partial tail is
 * dropped), periodic Hann window, power spectrum, mel filters, log(max(power, floor)). One Float32Array of `mels` a frame.
 * Pass a prebuilt `filters` (from {@link melFilterbank}) to skip rebuilding them per call.
 */
export function logMel(samples: ArrayLike<number>, options: LogMelOptions, filters?: readonly Float64Array[]): Float32Array[] {
  const { window, hopLength, fft } = options;
  if (window > fft) throw new Error(`audio: window ${window} exceeds the FFT size ${fft}`);
  const bank = filters ?? melFilterbank(options);
  const hann = hannWindow(window);
  const floor = options.floor ?? 1e-10;
  const db = options.log === 'db';
  const frames: Float32Array[] = [];
  const frame = new Float64Array(window);
  for (let start = 0; start + window <= samples.length; start += hopLength) {
    for (let i = 0; i < window; i++) frame[i] = samples[start + i];
    const power = powerSpectrum(frame, fft, hann);
    const out = new Float32Array(bank.length);
    for (let m = 0; m < bank.length; m++) {
      let e = 0;
      const row = bank[m];
      for (let k = 0; k < row.length; k++) e += row[k] * power[k];
      e = Math.max(e, floor);
      out[m] = db ? 10 * Math.log10(e) : Math.log(e);
    }
    frames.push(out);
  }
  return frames;
}
