// Test helpers for evaluate: LeNet-5 variants made through the IR (copy, weights rounded to n bits, renamed input, damaged scale).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataSource } from '../../src/data/open-source.ts';
import type { TypedDataSource } from '../../src/data/typed-source.ts';
import { readModel, writeModel } from '../../src/formats/registry.ts';
import type { Model } from '../../src/ir/graph.ts';
import { makeTensor, tensorFloats } from '../../src/ir/tensor.ts';
import { DEFAULT_MODEL } from '../../src/paths.ts';
import type { IoInfo } from '../../src/runtimes/runtime.ts';

export const LENET = DEFAULT_MODEL.path;

/** A temp folder, removed by `dispose()`. */
export function tempDir(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-evaluate-test-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The model's non-initializer inputs as IoInfo. */
export function inputsOf(model: Model): IoInfo[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name))
    .map((v) => ({ name: v.name, dtype: v.type.kind === 'tensor' ? v.type.dtype : 'unknown', shape: v.type.kind === 'tensor' ? v.type.shape ?? [] : [] }));
}

/** MNIST split opened for LeNet-5. */
export async function mnistFor(split: 'test' | 'train' = 'test'): Promise<TypedDataSource> {
  return openDataSource(`mnist:${split}`, inputsOf(await readModel(LENET)));
}

/** Rounds one float initializer through `fn` (values in, values out). */
export function mapInitializer(model: Model, name: string, fn: (v: Float32Array) => Float32Array): void {
  const t = model.graph.initializers.get(name);
  if (!t) throw new Error(`no initializer ${name}`);
  model.graph.initializers.set(name, makeTensor(t.name, t.dtype, t.dims, fn(Float32Array.from(tensorFloats(t)))));
}

/** Symmetric per-tensor rounding to `bits` bits (our own, independent of src/quantize). */
export function roundToBits(bits: number): (v: Float32Array) => Float32Array {
  return (v) => {
    const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const levels = 2 ** (bits - 1) - 1;
    const scale = max / levels || 1;
    return v.map((x) => Math.round(x / scale) * scale);
  };
}

/** LeNet-5 with every Conv weight rounded to `bits` bits, written to `path`. */
export async function writeRoundedLenet(path: string, bits: number): Promise<void> {
  const model = await readModel(LENET);
  for (const n of model.graph.nodes) if (n.op === 'Conv') mapInitializer(model, n.inputs[1], roundToBits(bits));
  await writeModel(model, path);
}
