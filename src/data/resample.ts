// Band-limited resampling of mono audio: Kaiser-windowed sinc interpolation, low-passed at the lower of the two Nyquist rates.

/** Zero crossings of the sinc on each side of a tap (at the lower rate): sharper cut-off, more work. */
const ZERO_CROSSINGS = 24;
/** Kaiser window shape (≈ 90 dB stop-band). */
const BETA = 9;

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the βs used here). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * `samples` at `from` Hz resampled to `to` Hz (length ⌊n·to/from⌋). Each output sample is the windowed-sinc interpolation
 * of the input at its exact time, with the cut-off at the lower Nyquist rate so downsampling does not alias; the ends are
 * treated as silence.
 */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples.slice();
  const step = from / to;
  const cutoff = Math.min(1, to / from);
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const norm = besselI0(BETA);
  const out = new Float32Array(Math.floor((samples.length * to) / from));
  for (let j = 0; j < out.length; j++) {
    const t = j * step;
    const center = Math.floor(t);
    let acc = 0;
    for (let k = Math.max(0, center - half + 1); k <= Math.min(samples.length - 1, center + half); k++) {
      const d = t - k;
      const r = d / half;
      if (r <= -1 || r >= 1) continue;
      const x = Math.PI * cutoff * d;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      acc += samples[k] * cutoff * sinc * (besselI0(BETA * Math.sqrt(1 - r * r)) / norm);
    }
    out[j] = acc;
  }
  return out;
}
