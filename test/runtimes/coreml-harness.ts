// Differential harness for the MIL reference executor: one MIL op and its ONNX equivalent, same inputs, onnxruntime as the reference.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelBuilder } from '../../src/ir/builder.ts';
import type { DType } from '../../src/ir/dtype.ts';
import type { HostTensor } from '../../src/ir/host-tensor.ts';
import { floatToHalf } from '../../src/ir/half.ts';
import { halfToFloat } from '../../src/ir/tensor.ts';
import { writeModel } from '../../src/formats/registry.ts';
import type { CoreMlModel, MilBinding, MilDtype, MilOperation, MilTensorType } from '../../src/formats/coreml/program.ts';
import { runMilProgram } from '../../src/runtimes/coreml/executor.ts';
import { ortNodeRuntime } from '../../src/runtimes/ort-node.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Compute type of a case run. */
export type FloatT = 'fp32' | 'fp16';

/** A random input or weight: its shape and the kind of values. */
export interface DataSpec {
  shape: number[];
  /** float: uniform [-1, 1) (default); positive: [0.1, 2); ints: integers in [-3, 3]; bool: 0/1; halves: multiples of 0.5 in [-3, 3]. */
  kind?: 'float' | 'positive' | 'ints' | 'bool' | 'halves' | 'int32';
  /** Scale applied to float values. */
  scale?: number;
}

/** MIL-side helpers a case uses to bind parameters. */
export interface MilHelpers {
  T: FloatT;
  /** A function input by name. */
  x(name: string): MilBinding;
  /** A random weight as an inline constant of type T. */
  w(name: string): MilBinding;
  /** A float scalar / vector of type T. */
  f(v: number): MilBinding;
  fs(...v: number[]): MilBinding;
  /** int32 scalar / vector. */
  i(v: number): MilBinding;
  is(...v: number[]): MilBinding;
  /** string, bool scalar, bool vector. */
  s(v: string): MilBinding;
  b(v: boolean): MilBinding;
  bs(...v: boolean[]): MilBinding;
  /** A const of an explicit type and data. */
  c(dtype: MilDtype, shape: number[], data: unknown): MilBinding;
}

/** ONNX-side helpers: initializer names. */
export interface OnnxHelpers {
  /** A random weight (the same values the MIL side uses) as a float32 initializer. */
  w(name: string): string;
  i64(...v: number[]): string;
  f32(...v: number[]): string;
  /** An initializer of any dtype. */
  t(dtype: DType, dims: number[], data: Parameters<ModelBuilder['initializer']>[3]): string;
}

/** One differential case: a single MIL op against an ONNX (sub)graph. */
export interface OpCase {
  name: string;
  inputs: Record<string, number[] | DataSpec>;
  weights?: Record<string, number[] | DataSpec>;
  /** The MIL op: type, parameters, and output dtypes (default T for every output). */
  mil(h: MilHelpers): { type: string; params: Record<string, MilBinding | MilBinding[]>; outDtypes?: MilDtype[] };
  /** Builds the ONNX equivalent; returns its output names (one per MIL output). */
  onnx(b: ModelBuilder, h: OnnxHelpers): string[];
  /** Which compute types to run (default both). */
  types?: FloatT[];
  /** Extra relative tolerance (fp32 default 1e-5 of the largest output). */
  tol32?: number;
  opset?: number;
}

/** Outcome of a case: the values both sides computed, and what the fp16 checks found. */
export interface CaseResult {
  got: Float64Array[];
  want: Float64Array[];
  /** Op outputs of dtype fp16 that held a value not representable in float16 (must be 0). */
  unroundedFp16: number;
}

const spec = (s: number[] | DataSpec): DataSpec => (Array.isArray(s) ? { shape: s } : s);
const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

