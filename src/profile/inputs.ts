// Synthesises profiling inputs from a model's input info: symbolic dims fixed (batch 1) or overridden by --shape.
import { UsageError } from '../errors.ts';
import { TYPED_ARRAY_OF, type DType } from '../ir/dtype.ts';
import type { HostTensor, IoInfo } from '../runtimes/runtime.ts';
import { mulberry32 } from '../util/random.ts';

/**
 * Parses `--shape` values like `input=1x3x224x224` into name → dims.
 * @throws UsageError for a malformed entry.
 */
export function parseShapeOverrides(specs: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of specs) {
    const m = /^([^=]+)=(\d+(?:x\d+)*)$/.exec(spec.trim());
    if (!m) throw new UsageError(`bad --shape '${spec}': expected NAME=DIMxDIMx… (e.g. input=1x3x224x224)`);
    out[m[1]] = m[2].split('x').map(Number);
  }
  return out;
}

/** Concrete dims for one input: the override, else its static dims with symbolic ones set to `symbolicDim`. */
export function concreteDims(info: IoInfo, override: number[] | undefined, symbolicDim = 1): number[] {
  if (override) {
    if (info.shape.length && override.length !== info.shape.length) {
      throw new UsageError(`--shape ${info.name}: the model's input has rank ${info.shape.length}, got ${override.length} dims`);
    }
    info.shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== override[i]) {
        throw new UsageError(`--shape ${info.name}: dim ${i} is fixed at ${d} in the model, got ${override[i]}`);
      }
    });
    return override;
  }
  return info.shape.map((d) => (typeof d === 'number' ? d : symbolicDim));
}


/** A tensor of `dims` filled with seeded values suited to `dtype` (floats in [0,1), small integers, bools). */
function syntheticTensor(dtype: DType, dims: number[], rand: () => number): HostTensor {
  const Ctor = TYPED_ARRAY_OF[dtype];
  if (!Ctor || dtype === 'float16' || dtype === 'bfloat16' || dtype.startsWith('float8')) {
    throw new UsageError(`cannot synthesise ${dtype} inputs for profiling`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new (Ctor as unknown as new (n: number) => HostTensor['data'])(count);
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(r * 8));
    else if (dtype === 'bool') data[i] = r < 0.5 ? 0 : 1;
    else if (dtype.startsWith('float')) data[i] = r;
    else data[i] = Math.floor(r * 8);
  }
  return { dtype, dims, data };
}

/**
 * One feed per model input, shaped by `overrides` (name → dims) or with symbolic dims set to 1.
 * @throws UsageError for an override naming no input, or an input type that cannot be synthesised.
 */
export function synthesizeInputs(inputs: readonly IoInfo[], overrides: Record<string, number[]> = {}, seed = 0): Record<string, HostTensor> {
  for (const name of Object.keys(overrides)) {
    if (!inputs.some((i) => i.name === name)) {
      throw new UsageError(`--shape names '${name}', but the model's inputs are ${inputs.map((i) => i.name).join(', ')}`);
    }
  }
  const rand = mulberry32(seed);
  const feeds: Record<string, HostTensor> = {};
  for (const info of inputs) {
    if (info.dtype === 'unknown') throw new UsageError(`input '${info.name}' is not a tensor: cannot synthesise it for profiling`);
    feeds[info.name] = syntheticTensor(info.dtype, concreteDims(info, overrides[info.name]), rand);
  }
  return feeds;
}
