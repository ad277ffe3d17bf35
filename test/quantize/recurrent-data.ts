// Test helper: real inputs for the recurrent fixtures of test/fixtures/torch (MNIST rows as sequences, seeded audio).
import type { DataBatch, DataSource } from '../../src/data/source.ts';
import { loadMnist, type MnistSplit } from '../../src/data/mnist.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { mulberry32, seededFloats } from '../../src/util/random.ts';

/** One example: a tensor per model input, and its MNIST label when there is one. */
export interface Example {
  inputs: Record<string, HostTensor>;
  label?: number;
}

const f32 = (dims: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', dims, data });

/**
 * MNIST images of a split, from image `start`, as the fixtures were trained on them: 28 rows of 28 normalised pixels,
 * x [1, 28, 28]. `extra` adds inputs per example (the LSTM's h0/c0, if.onnx's flag).
 */
export function* mnistRowExamples(split: MnistSplit, start: number, count: number, extra: (i: number) => Record<string, HostTensor> = () => ({})): Generator<Example> {
  const mnist = loadMnist(split, { limit: start + count });
  const px = 28 * 28;
  for (let i = start; i < start + count; i++) {
    const x = Float32Array.from(mnist.images.subarray(i * px, (i + 1) * px), (p) => (p / 255 - 0.1307) / 0.3081);
    yield { inputs: { x: f32([1, 28, 28], x), ...extra(i) }, label: mnist.labels[i] };
  }
}

/** Zero h0/c0 states [1, 1, 64] (the LSTM fixture's), or seeded small ones (|v| < 0.5) when `seed` is given. */
export function lstmStates(seed?: number): Record<string, HostTensor> {
  const state = (s: number) => {
    if (seed === undefined) return new Float32Array(64);
    const next = mulberry32(s);
    return Float32Array.from({ length: 64 }, () => (next() - 0.5));
  };
  return { h0: f32([1, 1, 64], state(seed ?? 0)), c0: f32([1, 1, 64], state((seed ?? 0) + 1)) };
}

/** if.onnx's bool scalar input. */
export function flag(value: boolean): Record<string, HostTensor> {
  return { flag: { dtype: 'bool', dims: [], data: Uint8Array.of(value ? 1 : 0) } };
}

/**
 * vad.onnx inputs: 512 samples of a seeded sine (80–800 Hz, amplitude 0.05–0.5) plus white noise, a seeded state
 * [2, 1, 64] (|v| < 0.25), and the sample rate (16000 takes the If's then-branch, 8000 the else-branch).
 */
export function* vadExamples(seed: number, count: number, sampleRate: (i: number) => number = () => 16000): Generator<Example> {
  const next = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const sr = sampleRate(i);
    const freq = 80 + next() * 720, amp = 0.05 + next() * 0.45, noise = 0.02 + next() * 0.1, phase = next() * 2 * Math.PI;
    const audio = Float32Array.from({ length: 512 }, (_, t) => amp * Math.sin(phase + (2 * Math.PI * freq * t) / sr) + noise * (2 * next() - 1));
    const state = Float32Array.from({ length: 128 }, () => (next() - 0.5) * 0.5);
    yield { inputs: { audio: f32([1, 512], audio), state: f32([2, 1, 64], state), sr: { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(sr)) } } };
  }
}

/** shared_if.onnx inputs: x [1, 64] seeded in [-2, 2), and the flag alternating from true (both branches run). */
export function* sharedIfExamples(seed: number, count: number): Generator<Example> {
  for (let i = 0; i < count; i++) yield { inputs: { x: f32([1, 64], seededFloats(64, seed * 100_003 + i, -2, 2)), ...flag(i % 2 === 0) } };
}

/** A calibration DataSource over examples of batch 1 (the fixtures' fixed batch), made afresh for every pass over it. */
export function exampleSource(description: string, count: number, examples: () => Iterable<Example>): DataSource {
  return {
    description,
    count,
    fingerprint: async () => description,
    async *batches(_batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      let n = 0;
      for (const e of examples()) {
        if (limit !== undefined && n >= limit) return;
        n++;
        yield { inputs: e.inputs, ...(e.label !== undefined ? { labels: [e.label] } : {}) };
      }
    },
  };
}

/** PSNR floor for int8-dynamic models, whose figures depend on the host's integer kernels (AVX2 saturates, VNNI does not). */
export const INT8_DYNAMIC_FLOOR = 20;
