// Test helpers that write real data files: WAV clips (seeded sine + noise) and .npz archives of .npy arrays.
import { createWriteStream, writeFileSync } from 'node:fs';
import wavefile from 'wavefile';
import yazl from 'yazl';
import { encodeNpy } from '../../src/data/npy-format.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** A seeded clip: a sine of `hz` at amplitude `amp` plus uniform noise of amplitude `noise`, `seconds` long. */
export function sineWithNoise(rate: number, seconds: number, hz: number, seed: number, amp = 0.5, noise = 0.05): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate) + noise * (2 * next() - 1);
  return out;
}

/** Writes mono or multi-channel samples in [-1, 1] as a WAV: PCM 16-bit ('16') or 32-bit float ('32f'). */
export function writeWav(path: string, channels: Float32Array[], rate: number, depth: '16' | '32f' = '16'): void {
  const wav = new wavefile.WaveFile();
  const scaled = channels.map((c) => (depth === '16' ? Int16Array.from(c, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)))) : c));
  wav.fromScratch(channels.length, rate, depth, channels.length === 1 ? scaled[0] : scaled);
  writeFileSync(path, wav.toBuffer());
}

/** Writes an .npz holding one `<name>.npy` per entry. */
export function writeNpz(path: string, arrays: Record<string, HostTensor>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, t] of Object.entries(arrays)) zip.addBuffer(Buffer.from(encodeNpy(t)), `${name}.npy`, { compress: true });
  zip.end();
  return new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
}
