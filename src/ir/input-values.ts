// Input values given on the command line (`--input-value NAME=v` or `NAME=v1,v2,…`): parsed once, typed and shaped from the model's inputs.
import { UsageError } from '../errors.ts';
import { TYPED_ARRAY_OF, type DType, type TypedArray } from './dtype.ts';
import type { IoInfo } from './host-tensor.ts';
import { elementCount, makeTensor, type Tensor } from './tensor.ts';

/** Fixed values by input name (e.g. `sr` → int64 scalar 16000): fed on every example, folded by compile. */
export type InputValues = Map<string, Tensor>;

/** Element types an input value may have (the numeric ones with a typed array, plus bool). */
const VALUE_DTYPES: readonly DType[] = ['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'];

/**
 * Parses `NAME=v` or `NAME=v1,v2,…` (repeatable, or `;`-separated) against the model's inputs. Values are cast to the
 * input's dtype (bool takes true/false/1/0; integer types take integers only). The shape is the input's static shape
 * (one value fills it, or exactly as many values as it has elements); an input with dynamic dims gets a scalar for one
 * value and a 1-D tensor otherwise, as far as its rank allows.
 * @throws UsageError naming the input for an unknown name, a repeated name, a wrong count or a bad number.
 */
export function parseInputValues(specs: readonly string[], inputs: readonly IoInfo[]): InputValues {
  const out: InputValues = new Map();
  for (const spec of specs.flatMap((s) => s.split(';')).map((s) => s.trim()).filter(Boolean)) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input-value expects NAME=V or NAME=V1,V2,…, got '${spec}'`);
    const name = spec.slice(0, eq).trim();
    const input = inputs.find((i) => i.name === name);
    if (!input) throw new UsageError(`--input-value names '${name}', which is not a model input (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    if (out.has(name)) throw new UsageError(`--input-value gives input '${name}' twice`);
    out.set(name, inputValueTensor(input, spec.slice(eq + 1).split(',').map((v) => v.trim())));
  }
  return out;
}

/**
 * The tensor `texts` give for `input`: cast to its dtype, shaped from its declared dims. `flag` names the source in
 * errors (default `--input-value NAME`).
 */
export function inputValueTensor(input: IoInfo, texts: readonly string[], flag = `--input-value ${input.name}`): Tensor {
  const dtype = input.dtype;
  if (dtype === 'unknown' || !VALUE_DTYPES.includes(dtype)) {
    throw new UsageError(`${flag}: input '${input.name}' is ${dtype}; values can be given for ${VALUE_DTYPES.join(', ')} inputs`);
  }
  const dims = valueDims(input, texts.length, flag);
  const Ctor = TYPED_ARRAY_OF[dtype]!;
  const data = new Ctor(new ArrayBuffer(elementCount(dims) * Ctor.BYTES_PER_ELEMENT), 0, elementCount(dims));
  const parsed = texts.map((t) => parseValue(input.name, dtype, t, flag));
  fill(data, parsed.length === 1 ? Array.from({ length: data.length }, () => parsed[0]) : parsed);
  return makeTensor(input.name, dtype, dims, data);
}

/** Dims for `count` values: the static shape (count 1 or its element count), else scalar / 1-D / the one unknown dim. */
function valueDims(input: IoInfo, count: number, flag: string): number[] {
  const shape = input.shape;
  const shown = `[${shape.map((d) => d ?? '?').join(',')}]`;
  if (shape.every((d): d is number => typeof d === 'number')) {
    const need = elementCount(shape);
    if (count !== 1 && count !== need) {
      throw new UsageError(`${flag}: input '${input.name}' has shape ${shown} (${need} values); give 1 value (fills it) or ${need}, got ${count}`);
    }
    return [...shape];
  }
  // Dynamic dims: every unknown dim is 1 except one that takes what the count leaves over.
  const known = shape.reduce<number>((p, d) => p * (typeof d === 'number' ? d : 1), 1);
  const unknown = shape.map((d, i) => (typeof d === 'number' ? -1 : i)).filter((i) => i >= 0);
  if (count === 1 && known === 1) return shape.map(() => 1);
  if (count % known === 0) {
    const last = unknown[unknown.length - 1];
    return shape.map((d, i) => (typeof d === 'number' ? d : i === last ? count / known : 1));
  }
  throw new UsageError(`${flag}: ${count} values do not fit input '${input.name}' of shape ${shown}`);
}

/** One value text as the number (or bigint) `dtype` stores. */
function parseValue(name: string, dtype: DType, text: string, flag: string): number | bigint {
  const bad = (why: string): never => {
    throw new UsageError(`${flag}: '${text}' is not ${why} (input '${name}' is ${dtype})`);
  };
  if (dtype === 'bool') {
    const t = text.toLowerCase();
    if (t === 'true' || t === '1') return 1;
    if (t === 'false' || t === '0') return 0;
    return bad('true, false, 1 or 0');
  }
  if (text === '') return bad('a number');
  if (dtype === 'float32' || dtype === 'float64') {
    const v = Number(text);
    return Number.isNaN(v) && text.toLowerCase() !== 'nan' ? bad('a number') : v;
  }
  if (!/^[+-]?\d+$/.test(text)) return bad('an integer');
  const v = BigInt(text);
  const bits = dtype === 'int64' || dtype === 'uint64' ? 64 : dtype.endsWith('32') ? 32 : dtype.endsWith('16') ? 16 : 8;
  const signed = dtype.startsWith('int');
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < lo || v > hi) return bad(`in range for ${dtype} [${lo}, ${hi}]`);
  return bits === 64 ? v : Number(v);
}

/** Writes values into a typed array, bigint or number as the array wants. */
function fill(data: TypedArray, values: readonly (number | bigint)[]): void {
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) (data as unknown as (number | bigint)[])[i] = big ? BigInt(values[i]) : Number(values[i]);
}
