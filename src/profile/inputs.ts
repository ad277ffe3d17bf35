// Synthesises profiling inputs from a model's input info: symbolic batch dims set to 1, other dims from --input-shape.
import { UsageError } from '../errors.ts';
import { checkShapeNames, resolveInputShape } from '../ir/input-shapes.ts';
import type { InputValues } from '../ir/input-values.ts';
import { valueFeed } from '../data/with-values.ts';
import { TYPED_ARRAY_OF, type DType } from '../ir/dtype.ts';
import { allocationProblem } from '../ir/size-limit.ts';
import type { HostTensor, IoInfo } from '../runtimes/runtime.ts';
import { mulberry32 } from '../util/random.ts';

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
 * One feed per model input, shaped by `overrides` (name → dims, from `--input-shape`), else by its declared dims with a
 * symbolic batch dim set to 1; other dynamic dims must be given (a shape is never invented). An input in `values`
 * (`--input-value`) is fed that value instead.
 * @throws UsageError for an override naming no input, an input type that cannot be synthesised, or dims that are not sizes or
 * ask for more than the size limit.
 */
export function synthesizeInputs(inputs: readonly IoInfo[], overrides: Record<string, number[]> = {}, seed = 0, values?: InputValues): Record<string, HostTensor> {
  checkShapeNames(overrides, inputs);
  const rand = mulberry32(seed);
  const feeds: Record<string, HostTensor> = {};
  for (const info of inputs) {
    if (values?.has(info.name)) {
      feeds[info.name] = valueFeed(values, info.name);
      continue;
    }
    if (info.dtype === 'unknown') throw new UsageError(`input '${info.name}' is not a tensor: cannot synthesise it for profiling`);
    const dims = resolveInputShape(info, overrides[info.name]);
    const problem = allocationProblem(dims, info.dtype);
    if (problem) throw new UsageError(`cannot synthesise input '${info.name}' for profiling: ${problem}`);
    feeds[info.name] = syntheticTensor(info.dtype, dims, rand);
  }
  return feeds;
}
