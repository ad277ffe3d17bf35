// Audio task units: FFT and log-mel against a direct DFT and filterbank written here, streaming = one-shot framing,
// resampling against the analytic signal, events from a synthesised probability curve.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../src/util/random.ts';
import {
  audioFeatures, detectEvents, fft, frameAgreement, FrameStream, frameSignal, logMel, melFilterbank, powerSpectrum, resample,
  smoothProbabilities,
} from '../../src/tasks/audio/index.ts';

/** |X[k]|² by the defining sum, k = 0 … n/2, of x zero-padded to n. */
function dftPower(x: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n / 2 + 1 }, (_, k) => {
    let re = 0, im = 0;
    for (let t = 0; t < x.length; t++) {
      re += x[t] * Math.cos(2 * Math.PI * k * t / n);
      im -= x[t] * Math.sin(2 * Math.PI * k * t / n);
    }
    return re * re + im * im;
  });
}

/** Filter m's weight at f Hz, straight from the HTK definition (triangle between mel points m, m+1, m+2). */
function htkWeight(m: number, f: number, mels: number, fMax: number): number {
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const step = mel(fMax) / (mels + 1);
  // Triangles are linear in Hz between the edge frequencies (mel points converted back).
  const hz = (i: number) => 700 * (10 ** (i * step / 2595) - 1);
  const [l, c, r] = [hz(m), hz(m + 1), hz(m + 2)];
  if (f <= l || f >= r) return 0;
  return f <= c ? (f - l) / (c - l) : (r - f) / (r - c);
}

describe('FFT and log-mel', () => {
  it('power spectrum equals a direct DFT (n = 8 … 512, zero-padded frames)', () => {
    const rand = mulberry32(5);
    for (const [len, n] of [[8, 8], [100, 128], [400, 512]]) {
      const x = Float64Array.from({ length: len }, () => rand() * 2 - 1);
      const fast = powerSpectrum(x, n), slow = dftPower(x, n);
      const scale = Math.max(...slow);
      for (let k = 0; k <= n / 2; k++) assert.ok(Math.abs(fast[k] - slow[k]) <= 1e-9 * scale, `n ${n} bin ${k}: ${fast[k]} vs ${slow[k]}`);
    }
    assert.throws(() => fft(new Float64Array(6), new Float64Array(6)), /power of two/);
    // The complex transform itself (sign convention X[k] = Σ x[t]·e^(−2πikt/n)) on a complex input.
    const n = 64, xr = Float64Array.from({ length: n }, () => rand() - 0.5), xi = Float64Array.from({ length: n }, () => rand() - 0.5);
    const re = new Float64Array(xr), im = new Float64Array(xi);
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0, si = 0;
      for (let t = 0; t < n; t++) {
        const a = -2 * Math.PI * k * t / n;
        sr += xr[t] * Math.cos(a) - xi[t] * Math.sin(a);
        si += xr[t] * Math.sin(a) + xi[t] * Math.cos(a);
      }
      assert.ok(Math.abs(re[k] - sr) < 1e-9 && Math.abs(im[k] - si) < 1e-9, `bin ${k}`);
    }
  });

  it('log-mel (16 kHz, 400-sample Hann window, FFT 512, hop 160, 40 mels) equals DFT + HTK filters computed directly', () => {
    const sr = 16000, rand = mulberry32(9);
    const x = Float32Array.from({ length: 4000 }, (_, t) => 0.5 * Math.sin(2 * Math.PI * 440 * t / sr) + 0.2 * Math.sin(2 * Math.PI * 3100 * t / sr) + 0.05 * (rand() - 0.5));
    const opts = { sampleRate: sr, mels: 40, fft: 512, window: 400, hopLength: 160 };
    const got = logMel(x, opts);
    assert.equal(got.length, Math.floor((4000 - 400) / 160) + 1);
    let worst = 0;
    for (const fi of [0, 7, got.length - 1]) {
      const frame = Array.from({ length: 400 }, (_, i) => x[fi * 160 + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / 400)));
      const power = dftPower(frame, 512);
      for (let m = 0; m < 40; m++) {
        let e = 0;
        for (let k = 0; k <= 256; k++) e += htkWeight(m, k * sr / 512, 40, sr / 2) * power[k];
        worst = Math.max(worst, Math.abs(got[fi][m] - Math.log(Math.max(e, 1e-10))));
      }
    }
    assert.ok(worst < 1e-4, `max |Δ log-mel| ${worst}`);
    // The 440 Hz tone lands in the mel band whose centre is nearest 440 Hz.
    const bank = melFilterbank(opts);
    const peakBand = got[5].indexOf(Math.max(...got[5].slice(0, 20)));
    const bin440 = Math.round(440 * 512 / sr);
    assert.equal(peakBand, bank.map((row) => row[bin440]).indexOf(Math.max(...bank.map((row) => row[bin440]))));
  });

  it('audioFeatures: raw passes the frame through; log-mel flattens frames × mels', () => {
    const frame = Float32Array.from({ length: 1600 }, (_, i) => Math.sin(i / 10));
    assert.equal(audioFeatures({ task: 'audio', sampleRate: 16000, frame: 1600, hop: 800 }, frame), frame);
    const task = { task: 'audio' as const, sampleRate: 16000, frame: 1600, hop: 800, features: { kind: 'log-mel' as const, mels: 32, fft: 512, window: 400, hopLength: 160 } };
    const f = audioFeatures(task, frame);
    const direct = logMel(frame, { sampleRate: 16000, mels: 32, fft: 512, window: 400, hopLength: 160 });
    assert.equal(f.length, direct.length * 32);
    assert.deepEqual([...f.subarray(32, 64)], [...direct[1]]);
  });
});