/** Random data of a spec; float values rounded to half for fp16 runs so both sides see the same numbers. */
function randomData(s: DataSpec, T: FloatT, rnd: () => number): Float32Array {
  const n = size(s.shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    switch (s.kind ?? 'float') {
      case 'float': out[i] = (r * 2 - 1) * (s.scale ?? 1); break;
      case 'positive': out[i] = (0.1 + r * 1.9) * (s.scale ?? 1); break;
      case 'ints': case 'int32': out[i] = Math.floor(r * 7) - 3; break;
      case 'halves': out[i] = (Math.floor(r * 13) - 6) / 2; break;
      case 'bool': out[i] = r < 0.5 ? 0 : 1; break;
    }
  }
  if (T === 'fp16') for (let i = 0; i < n; i++) out[i] = halfToFloat(floatToHalf(out[i]));
  return out;
}

function halfBits(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from(values as ArrayLike<number>, (v) => floatToHalf(v));
}

/** Values of a HostTensor as doubles (float16 bits decoded). */
export function hostValues(t: HostTensor): Float64Array {
  if (t.dtype === 'float16') return Float64Array.from(t.data as Uint16Array, halfToFloat);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return Float64Array.from(t.data, (v) => Number(v));
  return Float64Array.from(t.data as ArrayLike<number>);
}

/** A one-function ML Program (iOS 18 opset). */
export function milModel(inputs: { name: string; type: MilTensorType }[], operations: MilOperation[], outputs: string[]): CoreMlModel {
  return {
    specificationVersion: 9,
    description: { inputs: [], outputs: [], metadata: { userDefined: {} } },
    program: { version: 1, functions: { main: { inputs, opset: 'CoreML8', operations, outputs } }, attributes: {} },
  };
}

