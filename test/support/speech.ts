// The synthesised-speech fixture (espeak-ng "hello, on device", 16 kHz) placed in silence: a signal with known speech seconds.
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

/** The fixture's samples at 16 kHz in [-1, 1]. */
export function speechSamples(): Float32Array {
  const w = new wavefile.WaveFile(readFileSync(new URL('../fixtures/speech/hello-on-device.wav', import.meta.url)));
  return Float32Array.from(w.getSamples(false, Int16Array) as unknown as Int16Array, (v) => v / 32768);
}

/** `before` s of silence, the speech, `after` s of silence at 16 kHz (a faint noise floor so the silence is not digital zero), and where the speech is (s). */
export function speechInSilence(before = 1, after = 1.5): { samples: Float32Array; start: number; end: number } {
  const speech = speechSamples();
  const samples = new Float32Array(Math.round(16000 * before) + speech.length + Math.round(16000 * after));
  let seed = 1;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    samples[i] = (seed / 2147483648 - 0.5) * 0.002;
  }
  const at = Math.round(16000 * before);
  for (let i = 0; i < speech.length; i++) samples[at + i] += speech[i];
  return { samples, start: before, end: before + speech.length / 16000 };
}

/** 16-bit mono WAV bytes of `samples` at `rate`. */
export function wavBytes(samples: Float32Array, rate: number): Uint8Array {
  const w = new wavefile.WaveFile();
  w.fromScratch(1, rate, '16', Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767)))));
  return w.toBuffer();
}

/** Silero VAD v5 (snakers4/silero-vad, MIT), as the npm package @ricky0123/vad-web (ISC) ships it. */
export const SILERO_V5 = 'node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx';

/** Silero VAD v5 as a task: 512-sample frames at 16 kHz, state [2,1,128] carried over, sr a constant. */
export const SILERO_TASK = {
  task: 'audio', sampleRate: 16000, frame: 512, hop: 512, features: { kind: 'raw' }, input: 'input', output: 'output',
  state: [{ input: 'state', output: 'stateN', shape: [2, 1, 128] }], constants: { sr: { dtype: 'int64', value: 16000 } }, threshold: 0.5,
};
