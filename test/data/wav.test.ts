// WAV data on generated clips (seeded sine + noise at 16 kHz and 8 kHz): decoding, mixdown, resampling quality, framing, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDataRecipe } from '../../src/data/data-recipe.ts';
import { frameCount, type AudioRecipe } from '../../src/data/audio-recipe.ts';
import { openDataSource } from '../../src/data/open-source.ts';
import { resample } from '../../src/data/resample.ts';
import type { DataBatch } from '../../src/data/source.ts';
import { readWav } from '../../src/data/wav.ts';
import { wavSource } from '../../src/data/wav-source.ts';
import { FormatError, UsageError } from '../../src/errors.ts';
import { sineWithNoise, writeWav } from './data-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'ondevice-wav-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function all(batches: AsyncIterable<DataBatch>): Promise<DataBatch[]> {
  const out: DataBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** SNR in dB of `got` against a pure sine of `hz` at `rate` (amplitude `amp`), skipping `edge` samples at each end. */
function sineSnr(got: Float32Array, hz: number, rate: number, amp: number, edge = 200): number {
  let err = 0, sig = 0;
  for (let i = edge; i < got.length - edge; i++) {
    const ideal = amp * Math.sin((2 * Math.PI * hz * i) / rate);
    err += (got[i] - ideal) ** 2;
    sig += ideal ** 2;
  }
  return 10 * Math.log10(sig / err);
}

test('PCM 16-bit and float32 WAVs decode to the samples written (16-bit within one LSB)', () => {
  const clip = sineWithNoise(16000, 0.25, 440, 1);
  writeWav(join(dir, 'pcm16.wav'), [clip], 16000, '16');
  writeWav(join(dir, 'f32.wav'), [clip], 16000, '32f');
  const pcm = readWav(join(dir, 'pcm16.wav'));
  const f32 = readWav(join(dir, 'f32.wav'));
  assert.equal(pcm.sampleRate, 16000);
  assert.equal(pcm.samples.length, clip.length);
  assert.ok(pcm.samples.every((v, i) => Math.abs(v - clip[i]) <= 1.5 / 32768), 'PCM 16 within one step');
  assert.deepEqual(f32.samples, clip);
});

test('stereo is mixed down to the mean of the channels', () => {
  const left = sineWithNoise(8000, 0.25, 300, 2);
  const right = sineWithNoise(8000, 0.25, 700, 3);
  writeWav(join(dir, 'stereo.wav'), [left, right], 8000, '32f');
  const audio = readWav(join(dir, 'stereo.wav'));
  assert.equal(audio.channels, 2);
  assert.ok(audio.samples.every((v, i) => Math.abs(v - (left[i] + right[i]) / 2) < 1e-6));
});

test('resampling 8 kHz ↔ 16 kHz keeps a tone at > 60 dB SNR and removes what the lower rate cannot hold', () => {
  const tone8 = sineWithNoise(8000, 0.5, 440, 0, 0.5, 0);
  const up = resample(tone8, 8000, 16000);
  assert.equal(up.length, 8000);
  const upSnr = sineSnr(up, 440, 16000, 0.5);
  const tone16 = sineWithNoise(16000, 0.5, 440, 0, 0.5, 0);
  const down = resample(tone16, 16000, 8000);
  const downSnr = sineSnr(down, 440, 8000, 0.5);
  assert.ok(upSnr > 60 && downSnr > 60, `SNR up ${upSnr.toFixed(1)} dB, down ${downSnr.toFixed(1)} dB`);
  // A 6 kHz tone at 16 kHz is above 8 kHz's Nyquist (4 kHz): downsampled it must vanish, not alias to 2 kHz.
  const high = resample(sineWithNoise(16000, 0.5, 6000, 0, 0.5, 0), 16000, 8000);
  const rms = Math.sqrt(high.subarray(200, -200).reduce((s, v) => s + v * v, 0) / (high.length - 400));
  assert.ok(rms < 0.5 / Math.SQRT2 / 1000, `aliased residue rms ${rms} (< -60 dB of the tone)`);
});

test('a folder of 16 kHz and 8 kHz clips is resampled to the recipe rate and framed in file then time order', async () => {
  const folder = join(dir, 'clips');
  mkdirSync(folder);
  const a = sineWithNoise(16000, 0.3, 440, 4);
  const b = sineWithNoise(8000, 0.3, 300, 5);
  writeWav(join(folder, 'a.wav'), [a], 16000, '32f');
  writeWav(join(folder, 'b.wav'), [b], 8000, '32f');
  const recipe: AudioRecipe = { input: 'audio', audio: { sampleRate: 16000, frame: 512, hop: 256 } };
  const source = wavSource(folder, recipe);
  assert.deepEqual(source.files.map((f) => f.slice(folder.length + 1)), ['a.wav', 'b.wav']);
  const framesA = frameCount(a.length, 512, 256);
  const bUp = resample(b, 8000, 16000);
  const framesB = frameCount(bUp.length, 512, 256);
  assert.equal(framesA, Math.floor((4800 - 512) / 256) + 1);
  const batches = await all(source.batches(7));
  const rows = batches.flatMap((batch) => Array.from({ length: batch.inputs.audio.dims[0] }, (_, i) => (batch.inputs.audio.data as Float32Array).subarray(i * 512, (i + 1) * 512)));
  assert.equal(rows.length, framesA + framesB);
  assert.ok(batches.slice(0, -1).every((x) => x.inputs.audio.dims[0] === 7));
  assert.deepEqual(rows[3], a.subarray(3 * 256, 3 * 256 + 512));
  assert.deepEqual(rows[framesA + 2], bUp.subarray(2 * 256, 2 * 256 + 512));
  assert.equal((await all(source.batches(4, 10))).reduce((n, x) => n + x.inputs.audio.dims[0], 0), 10, 'limit');
  // Without a sample rate nothing resamples, so the 8 kHz file is refused by name.
  const mixed = wavSource(folder, { input: 'audio', audio: { frame: 512, hop: 512 } });
  await assert.rejects(all(mixed.batches(1000)), (e: unknown) => e instanceof UsageError && e.file === join(folder, 'b.wav') && /8000 Hz, the first file at 16000 Hz/.test(e.message));
});

test('a clip shorter than a frame gives one zero-padded frame; gain scales', async () => {
  const short = sineWithNoise(16000, 0.01, 440, 6);
  writeWav(join(dir, 'short.wav'), [short], 16000, '32f');
  const [batch] = await all(wavSource(join(dir, 'short.wav'), { input: 'audio', audio: { frame: 512, hop: 256, gain: 2 } }).batches(8));
  const data = batch.inputs.audio.data as Float32Array;
  assert.deepEqual(batch.inputs.audio.dims, [1, 512]);
  assert.deepEqual(data.subarray(0, short.length), short.map((v) => v * 2));
  assert.ok(data.subarray(short.length).every((v) => v === 0));
});

test('audio recipes validate; bad WAVs and missing recipes are one clear error naming the file', async () => {
  assert.deepEqual(parseDataRecipe({ input: 'audio', audio: { frame: 400 } }), { input: 'audio', audio: { frame: 400, hop: 400 } });
  assert.throws(() => parseDataRecipe({ input: 'audio', audio: { frame: 0 } }, 'r.json'), (e: unknown) => e instanceof UsageError && e.file === 'r.json' && /'audio.frame' must be a positive integer/.test(e.message));
  assert.throws(() => parseDataRecipe({ input: 'audio', audio: { frame: 4, rate: 1 } }), /unknown field 'audio.rate'/);
  const bad = join(dir, 'bad.wav');
  writeFileSync(bad, 'RIFF not really a wave file');
  await assert.rejects(all(wavSource(bad, { input: 'audio', audio: { frame: 4, hop: 4 } }).batches(1)), (e: unknown) => e instanceof FormatError && e.file === bad);
  const inputs = [{ name: 'audio', dtype: 'float32' as const, shape: [1, 512] }];
  await assert.rejects(openDataSource(join(dir, 'pcm16.wav'), inputs), (e: unknown) => e instanceof UsageError && /\.wav data needs an audio recipe/.test(e.message));
  const source = await openDataSource(join(dir, 'pcm16.wav'), inputs, { recipe: { input: 'audio', audio: { frame: 512, hop: 512 } } });
  assert.equal((await all(source.batches(100))).reduce((n, x) => n + x.inputs.audio.dims[0], 0), Math.floor(4000 / 512));
});
