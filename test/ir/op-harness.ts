// Builds single-node models from op cases, infers them, and runs them in onnxruntime-node for a differential check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { ModelBuilder, type AttrValue } from '../../src/ir/builder.ts';
import type { DType } from '../../src/ir/dtype.ts';
import type { Dim, Model } from '../../src/ir/graph.ts';
import { inferTypes } from '../../src/ir/infer.ts';
import { writeModel } from '../../src/formats/registry.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** One input of a case: a graph input fed with random data, or a constant (initializer) when `values` is given. */
export interface InputSpec {
  dtype: DType;
  shape: Dim[];
  values?: number[];
}

/** A single-node inference case; `expect` holds the output shapes the ONNX spec formulas give. */
export interface OpCase {
  name: string;
  op: string;
  domain?: string;
  opset?: number;
  inputs: (InputSpec | null)[];
  attrs?: Record<string, AttrValue>;
  outputs?: number;
  expect: (Dim[] | undefined)[];
  expectDtypes?: DType[];
  /** Skip the onnxruntime run (ops ORT lacks). Symbolic dims run with {@link SYMBOL_SIZES}. */
  noRuntime?: boolean;
}

/** Shorthand for a graph input. */
export const t = (dtype: DType, shape: Dim[]): InputSpec => ({ dtype, shape });
/** Shorthand for a float32 graph input. */
export const f32 = (...shape: Dim[]): InputSpec => ({ dtype: 'float32', shape });
/** Shorthand for a constant int64 tensor (1-D unless `shape` is given). */
export const i64 = (values: number[], shape: number[] = [values.length]): InputSpec => ({ dtype: 'int64', shape, values });
/** Shorthand for a constant float32 tensor. */
export const cf32 = (values: number[], shape: number[] = [values.length]): InputSpec => ({ dtype: 'float32', shape, values });

/** Seeded, so every run feeds the same data (a failure reproduces). */
const random = mulberry32(0x0de71ce);

function typedArray(dtype: DType, count: number, values?: number[]) {
  const pick = (i: number, draw: () => number) => (values ? values[i] : draw());
  const small = () => Math.floor(random() * 3);
  switch (dtype) {
    case 'float32': return Float32Array.from({ length: count }, (_, i) => pick(i, () => random() * 2 - 1));
    case 'int64': return BigInt64Array.from({ length: count }, (_, i) => BigInt(pick(i, small)));
    case 'int32': return Int32Array.from({ length: count }, (_, i) => pick(i, small));
    case 'uint8': return Uint8Array.from({ length: count }, (_, i) => pick(i, small));
    case 'int8': return Int8Array.from({ length: count }, (_, i) => pick(i, small));
    case 'bool': return Uint8Array.from({ length: count }, (_, i) => pick(i, () => Math.round(random())));
    default: throw new Error(`op harness: no data for ${dtype}`);
  }
}

/** Sizes fed for symbolic dims when a case runs in the runtime. */
export const SYMBOL_SIZES: Record<string, number> = { b: 2, n: 5, m: 3, h: 7, w: 9 };

/** The concrete dims fed for a (possibly symbolic) shape. */
export function concrete(shape: Dim[]): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && d in SYMBOL_SIZES) return SYMBOL_SIZES[d];
    throw new Error(`op harness: no size for dim ${String(d)}`);
  });
}

const elements = (shape: Dim[]) => concrete(shape).reduce((a, d) => a * d, 1);

/** The single-node model of a case; outputs are declared with no type (build() infers them). */
export function buildCase(c: OpCase): Model {
  const b = new ModelBuilder({ opset: c.opset ?? 17, domains: c.domain ? { [c.domain]: 1 } : undefined });
  const names = c.inputs.map((spec, i) => {
    if (!spec) return '';
    if (spec.values) return b.initializer(`in${i}`, spec.dtype, spec.shape as number[], typedArray(spec.dtype, elements(spec.shape), spec.values));
    return b.input(`in${i}`, spec.dtype, spec.shape);
  });
  const outs = b.node(c.op, names, c.attrs ?? {}, { name: 'node', domain: c.domain, outputs: (c.outputs ?? 1) });
  for (const o of outs) b.output(o);
  return b.build({ inferOutputs: false });
}

/** Inferred output types of a case's node. */
export function inferCase(c: OpCase): { model: Model; shapes: (Dim[] | undefined)[]; dtypes: (DType | undefined)[] } {
  const model = buildCase(c);
  const types = inferTypes(model);
  const outs = model.graph.nodes[0].outputs.map((o) => types.get(o));
  return {
    model,
    shapes: outs.map((t) => (t?.kind === 'tensor' ? t.shape : undefined)),
    dtypes: outs.map((t) => (t?.kind === 'tensor' ? t.dtype : undefined)),
  };
}

/** Declares each graph output with the inferred dtype (no shape), so the runtime decides shapes itself. */
function declareDtypes(model: Model, dtypes: (DType | undefined)[]): void {
  model.graph.outputs.forEach((o, i) => {
    const dtype = dtypes[i];
    if (dtype) o.type = { kind: 'tensor', dtype };
  });
}

/** A temp dir for model files, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ondevice-ir-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes the case's model and runs it in onnxruntime-node; returns ORT's output dims and types. */
export async function runCase(c: OpCase, dir: string, dtypes: (DType | undefined)[]): Promise<{ dims: number[][]; types: string[] }> {
  const model = buildCase(c);
  declareDtypes(model, dtypes);
  const file = join(dir, `${c.name.replace(/[^a-z0-9]+/gi, '_')}.onnx`);
  await writeModel(model, file);
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    c.inputs.forEach((spec, i) => {
      if (!spec || spec.values) return;
      const dims = concrete(spec.shape);
      feeds[`in${i}`] = new ort.Tensor(spec.dtype as ort.Tensor.Type, typedArray(spec.dtype, elements(dims)) as never, dims);
    });
    const results = await session.run(feeds);
    const outs = model.graph.outputs.map((o) => results[o.name]);
    return { dims: outs.map((r) => [...r.dims]), types: outs.map((r) => r.type) };
  } finally {
    await session.release();
  }
}
