// Audio task metrics: per-frame probabilities over .wav data (the task's framing and features), frame agreement and accuracy.
import { basename, dirname, relative } from 'node:path';
import { statSync } from 'node:fs';
import { listWavs } from '../../data/wav-source.ts';
import { readWav } from '../../data/wav.ts';
import { UsageError } from '../../errors.ts';
import type { Dim } from '../../ir/graph.ts';
import { frameAgreement } from '../../tasks/audio/events.ts';
import { audioFeatures } from '../../tasks/audio/features.ts';
import { frameSignal } from '../../tasks/audio/framing.ts';
import { AudioTaskStream, type AudioRun } from '../../tasks/audio/stream.ts';
import type { AudioTask } from '../../tasks/task.ts';
import type { AudioEventLabel } from './ground-truth.ts';
import { imageKey } from './ground-truth.ts';
import { floatOutputs, outputRow, type TaskModel } from './models.ts';

/** One model's per-frame figures. */
export interface AudioModelMetrics {
  path: string;
  /** Fraction of frames at or above the threshold. */
  positive: number;
  /** Against the events file (labelled files only): fraction of frames on the right side of the threshold. */
  accuracy?: number;
  /** Candidates: fraction of frames on the same side of the threshold as the reference (`frameAgreement`), and the largest probability difference. */
  agreement?: number;
  maxDifference?: number;
}

/** Audio metrics of a reference and its candidates. */
export interface AudioMetrics {
  task: 'audio';
  files: number;
  frames: number;
  /** Frames in files the events file labels. */
  labelledFrames: number;
  threshold: number;
  models: AudioModelMetrics[];
}

/** The model input dims for one frame of `size` feature values: the input's shape with the batch 1 and one free dim solved. */
function frameDims(shape: readonly Dim[], size: number, model: string, taskFile?: string): number[] {
  const dims = shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 && shape.length > 1 ? 1 : -1));
  const known = dims.filter((d) => d > 0).reduce((a, b) => a * b, 1);
  const free = dims.filter((d) => d < 0).length;
  if (free === 1 && size % known === 0) dims[dims.indexOf(-1)] = size / known;
  if (free > 1 || dims.reduce((a, b) => a * b, 1) !== size) {
    throw new UsageError(`the audio task gives ${size} values per frame, but ${basename(model)}'s input is [${shape.join(', ')}]: check frame and features`, { file: taskFile });
  }
  return dims;
}

/** Per-frame probability: the output's value for the frame (the highest, when it holds several). */
function frameProbability(values: Float32Array): number {
  let best = -Infinity;
  for (const v of values) if (v > best) best = v;
  return best;
}

/**
 * Per-frame probabilities of a model with state or constant inputs: the file's samples (at the task's rate) through
 * `AudioTaskStream` with the task's own frame and hop — exactly what the app feeds it — keeping the first `count` frames.
 */
async function streamed(task: AudioTask, m: TaskModel, samples: Float32Array, count: number): Promise<number[]> {
  const run: AudioRun = async (feeds) => floatOutputs(await m.session.run(Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, f.dtype === 'int64'
    ? { dtype: 'int64' as const, dims: f.dims, data: BigInt64Array.from(f.data as ArrayLike<number>, (v) => BigInt(v)) }
    : { dtype: 'float32' as const, dims: f.dims, data: f.data instanceof Float32Array ? f.data : Float32Array.from(f.data) }]))));
  const stream = new AudioTaskStream(task, run, task.sampleRate, task.input ?? m.session.inputs[0].name);
  const out: number[] = [];
  const chunk = 16384;
  for (let i = 0; i < samples.length && out.length < count; i += chunk) {
    for (const r of await stream.push(samples.subarray(i, i + chunk))) if (out.length < count) out.push(r.probability);
  }
  return out;
}