/** Runs an ONNX model in onnxruntime-node. */
async function runOnnx(b: ModelBuilder, feeds: Record<string, HostTensor>, dir: string, name: string): Promise<HostTensor[]> {
  const model = b.build();
  const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '_')}.onnx`);
  await writeModel(model, file);
  const session = await ortNodeRuntime.load(file, { threads: 1 });
  try {
    const out = await session.run(feeds);
    return model.graph.outputs.map((o) => out[o.name]);
  } finally {
    await session.release();
  }
}

/** A temp folder for the ONNX models of a test file. */
export function tempFolder(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-coreml-exec-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when v is exactly a float16 value. */
export function isHalf(v: number): boolean {
  return Number.isNaN(v) || halfToFloat(floatToHalf(v)) === v;
}

/** Runs a case in compute type T on both sides and returns their outputs. */
export async function runCase(c: OpCase, T: FloatT, dir: string, seed = 1234): Promise<CaseResult> {
  const rnd = mulberry32(seed);
  const inputData = Object.fromEntries(Object.entries(c.inputs).map(([k, s]) => [k, { s: spec(s), v: randomData(spec(s), T, rnd) }]));
  const weightData = Object.fromEntries(Object.entries(c.weights ?? {}).map(([k, s]) => [k, { s: spec(s), v: randomData(spec(s), T, rnd) }]));
  const floatConst = (shape: number[], v: ArrayLike<number>): MilBinding => ({
    value: T === 'fp16' ? { type: { dtype: 'fp16', shape }, data: halfBits(v) } : { type: { dtype: 'fp32', shape }, data: Float32Array.from(v) },
  });
  const h: MilHelpers = {
    T,
    x: (name) => ({ name }),
    w: (name) => floatConst(weightData[name].s.shape, weightData[name].v),
    f: (v) => floatConst([], [v]),
    fs: (...v) => floatConst([v.length], v),
    i: (v) => ({ value: { type: { dtype: 'int32', shape: [] }, data: Int32Array.of(v) } }),
    is: (...v) => ({ value: { type: { dtype: 'int32', shape: [v.length] }, data: Int32Array.from(v) } }),
    s: (v) => ({ value: { type: { dtype: 'string', shape: [] }, data: [v] } }),
    b: (v) => ({ value: { type: { dtype: 'bool', shape: [] }, data: Uint8Array.of(v ? 1 : 0) } }),
    bs: (...v) => ({ value: { type: { dtype: 'bool', shape: [v.length] }, data: Uint8Array.from(v, (x) => (x ? 1 : 0)) } }),
    c: (dtype, shape, data) => ({ value: { type: { dtype, shape }, data: data as never } }),
  };
  const b = new ModelBuilder({ opset: c.opset ?? 17 });
  const onnxFeeds: Record<string, HostTensor> = {};
  const milInputs: { name: string; type: MilTensorType }[] = [];
  const milFeeds: Record<string, HostTensor> = {};
  for (const [name, { s, v }] of Object.entries(inputData)) {
    const kind = s.kind ?? 'float';
    if (kind === 'bool') {
      b.input(name, 'bool', s.shape);
      const data = Uint8Array.from(v);
      onnxFeeds[name] = { dtype: 'bool', dims: s.shape, data };
      milFeeds[name] = onnxFeeds[name];
      milInputs.push({ name, type: { dtype: 'bool', shape: s.shape } });
    } else if (kind === 'int32') {
      b.input(name, 'int32', s.shape);
      onnxFeeds[name] = { dtype: 'int32', dims: s.shape, data: Int32Array.from(v) };
      milFeeds[name] = onnxFeeds[name];
      milInputs.push({ name, type: { dtype: 'int32', shape: s.shape } });
    } else {
      b.input(name, 'float32', s.shape);
      onnxFeeds[name] = { dtype: 'float32', dims: s.shape, data: v };
      milFeeds[name] = T === 'fp16' ? { dtype: 'float16', dims: s.shape, data: halfBits(v) } : onnxFeeds[name];
      milInputs.push({ name, type: { dtype: T, shape: s.shape } });
    }
  }
  const o: OnnxHelpers = {
    w: (name) => b.initializer(name, 'float32', weightData[name].s.shape, weightData[name].v),
    i64: (...v) => b.initializer('i64', 'int64', [v.length], BigInt64Array.from(v, (x) => BigInt(x))),
    f32: (...v) => b.initializer('f32', 'float32', [v.length], Float32Array.from(v)),
    t: (dtype, dims, data) => b.initializer('t', dtype, dims, data),
  };
  const outs = c.onnx(b, o);
  for (const name of outs) b.output(name);
  const reference = await runOnnx(b, onnxFeeds, dir, `${c.name}_${T}`);
  const { type, params, outDtypes } = c.mil(h);
  const op: MilOperation = {
    type,
    inputs: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    outputs: reference.map((r, i) => ({ name: `out${i}`, type: { dtype: outDtypes?.[i] ?? T, shape: [...r.dims] } })),
    attributes: {},
  };
  let unroundedFp16 = 0;
  const result = runMilProgram(milModel(milInputs, [op], op.outputs.map((x) => x.name)), milFeeds, {
    onOp: (_, values) => {
      for (const v of values) if (v.kind === 'tensor' && v.dtype === 'fp16') for (const x of v.data as Float32Array) if (!isHalf(x)) unroundedFp16++;
    },
  });
  return {
    got: op.outputs.map((x) => hostValues(result[x.name])),
    want: reference.map(hostValues),
    unroundedFp16,
  };
}

/**
 * Asserts each output matches: fp32 within `tol32` of the largest magnitude; fp16 within half a float16 ulp of the
 * reference (round to nearest) plus the float32 slack — a kernel that truncated or skipped rounding fails.
 */
export function assertClose(r: CaseResult, T: FloatT, name: string, tol32 = 1e-5): void {
  assert.equal(r.got.length, r.want.length, `${name}: output count`);
  assert.equal(r.unroundedFp16, 0, `${name}: fp16 op outputs not rounded to half`);
  r.got.forEach((got, k) => {
    const want = r.want[k];
    assert.equal(got.length, want.length, `${name}: output ${k} size`);
    let maxAbs = 0;
    for (const v of want) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
    const atol = tol32 * Math.max(maxAbs, 1e-3);
    for (let i = 0; i < want.length; i++) {
      const g = got[i];
      const w = want[i];
      if (Number.isNaN(w) && Number.isNaN(g)) continue;
      if (w === g) continue;
      const allowed = T === 'fp32' ? atol + tol32 * Math.abs(w) : 2 ** -11 * Math.abs(w) * 1.002 + atol + 2 ** -25;
      if (!(Math.abs(g - w) <= allowed)) {
        assert.fail(`${name} (${T}) output ${k}[${i}]: got ${g}, onnxruntime ${w} (|diff| ${Math.abs(g - w)} > ${allowed})`);
      }
    }
  });
}
