// A .wav file or a folder of .wav files as a DataSource: each file decoded to mono, resampled, and cut into frames (one example per frame).
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { UsageError } from '../errors.ts';
import { frameCount, type AudioRecipe } from './audio-recipe.ts';
import { examplesToRead, hashFile, newFingerprint } from './batching.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';
import { readWav } from './wav.ts';

/**
 * The .wav files of `path`: the file itself, or every .wav under the folder (recursively), sorted by relative path.
 * @throws UsageError naming the path if it holds no .wav file.
 */
export function listWavs(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((n) => extname(n).toLowerCase() === '.wav')
    .map((n) => join(path, n))
    .filter((f) => statSync(f).isFile())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) throw new UsageError('folder holds no .wav files', { file: path });
  return files;
}

/** True when `dir` is a folder whose files include .wav files (and so is audio data). */
export function holdsWavs(dir: string): boolean {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((n) => extname(n).toLowerCase() === '.wav');
}

/**
 * Frames of the WAV files at `path` as float32 batches [n, frame] for `recipe.input`, in file order then time order.
 * A clip shorter than a frame gives one zero-padded frame; the tail after the last whole frame of a longer clip is dropped.
 * Without `recipe.audio.sampleRate` every file must have the first file's rate.
 * @throws UsageError for a path without .wav files; batches() throws FormatError naming a file that does not decode,
 *   and UsageError naming a file whose rate differs when nothing resamples.
 */
export function wavSource(path: string, recipe: AudioRecipe): TypedDataSource & { files: string[] } {
  const files = listWavs(path);
  const { frame, hop, sampleRate, gain = 1 } = recipe.audio;
  return {
    description: `audio in ${path} (${files.length} .wav file${files.length === 1 ? '' : 's'}, frames of ${frame} every ${hop} samples${sampleRate ? ` at ${sampleRate} Hz` : ''})`,
    files,
    inputs: [{ name: recipe.input, dtype: 'float32', shape: [null, frame] }],
    async fingerprint() {
      const hash = newFingerprint().update(JSON.stringify(recipe));
      for (const f of files) {
        hash.update(`\0${relative(path, f)}\0`);
        await hashFile(hash, f);
      }
      return hash.digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      let remaining = examplesToRead(Infinity, batchSize, limit);
      let data = new Float32Array(batchSize * frame);
      let n = 0;
      let firstRate: number | undefined;
      for (const file of files) {
        if (remaining === 0) break;
        const audio = readWav(file, sampleRate);
        firstRate ??= audio.sampleRate;
        if (audio.sampleRate !== firstRate) {
          throw new UsageError(`sampled at ${audio.sampleRate} Hz, the first file at ${firstRate} Hz: give "sampleRate" in the audio recipe to resample`, { file });
        }
        const frames = Math.min(frameCount(audio.samples.length, frame, hop), remaining);
        for (let f = 0; f < frames; f++) {
          const clip = audio.samples.subarray(f * hop, f * hop + frame);
          for (let i = 0; i < clip.length; i++) data[n * frame + i] = clip[i] * gain;
          n++;
          remaining--;
          if (n === batchSize) {
            yield { inputs: { [recipe.input]: { dtype: 'float32', dims: [n, frame], data } } };
            data = new Float32Array(batchSize * frame);
            n = 0;
          }
        }
      }
      if (n > 0) yield { inputs: { [recipe.input]: { dtype: 'float32', dims: [n, frame], data: data.slice(0, n * frame) } } };
    },
  };
}
