// A radix-2 FFT over Float64Arrays and the power spectrum of a real frame: no dependencies, same code in Node and the browser.

/** In-place iterative radix-2 decimation-in-time FFT of (re, im); the length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n || n === 0 || (n & (n - 1)) !== 0) throw new Error(`fft: length must be a power of two with matching re/im, got ${n}/${im.length}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = -2 * Math.PI / size;
    const halfSize = size >> 1;
    for (let k = 0; k < halfSize; k++) {
      const wr = Math.cos(step * k), wi = Math.sin(step * k);
      for (let start = k; start < n; start += size) {
        const a = start, b = start + halfSize;
        const tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
      }
    }
  }
}

/**
 * |X[k]|² for k = 0 … n/2 of the real `frame` times `window` (same length, or none), zero-padded to `n` (a power of two,
 * ≥ the frame's length).
 */
export function powerSpectrum(frame: ArrayLike<number>, n: number, window?: ArrayLike<number>): Float64Array {
  if (frame.length > n) throw new Error(`fft: frame of ${frame.length} samples does not fit an FFT of ${n}`);
  if (window && window.length !== frame.length) throw new Error(`fft: window of ${window.length} for a frame of ${frame.length}`);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let i = 0; i < frame.length; i++) re[i] = frame[i] * (window ? window[i] : 1);
  fft(re, im);
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) out[k] = re[k] * re[k] + im[k] * im[k];
  return out;
}
