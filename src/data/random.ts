// Random data shaped like a model's inputs: a last resort for calibration, always announced loudly.
import { UsageError } from '../errors.ts';
import { TYPED_ARRAY_OF, type DType, type TypedArray } from '../ir/dtype.ts';
import type { Dim } from '../ir/graph.ts';
import { allocationProblem } from '../ir/size-limit.ts';
import type { IoInfo } from '../ir/host-tensor.ts';
import { examplesToRead, newFingerprint } from './batching.ts';
import type { DataPurpose } from './fit.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';
import { mulberry32 } from '../util/random.ts';

const REAL_DATA_HINT = '(give real data: mnist:test, an image folder or a .npy/.npz file)';

/** The warning a random source carries and prints (once per process and purpose), by what the data is for. */
export const RANDOM_DATA_WARNINGS: Readonly<Record<DataPurpose, string>> = {
  calibration: `calibrating on random data: accuracy will suffer ${REAL_DATA_HINT}`,
  evaluation: `evaluating on random data: the figures say nothing about real inputs ${REAL_DATA_HINT}`,
};

/** The warning of a random calibration source. */
export const RANDOM_DATA_WARNING = RANDOM_DATA_WARNINGS.calibration;

const warned = new Set<DataPurpose>();

/** Options for {@link randomSource}. */
export interface RandomOptions {
  /** Examples to produce (default 64). */
  count?: number;
  /** PRNG seed, so runs are repeatable (default 0). */
  seed?: number;
  /** Range of float values, [low, high) (default [0, 1)). */
  range?: [number, number];
  /** What the data is for, which picks the warning (default 'calibration'). */
  purpose?: DataPurpose;
}


/** Element types random data can be made for. */
const RANDOM_DTYPES = ['float32', 'float64', 'uint8', 'int8', 'bool', 'int16', 'uint16', 'int32', 'uint32', 'int64'] as const;

/** Integer range [low, high) drawn for integer dtypes. */
const INT_RANGE: Partial<Record<DType, [number, number]>> = { uint8: [0, 256], int8: [-128, 128], bool: [0, 2] };

/** Throws a UsageError naming the input when `n` examples of `dims` cannot be allocated (bad dims, over the size limit). */
function checkSize(name: string, dims: readonly Dim[], dtype: DType, n: number): void {
  const problem = allocationProblem(dims, dtype, n);
  if (problem) throw new UsageError(`random data for input '${name}': ${problem}`);
}

/** Fill a typed array of `dtype` with random values. */
function randomValues(dtype: DType, count: number, next: () => number, range: [number, number]): TypedArray {
  const Ctor = TYPED_ARRAY_OF[dtype]!;
  const out = new Ctor(new ArrayBuffer(count * Ctor.BYTES_PER_ELEMENT), 0, count);
  if (dtype === 'float32' || dtype === 'float64') {
    for (let i = 0; i < count; i++) out[i] = range[0] + next() * (range[1] - range[0]);
  } else {
    const [lo, hi] = INT_RANGE[dtype] ?? [0, 10];
    const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
    for (let i = 0; i < count; i++) {
      const v = lo + Math.floor(next() * (hi - lo));
      out[i] = (big ? BigInt(v) : v) as never;
    }
  }
  return out;
}

/**
 * Random examples for every input in `inputs` (dims after the first must be fixed).
 * Prints its {@link RANDOM_DATA_WARNINGS} entry with console.warn once per process and purpose and returns it as `warning`.
 * @throws UsageError naming an input whose dims are not fixed or whose dtype cannot be generated.
 */
export function randomSource(inputs: readonly IoInfo[], options: RandomOptions = {}): TypedDataSource {
  const { count = 64, seed = 0, range = [0, 1], purpose = 'calibration' } = options;
  const warning = RANDOM_DATA_WARNINGS[purpose];
  const shapes = inputs.map((input) => {
    const rest = input.shape.slice(1);
    if (input.shape.length === 0 || rest.some((d) => typeof d !== 'number')) {
      throw new UsageError(`random data needs fixed dims after the batch dim; input '${input.name}' has [${input.shape.map((d) => d ?? '?').join(',')}]`);
    }
    if (!(RANDOM_DTYPES as readonly string[]).includes(input.dtype)) throw new UsageError(`random data cannot be made for input '${input.name}' of dtype ${input.dtype}`);
    checkSize(input.name, rest, input.dtype as DType, 1);
    return rest as number[];
  });
  if (!warned.has(purpose)) {
    console.warn(`warning: ${warning}`);
    warned.add(purpose);
  }
  return {
    description: `random data (${count} examples, seed ${seed})`,
    count,
    warning,
    inputs: inputs.map((input, i) => ({ name: input.name, dtype: input.dtype, shape: [null, ...shapes[i]] })),
    async fingerprint() {
      return newFingerprint().update(JSON.stringify({ random: { seed, count, range, inputs } })).digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = examplesToRead(count, batchSize, limit);
      const next = mulberry32(seed);
      for (let start = 0; start < total; start += batchSize) {
        const n = Math.min(batchSize, total - start);
        const batch: DataBatch['inputs'] = {};
        inputs.forEach((input, i) => {
          const dims = [n, ...shapes[i]];
          checkSize(input.name, shapes[i], input.dtype as DType, n);
          batch[input.name] = { dtype: input.dtype as DType, dims, data: randomValues(input.dtype as DType, dims.reduce((a, b) => a * b, 1), next, range) };
        });
        yield { inputs: batch };
      }
    },
  };
}
