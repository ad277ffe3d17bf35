// Audio recipes: how a WAV file becomes model inputs (target sample rate, frame length, hop), declared as JSON.
import { UsageError } from '../errors.ts';

/** WAV → frames: decode to mono, resample to `sampleRate` if given, cut into frames of `frame` samples every `hop`. */
export interface AudioRecipe {
  /** The model input the frames feed. */
  input: string;
  audio: {
    /** Resample every file to this rate (Hz); without it, every file must already share one rate. */
    sampleRate?: number;
    /** Samples per example. */
    frame: number;
    /** Samples between the starts of consecutive frames (default: `frame`, no overlap). */
    hop: number;
    /** Multiply samples (in [-1, 1]) by this (default 1; e.g. 32768 for models trained on int16-scaled audio). */
    gain?: number;
  };
  /** Informational, as in image recipes. */
  output?: string;
}

const AUDIO_KEYS = new Set(['sampleRate', 'frame', 'hop', 'gain']);

/** True when a parsed recipe JSON object describes audio (has an `audio` field). */
export function isAudioRecipeJson(o: Record<string, unknown>): boolean {
  return o.audio !== undefined;
}

/**
 * Validates `{ input, audio: { sampleRate?, frame, hop?, gain? }, output? }`.
 * @throws UsageError naming `file` and the bad field.
 */
export function parseAudioRecipe(o: Record<string, unknown>, file?: string): AudioRecipe {
  const fail = (msg: string): never => {
    throw new UsageError(`bad audio recipe: ${msg}`, { file });
  };
  for (const key of Object.keys(o)) if (!['input', 'audio', 'output'].includes(key)) fail(`unknown field '${key}' (known: input, audio, output)`);
  if (typeof o.input !== 'string' || o.input === '') fail(`'input' must name the model input, got ${JSON.stringify(o.input)}`);
  const a = o.audio;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) fail(`'audio' must be an object { sampleRate, frame, hop }, got ${JSON.stringify(a)}`);
  const audio = a as Record<string, unknown>;
  for (const key of Object.keys(audio)) if (!AUDIO_KEYS.has(key)) fail(`unknown field 'audio.${key}' (known: ${[...AUDIO_KEYS].join(', ')})`);
  const positiveInt = (key: string, v: unknown): number => (Number.isInteger(v) && (v as number) > 0 ? v as number : fail(`'audio.${key}' must be a positive integer, got ${JSON.stringify(v)}`));
  const frame = positiveInt('frame', audio.frame);
  const hop = audio.hop === undefined ? frame : positiveInt('hop', audio.hop);
  const recipe: AudioRecipe = { input: o.input as string, audio: { frame, hop } };
  if (audio.sampleRate !== undefined) recipe.audio.sampleRate = positiveInt('sampleRate', audio.sampleRate);
  if (audio.gain !== undefined) {
    if (typeof audio.gain !== 'number' || !Number.isFinite(audio.gain) || audio.gain === 0) fail(`'audio.gain' must be a non-zero number, got ${JSON.stringify(audio.gain)}`);
    recipe.audio.gain = audio.gain as number;
  }
  if (o.output !== undefined) recipe.output = typeof o.output === 'string' ? o.output : fail(`'output' must be a string, got ${JSON.stringify(o.output)}`);
  return recipe;
}

/** Number of frames a recipe cuts from `length` samples: whole frames only, but at least one (zero-padded) for a short clip. */
export function frameCount(length: number, frame: number, hop: number): number {
  if (length === 0) return 0;
  return length <= frame ? 1 : Math.floor((length - frame) / hop) + 1;
}
