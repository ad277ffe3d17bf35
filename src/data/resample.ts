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

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * `samples` at `from` Hz resampled to `to` Hz (length ⌊n·to/from⌋; integer rates). Each output sample is the
 * windowed-sinc interpolation of the input at its exact time, with the cut-off at the lower Nyquist rate so
 * downsampling does not alias; the ends are treated as silence. The filter taps are computed once per phase
 * (to / gcd(from, to) phases), so the cost per output sample is one dot product.
 */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples.slice();
  const g = gcd(from, to);
  const phases = to / g;
  const cutoff = Math.min(1, to / from);
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const taps = 2 * half;
  const norm = besselI0(BETA);
  // Output j sits at input time t = j·from/to = center + p/phases, with center = ⌊t⌋; its taps are inputs center-half+1 … center+half.
  const table = new Float32Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    for (let i = 0; i < taps; i++) {
      const d = frac + half - 1 - i; // t - k for k = center - half + 1 + i
      const r = d / half;
      if (r <= -1 || r >= 1) continue;
      const x = Math.PI * cutoff * d;
      table[p * taps + i] = cutoff * (x === 0 ? 1 : Math.sin(x) / x) * (besselI0(BETA * Math.sqrt(1 - r * r)) / norm);
    }
  }
  const step = from / g;
  const out = new Float32Array(Math.floor((samples.length * to) / from));
  for (let j = 0; j < out.length; j++) {
    const pos = j * step; // in units of 1/phases input samples
    const center = Math.floor(pos / phases);
    const row = (pos - center * phases) * taps;
    const first = center - half + 1;
    let acc = 0;
    for (let i = Math.max(0, -first); i < taps && first + i < samples.length; i++) acc += samples[first + i] * table[row + i];
    out[j] = acc;
  }
  return out;
}