describe('framing and resampling', () => {
  it('frameSignal slices [k·hop, k·hop + frame); FrameStream over random chunks gives the same frames', () => {
    const rand = mulberry32(1);
    const x = Float32Array.from({ length: 5003 }, () => rand());
    for (const [frame, hop] of [[400, 160], [1280, 1280], [100, 250], [16, 1]]) {
      const oneShot = frameSignal(x, frame, hop);
      assert.equal(oneShot.length, Math.floor((x.length - frame) / hop) + 1);
      oneShot.forEach((f, k) => assert.deepEqual(f, x.slice(k * hop, k * hop + frame)));
      const stream = new FrameStream(frame, hop);
      const streamed: Float32Array[] = [];
      for (let at = 0; at < x.length;) {
        const size = 1 + Math.floor(rand() * 700);
        streamed.push(...stream.push(x.subarray(at, at + size)));
        at += size;
      }
      assert.deepEqual(streamed, oneShot, `frame ${frame} hop ${hop}`);
      stream.reset();
      assert.deepEqual(stream.push(x.subarray(0, frame)), [x.slice(0, frame)]);
    }
  });

  it('resampling 44.1 kHz → 16 kHz and 8 kHz → 16 kHz reproduces a 440 Hz tone (sinc ≤ 1e-3, linear worse); an 11 kHz tone is filtered out going to 16 kHz', () => {
    const tone = (sr: number, n: number, hz: number) => Float32Array.from({ length: n }, (_, t) => Math.sin(2 * Math.PI * hz * t / sr));
    const err = (y: Float32Array, ref: Float32Array) => {
      let worst = 0;
      for (let j = 200; j < y.length - 200; j++) worst = Math.max(worst, Math.abs(y[j] - ref[j]));
      return worst;
    };
    for (const from of [44100, 8000]) {
      const x = tone(from, from / 2, 440);
      const ref = tone(16000, 8000, 440);
      const sinc = resample(x, from, 16000), linear = resample(x, from, 16000, { method: 'linear' });
      assert.equal(sinc.length, 8000);
      const [es, el] = [err(sinc, ref), err(linear, ref)];
      console.log(`# ${from} → 16000: max error sinc ${es.toExponential(2)}, linear ${el.toExponential(2)}`);
      assert.ok(es < 1e-3 && el > es, `sinc ${es} linear ${el}`);
    }
    const high = resample(tone(48000, 24000, 11000), 48000, 16000);
    const rms = Math.sqrt(high.slice(200, -200).reduce((s, v) => s + v * v, 0) / (high.length - 400));
    assert.ok(rms < 0.02, `aliased 11 kHz rms ${rms}`);
    assert.deepEqual(resample([1, 2, 3], 16000, 16000), new Float32Array([1, 2, 3]));
  });
});

