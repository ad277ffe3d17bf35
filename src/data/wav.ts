// WAV files decoded (by the `wavefile` package) to mono float32 samples in [-1, 1] (PCM 8/16/24/32-bit or float), resampled on request.
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { FormatError, UsageError } from '../errors.ts';
import { resample } from './resample.ts';

/** Decoded audio: mono samples in [-1, 1] and their rate. */
export interface Audio {
  samples: Float32Array;
  sampleRate: number;
  /** Channels in the file (mixed down to mono by averaging). */
  channels: number;
}

/** Full scale of integer PCM by bit-depth code (8-bit is unsigned, offset 128). */
const FULL_SCALE: Record<string, number> = { '8': 128, '16': 32768, '24': 8388608, '32': 2147483648 };

/**
 * Reads a .wav file: PCM 8/16/24/32-bit integer or 32/64-bit float, any channel count (averaged to mono), resampled to
 * `sampleRate` when given and different ({@link resample}: wavefile's own resampler measured only 20–34 dB SNR on a tone).
 * @throws UsageError for an unreadable file; FormatError('wav', …) naming the file for a bad or compressed WAV.
 */
export function readWav(path: string, sampleRate?: number): Audio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read .wav file: ${(e as Error).message}`, { file: path, cause: e });
  }
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw new FormatError('wav', `not a readable WAV file: ${(e as Error).message}`, { file: path, cause: e });
  }
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; audioFormat: number };
  const depth = wav.bitDepth;
  if (FULL_SCALE[depth] === undefined && depth !== '32f' && depth !== '64') {
    throw new FormatError('wav', `unsupported sample format (bit depth '${depth}', format code ${fmt.audioFormat}); expected PCM 8/16/24/32-bit or float`, { file: path });
  }
  if (!(fmt.sampleRate > 0) || !(fmt.numChannels > 0)) throw new FormatError('wav', `bad header: ${fmt.numChannels} channels at ${fmt.sampleRate} Hz`, { file: path });
  const mono = toMonoFloats(wav.getSamples(true, Float64Array) as Float64Array, fmt.numChannels, depth);
  const rate = sampleRate ?? fmt.sampleRate;
  return { samples: rate === fmt.sampleRate ? mono : resample(mono, fmt.sampleRate, rate), sampleRate: rate, channels: fmt.numChannels };
}

/** Averages interleaved channels and scales integer PCM to [-1, 1). */
function toMonoFloats(interleaved: Float64Array, channels: number, depth: string): Float32Array {
  const scale = FULL_SCALE[depth] ?? 1;
  const offset = depth === '8' ? 128 : 0;
  const frames = Math.floor(interleaved.length / channels);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c] - offset;
    out[f] = sum / channels / scale;
  }
  return out;
}
