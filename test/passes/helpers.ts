// Test helpers for passes: run IR models in onnxruntime-node from memory, deterministic inputs, diffs.
import ort from 'onnxruntime-node';
import type { Model } from '../../src/ir/graph.ts';
import type { TypedArray } from '../../src/ir/dtype.ts';
import { decodeOnnx, encodeOnnx } from '../../src/formats/onnx/index.ts';
export { seededFloats } from '../../src/util/random.ts';

/** One input or output tensor. */
export interface Feed {
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

/** An independent deep copy of a model (through ONNX bytes). */
export function cloneModel(model: Model): Model {
  return decodeOnnx(encodeOnnx(model), '<clone>', { eagerExternalData: true });
}

/** Runs a model in onnxruntime-node (graph optimisations off, so ORT itself does not fold anything). */
export async function runModel(model: Model, feeds: Record<string, Feed>): Promise<Record<string, TypedArray>> {
  const session = await ort.InferenceSession.create(encodeOnnx(model), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof BigInt64Array ? 'int64' : 'int32';
      ortFeeds[name] = new ort.Tensor(type, f.data, f.dims);
    }
    const result = await session.run(ortFeeds);
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.data as TypedArray]));
  } finally {
    await session.release();
  }
}


/** Largest absolute difference between two equally long arrays (Infinity if lengths differ). */
export function maxAbsDiff(a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Largest |a-b| relative to the largest |a| (normwise relative error, robust to values near zero). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < a.length; i++) peak = Math.max(peak, Math.abs(a[i]));
  return maxAbsDiff(a, b) / (peak || 1);
}

/** Node count per op type. */
export function opCount(model: Model, op: string): number {
  return model.graph.nodes.filter((n) => n.op === op).length;
}

/**
 * Runs `before` (a copy taken before the pass) and `after` on the same feeds and returns, per
 * output of `before`, the max abs difference (outputs missing after the pass count as Infinity).
 */
export async function diffOutputs(before: Model, after: Model, feeds: Record<string, Feed>): Promise<Record<string, number>> {
  const a = await runModel(before, feeds);
  const b = await runModel(after, feeds);
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k] ? maxAbsDiff(a[k] as Float32Array, b[k] as Float32Array) : Infinity]));
}