describe('events', () => {
  /** A probability curve at 100 frames/s (hop 10 ms) with bumps at the given seconds, plus seeded noise. */
  function curve(bumps: [number, number][], seconds: number, noise: number, seed: number): Float32Array {
    const rand = mulberry32(seed);
    return Float32Array.from({ length: seconds * 100 }, (_, i) => {
      const t = i / 100;
      const on = bumps.some(([a, b]) => t >= a && t < b);
      return Math.min(1, Math.max(0, (on ? 0.85 : 0.1) + noise * (rand() * 2 - 1)));
    });
  }

  it('smoothing + threshold finds the synthesised events within one smoothing width of their edges', () => {
    const bumps: [number, number][] = [[0.5, 1.2], [2.0, 2.3], [3.1, 4.0]];
    const p = curve(bumps, 5, 0.45, 4);
    const raw = detectEvents(p, { hopSeconds: 0.01 });
    assert.ok(raw.length > bumps.length, `noise splits events without smoothing (${raw.length})`);
    const events = detectEvents(smoothProbabilities(p, 9), { hopSeconds: 0.01, minFrames: 5, mergeGap: 3 });
    assert.equal(events.length, bumps.length, JSON.stringify(events));
    events.forEach((e, i) => {
      assert.ok(Math.abs(e.start - bumps[i][0]) <= 0.05 && Math.abs(e.end - bumps[i][1]) <= 0.05, `${JSON.stringify(e)} vs ${bumps[i]}`);
      assert.ok(e.peak >= 0.5);
    });
  });

  it('hysteresis, minimum length, gap merging and frame length on a hand-made curve', () => {
    const p = [0, 0.6, 0.4, 0.6, 0, 0, 0.9, 0];
    assert.deepEqual(detectEvents(p, { hopSeconds: 1 }).map((e) => [e.start, e.end]), [[1, 2], [3, 4], [6, 7]]);
    assert.deepEqual(detectEvents(p, { hopSeconds: 1, release: 0.3 }).map((e) => [e.start, e.end]), [[1, 4], [6, 7]]);
    assert.deepEqual(detectEvents(p, { hopSeconds: 1, mergeGap: 2 }).map((e) => [e.start, e.end]), [[1, 7]]);
    assert.deepEqual(detectEvents(p, { hopSeconds: 1, minFrames: 2, release: 0.3 }).map((e) => [e.start, e.end]), [[1, 4]]);
    assert.deepEqual(detectEvents(p, { hopSeconds: 0.5, frameSeconds: 2 }).map((e) => [e.start, e.end]), [[0.5, 2.5], [1.5, 3.5], [3, 5]]);
    assert.deepEqual([...smoothProbabilities([0, 3, 0, 3], 2, true)], [0, 1.5, 1.5, 1.5]);
    assert.deepEqual([...smoothProbabilities([0, 3, 0, 0], 3)], [1.5, 1, 1, 0]);
  });

  it('frameAgreement counts frames on the same side of the threshold', () => {
    assert.equal(frameAgreement([0.1, 0.6, 0.7, 0.2], [0.2, 0.9, 0.4, 0.1]), 3 / 4);
    assert.equal(frameAgreement([0.1, 0.6], [0.2, 0.9], 0.95), 1);
    const p = curve([[1, 2]], 3, 0.3, 8), q = curve([[1, 2]], 3, 0.3, 9);
    const agree = frameAgreement(p, q);
    let direct = 0;
    for (let i = 0; i < p.length; i++) direct += Number((p[i] >= 0.5) === (q[i] >= 0.5));
    assert.equal(agree, direct / p.length);
    assert.throws(() => frameAgreement([1], [1, 2]), /curves of 1 and 2/);
  });
});
