// A live audio task: microphone chunks at any rate → resampled → frames → features → model runs (recurrent state fed back) → per-frame probabilities.
import type { AudioTask } from '../task.ts';
import { audioFeatures } from './features.ts';
import { FrameStream } from './framing.ts';

/** One model input as the injected runner takes it. */
export interface AudioFeed {
  dtype: 'float32' | 'int64';
  data: Float32Array | number[];
  dims: number[];
}

/** Runs the model once: named inputs in, every output (float32) out. */
export type AudioRun = (feeds: Record<string, AudioFeed>) => Promise<Record<string, { data: Float32Array; dims: number[] }>>;

/** One frame's result: its start time in the stream (s), the probability shown (the first output value, or the best class), all scores. */
export interface AudioFrameResult {
  time: number;
  probability: number;
  scores: Float32Array;
}

/**
 * Streaming resampling by area: each output sample is the mean of the input span it covers (a box anti-alias filter when
 * downsampling, e.g. 48 kHz → 16 kHz; sample-and-hold when upsampling). Chunks may have any size; the output is the same
 * as for the whole stream at once.
 */
export class StreamResampler {
  private readonly ratio: number;
  /**
   * Input position where the next output sample's span starts (input sample i covers [i, i+1); output j's span is centred on
   * input position j·ratio + ½, so it has no delay), and its partial sums.
   */
  private next: number;
  private seen = 0;
  private sum = 0;
  private weight = 0;

  constructor(readonly fromRate: number, readonly toRate: number) {
    if (!(fromRate > 0) || !(toRate > 0)) throw new Error(`audio: sample rates must be positive, got ${fromRate} and ${toRate}`);
    this.ratio = fromRate / toRate;
    this.next = 0.5 - this.ratio / 2;
  }

  /** The output samples `chunk` completes. */
  push(chunk: ArrayLike<number>): Float32Array {
    if (this.fromRate === this.toRate) return Float32Array.from(chunk);
    const out: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const g = this.seen + i, x = chunk[i];
      let start = Math.max(g, this.next);
      for (;;) {
        const spanEnd = this.next + this.ratio;
        const end = Math.min(g + 1, spanEnd);
        if (end > start) {
          this.sum += x * (end - start);
          this.weight += end - start;
        }
        if (spanEnd > g + 1) break;
        out.push(this.weight > 0 ? this.sum / this.weight : x);
        this.sum = 0;
        this.weight = 0;
        this.next = spanEnd;
        start = end;
      }
    }
    this.seen += chunk.length;
    return Float32Array.from(out);
  }
}

/** The feeds every run shares: constants, and the recurrent state (zeros at the start). */
function initialState(task: AudioTask): Record<string, AudioFeed> {
  const feeds: Record<string, AudioFeed> = {};
  for (const [name, c] of Object.entries(task.constants ?? {})) {
    const values = Array.isArray(c.value) ? c.value : [c.value];
    feeds[name] = { dtype: c.dtype, data: c.dtype === 'float32' ? Float32Array.from(values) : values, dims: Array.isArray(c.value) ? [values.length] : [] };
  }
  for (const s of task.state ?? []) feeds[s.input] = { dtype: 'float32', data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)), dims: s.shape };
  return feeds;
}

/**
 * Runs an audio task on a live stream: `push` microphone chunks (at `inputRate`), get one result per completed frame.
 * Frames are processed one after another (the recurrent state needs it); features per the task ('raw': [1, frame];
 * 'log-mel': [1, rows, mels]).
 */
export class AudioTaskStream {
  private readonly resampler: StreamResampler;
  private readonly frames: FrameStream;
  private feeds: Record<string, AudioFeed>;
  private index = 0;

  /**
   * @param input the model input the features feed: the task's `input`, else the model's first input (the caller knows it)
   * @param output the output holding the probabilities (default the task's `output`, else the first the model returns)
   */
  constructor(readonly task: AudioTask, private readonly run: AudioRun, inputRate: number, private readonly input: string, private readonly output = task.output) {
    this.resampler = new StreamResampler(inputRate, task.sampleRate);
    this.frames = new FrameStream(task.frame, task.hop);
    this.feeds = initialState(task);
  }

  /** Appends a chunk of samples; runs the model on every frame it completes. */
  async push(chunk: ArrayLike<number>): Promise<AudioFrameResult[]> {
    const results: AudioFrameResult[] = [];
    for (const frame of this.frames.push(this.resampler.push(chunk))) results.push(await this.runFrame(frame));
    return results;
  }

  private async runFrame(frame: Float32Array): Promise<AudioFrameResult> {
    const features = audioFeatures(this.task, frame);
    const f = this.task.features;
    const dims = f && f.kind === 'log-mel' ? [1, features.length / f.mels, f.mels] : [1, features.length];
    const out = await this.run({ ...this.feeds, [this.input]: { dtype: 'float32', data: features, dims } });
    for (const s of this.task.state ?? []) {
      const next = out[s.output];
      if (!next) throw new Error(`audio: the model returned no state output '${s.output}' (it returned ${Object.keys(out).join(', ')})`);
      this.feeds[s.input] = { dtype: 'float32', data: next.data, dims: next.dims };
    }
    const name = this.output ?? Object.keys(out).find((k) => !(this.task.state ?? []).some((s) => s.output === k))!;
    const scores = out[name]?.data;
    if (!scores) throw new Error(`audio: the model returned no output '${name}' (it returned ${Object.keys(out).join(', ')})`);
    const time = (this.index++ * this.task.hop) / this.task.sampleRate;
    return { time, probability: scores.length === 1 ? scores[0] : Math.max(...scores), scores };
  }
}
