// Live audio: streaming area resampling, and Silero VAD (recurrent state fed back) on synthesised speech through AudioTaskStream.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import type { RuntimeSession } from '../../src/runtimes/runtime.ts';
import { resample } from '../../src/tasks/audio/resample.ts';
import { AudioTaskStream, StreamResampler, type AudioRun } from '../../src/tasks/audio/stream.ts';
import { parseTask } from '../../src/tasks/parse.ts';
import type { AudioTask } from '../../src/tasks/task.ts';
import { SILERO_TASK, SILERO_V5, speechInSilence } from '../support/speech.ts';

const VAD = SILERO_V5;

describe('StreamResampler', () => {
  it('gives the same samples whatever the chunking, and keeps a tone (48 kHz → 16 kHz)', () => {
    const x = Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000) + 0.25);
    const whole = new StreamResampler(48000, 16000).push(x);
    assert.equal(whole.length, 16000);
    const r = new StreamResampler(48000, 16000);
    const parts: number[] = [];
    for (let i = 0, k = 1; i < x.length; i += k, k = (k * 7 + 3) % 1000 + 1) parts.push(...r.push(x.subarray(i, i + k)));
    assert.deepEqual(Float32Array.from(parts), whole);
    // Against the band-limited reference: the box filter loses little at 440 Hz (a 3-sample mean: gain 0.998).
    const ref = resample(x, 48000, 16000);
    let err = 0;
    for (let i = 100; i < 15900; i++) err = Math.max(err, Math.abs(whole[i] - ref[i]));
    assert.ok(err < 0.01, `max error vs sinc ${err}`);
  });
  it('handles ratios that are not whole (44.1 kHz → 16 kHz): the mean is kept, the length is right', () => {
    const x = new Float32Array(44100).fill(0.3);
    const y = new StreamResampler(44100, 16000).push(x);
    assert.ok(Math.abs(y.length - 16000) <= 1, `length ${y.length}`);
    for (const v of y) assert.ok(Math.abs(v - 0.3) < 1e-5);
  });
});

describe('Silero VAD v5 through AudioTaskStream (microphone-sized chunks at 48 kHz)', () => {
  const task = parseTask(SILERO_TASK) as AudioTask;
  let session: RuntimeSession;
  before(async () => {
    session = await ortNodeRuntime.load(VAD);
  });
  after(() => session.release());
  const run: AudioRun = async (feeds) => {
      const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, f.dtype === 'int64'
        ? { dtype: 'int64' as const, dims: f.dims, data: BigInt64Array.from(f.data as number[], (v) => BigInt(v)) }
        : { dtype: 'float32' as const, dims: f.dims, data: f.data as Float32Array }])));
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: t.dims }]));
  };

  it('carries the state from frame to frame: the same probabilities as a plain loop over the frames', async () => {
    const { samples } = speechInSilence(0.5, 0.5);
    const stream = new AudioTaskStream(task, run, 16000, 'input');
    const got = [];
    for (let i = 0; i < samples.length; i += 1000) got.push(...await stream.push(samples.subarray(i, i + 1000)));
    let state: Float32Array = new Float32Array(256);
    const want: number[] = [];
    for (let i = 0; i + 512 <= samples.length; i += 512) {
      const out = await session.run({
        input: { dtype: 'float32', dims: [1, 512], data: samples.slice(i, i + 512) }, state: { dtype: 'float32', dims: [2, 1, 128], data: state },
        sr: { dtype: 'int64', dims: [], data: BigInt64Array.from([16000n]) },
      });
      state = out.stateN.data as Float32Array;
      want.push((out.output.data as Float32Array)[0]);
    }
    assert.equal(got.length, want.length);
    got.forEach((r, i) => assert.ok(Math.abs(r.probability - want[i]) < 1e-5, `frame ${i}: ${r.probability} vs ${want[i]}`));
  });

  it('marks the seconds where the synthesised speech is, and only those', async () => {
    const { samples, start, end } = speechInSilence(1, 1.5);
    const mic = resample(samples, 16000, 48000);
    const stream = new AudioTaskStream(task, run, 48000, 'input');
    const results = [];
    for (let i = 0; i < mic.length; i += 4096) results.push(...await stream.push(mic.subarray(i, i + 4096)));
    assert.equal(results.length, Math.floor(samples.length / 512));
    const speaking = results.filter((r) => r.probability >= 0.5);
    assert.ok(speaking.length >= ((end - start) * 16000) / 512 * 0.6, `frames over 0.5: ${speaking.length}`);
    for (const r of speaking) assert.ok(r.time >= start - 0.1 && r.time <= end + 0.15, `speech reported at ${r.time.toFixed(2)} s, outside ${start}–${end.toFixed(2)} s`);
    const peak = results.reduce((a, b) => (b.probability > a.probability ? b : a));
    assert.ok(peak.time >= start && peak.time <= end, `peak at ${peak.time}`);
  });
});