/**
 * Reads the .wav data at `data` (a file or a folder) at the task's sample rate, frames it (`frameSignal`: frame, hop),
 * computes each frame's features (`audioFeatures`: raw or log-mel) and runs every model (reference first), batches of
 * `batchSize` frames. Per model: the fraction of positive frames (≥ `task.threshold`, default 0.5), accuracy against
 * `events` (a frame is positive when its centre lies in an event), and for candidates `frameAgreement` with the reference.
 * @throws UsageError naming `taskFile` when the task's frame does not fit a model's input, or names an output it lacks.
 */
export async function audioMetrics(task: AudioTask, models: readonly TaskModel[], data: string, options: { events?: ReadonlyMap<string, readonly AudioEventLabel[]>; taskFile?: string; limit?: number; batchSize?: number } = {}): Promise<AudioMetrics> {
  const threshold = task.threshold ?? 0.5;
  const files = listWavs(data);
  const root = statSync(data).isDirectory() ? data : dirname(data);
  const probs: number[][] = models.map(() => []);
  const labels: (0 | 1 | undefined)[] = [];
  const batchSize = options.batchSize ?? 64;
  let dims: number[][] | undefined;
  for (const file of files) {
    if (options.limit !== undefined && labels.length >= options.limit) break;
    const samples = readWav(file, task.sampleRate).samples;
    let frames = frameSignal(samples, task.frame, task.hop);
    if (options.limit !== undefined) frames = frames.slice(0, options.limit - labels.length);
    const events = options.events?.get(imageKey(relative(root, file)));
    frames.forEach((_, k) => {
      const centre = (k * task.hop + task.frame / 2) / task.sampleRate;
      labels.push(events ? (events.some((e) => centre >= e.start && centre < e.end) ? 1 : 0) : undefined);
    });
    if (task.state?.length || task.constants) {
      // Recurrent models (Silero VAD's state) run frame after frame through the app's own stream, the state carried over.
      for (const [k, m] of models.entries()) for (const p of await streamed(task, m, samples, frames.length)) probs[k].push(p);
      continue;
    }
    const features = frames.map((f) => audioFeatures(task, f));
    if (!features.length) continue;
    dims ??= models.map((m) => frameDims(m.session.inputs[0].shape, features[0].length, m.path, options.taskFile));
    for (let start = 0; start < features.length; start += batchSize) {
      const chunk = features.slice(start, start + batchSize);
      const flat = new Float32Array(chunk.length * chunk[0].length);
      chunk.forEach((f, i) => flat.set(f, i * f.length));
      for (const [k, m] of models.entries()) {
        const one = dims[k];
        const batched = one.length > 1 && one[0] === 1;
        const rows = batched ? [{ data: flat, dims: [chunk.length, ...one.slice(1)] }] : chunk.map((f) => ({ data: f, dims: one }));
        for (const feed of rows) {
          const out = floatOutputs(await m.session.run({ [m.session.inputs[0].name]: { dtype: 'float32', ...feed } }));
          const name = task.output ?? Object.keys(out)[0];
          if (!out[name]) throw new UsageError(`the audio task reads output '${name}', but ${basename(m.path)} has ${Object.keys(out).join(', ')}`, { file: options.taskFile });
          const n = feed.dims[0] === chunk.length && batched ? chunk.length : 1;
          for (let r = 0; r < n; r++) probs[k].push(frameProbability(outputRow({ [name]: out[name] }, r, n)[name].data));
        }
      }
    }
  }
  const labelled = labels.flatMap((l, i) => (l === undefined ? [] : [i]));
  return {
    task: 'audio', files: files.length, frames: labels.length, labelledFrames: labelled.length, threshold,
    models: models.map((m, k) => {
      const p = probs[k];
      const out: AudioModelMetrics = { path: m.path, positive: p.length ? p.filter((v) => v >= threshold).length / p.length : 0 };
      if (labelled.length) out.accuracy = labelled.filter((i) => (p[i] >= threshold ? 1 : 0) === labels[i]).length / labelled.length;
      if (k > 0) {
        out.agreement = frameAgreement(probs[0], p, threshold);
        out.maxDifference = p.reduce((s, v, i) => Math.max(s, Math.abs(v - probs[0][i])), 0);
      }
      return out;
    }),
  };
}
