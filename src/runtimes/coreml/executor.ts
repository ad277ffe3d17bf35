// The MIL reference executor: runs an ML Program's function op by op in plain TypeScript, each tensor held in its MIL dtype.
import { GraphError, UsageError } from '../../errors.ts';
import type { DType } from '../../ir/dtype.ts';
import type { HostTensor } from '../../ir/host-tensor.ts';
import type { CoreMlModel, MilBinding, MilDtype, MilFunction, MilOperation, MilTensorType } from '../../formats/coreml/program.ts';
import { isTensorType } from '../../formats/coreml/program.ts';
import { OpContext } from './context.ts';
import { float32ToHalfBits, halfBitsToFloat32, roundHalfInPlace } from './half.ts';
import { KERNELS } from './ops/index.ts';
import { fromMilValue, fromNumbers, type RtTensor, type RtValue } from './value.ts';

/** Options for {@link runMilProgram}. */
export interface RunMilOptions {
  /** The function to run (default 'main'). */
  functionName?: string;
  /** Called after every operation with its outputs (debugging, per-op comparisons). */
  onOp?: (op: MilOperation, outputs: RtValue[]) => void;
}

/** MIL element type → the IR dtype a HostTensor uses. */
const HOST_DTYPE: Partial<Record<MilDtype, DType>> = {
  fp16: 'float16', fp32: 'float32', fp64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', bool: 'bool', string: 'string',
};

/** The MIL op types the executor runs. */
export function supportedMilOps(): string[] {
  return Object.keys(KERNELS).sort();
}

/** A feed converted to the input's MIL type: float feeds to fp16/fp32 (rounded), integer feeds to int32. */
function feedValue(name: string, type: MilTensorType, t: HostTensor): RtTensor {
  const want = type.shape;
  if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i])) {
    throw new UsageError(`input '${name}': fed shape [${t.dims}], the program declares [${want}]`);
  }
  let values: ArrayLike<number>;
  if (t.dtype === 'float16') values = halfBitsToFloat32(t.data as Uint16Array);
  else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) values = Array.from(t.data, (v) => Number(v));
  else values = t.data as ArrayLike<number>;
  if (!['fp16', 'fp32', 'fp64', 'int32', 'bool'].includes(type.dtype)) throw new UsageError(`input '${name}': ${type.dtype} inputs are not supported`);
  return fromNumbers(type.dtype, [...want], values);
}

/** A runtime value as a HostTensor: fp16 as float16 bits; a string label as UTF-8 bytes in a 'string' tensor; a dict as its float64 values. */
function toHost(name: string, v: RtValue): HostTensor {
  if (v.kind === 'dict') return { dtype: 'float64', dims: [v.values.length], data: v.values };
  if (v.kind === 'list') throw new GraphError(`output '${name}' is a list, which a HostTensor cannot hold`);
  if (v.dtype === 'string') return { dtype: 'string', dims: [...v.shape], data: new TextEncoder().encode((v.data as string[]).join('\u0000')) };
  const dtype = HOST_DTYPE[v.dtype];
  if (!dtype) throw new GraphError(`output '${name}' has MIL type ${v.dtype}, which has no HostTensor dtype`);
  if (v.dtype === 'fp16') return { dtype, dims: [...v.shape], data: float32ToHalfBits(v.data as Float32Array) };
  return { dtype, dims: [...v.shape], data: v.data as HostTensor['data'] };
}

/** The text of a 'string' HostTensor returned by {@link runMilProgram} (a classifier's label); elements split on NUL. */
export function hostStrings(t: HostTensor): string[] {
  if (t.dtype !== 'string') throw new Error(`not a string tensor (${t.dtype})`);
  return new TextDecoder().decode(t.data as Uint8Array).split('\u0000');
}

/** Checks a kernel's output against the op's declared output type (dtype and static shape). */
function checkOutput(op: MilOperation, i: number, v: RtValue): void {
  const decl = op.outputs[i];
  if (!isTensorType(decl.type)) return;
  const where = `MIL op '${op.type}' output ${i}`;
  if (v.kind !== 'tensor') throw new GraphError(`${where} computed a ${v.kind}, declared a tensor`, { node: decl.name });
  if (v.dtype !== decl.type.dtype) throw new GraphError(`${where} computed ${v.dtype}, declared ${decl.type.dtype}`, { node: decl.name });
  const s = decl.type.shape;
  if (s.length !== v.shape.length || s.some((d, k) => d !== v.shape[k])) {
    throw new GraphError(`${where} computed shape [${v.shape}], declared [${s}]`, { node: decl.name });
  }
}

/** Runs one operation: looks up its kernel, computes, rounds fp16 outputs to half and checks them against the declaration. */
function runOp(op: MilOperation, resolve: (b: MilBinding) => RtValue): RtValue[] {
  const kernel = KERNELS[op.type];
  if (!kernel) throw new GraphError(`MIL op type '${op.type}' is not supported by the reference executor`, { node: op.outputs[0]?.name ?? '?' });
  const ctx = new OpContext(op, resolve);
  let result: RtValue | RtValue[];
  try {
    result = kernel(ctx);
  } catch (e) {
    if (e instanceof GraphError) throw e;
    throw new GraphError(`MIL op '${op.type}': ${(e as Error).message}`, { node: op.outputs[0]?.name ?? '?', cause: e });
  }
  const outs = Array.isArray(result) ? result : [result];
  if (outs.length !== op.outputs.length) throw ctx.error(`computed ${outs.length} outputs, declared ${op.outputs.length}`);
  outs.forEach((v, i) => {
    if (v.kind === 'tensor' && v.dtype === 'fp16' && v.data instanceof Float32Array) roundHalfInPlace(v.data);
    checkOutput(op, i, v);
  });
  return outs;
}

/**
 * Runs `model.program.functions[functionName ?? 'main']` on `feeds` (by input name) and returns its outputs by name.
 * Each op computes in double/float32 and stores in its output's MIL dtype: fp16 tensors hold values rounded to half
 * (returned as 'float16' HostTensors), fp32 tensors float32. A classifier's label comes back as a 'string' HostTensor
 * (UTF-8 bytes, read it with {@link hostStrings}) or an int64 scalar, its probability dict as float64 values in class order.
 */
export function runMilProgram(model: CoreMlModel, feeds: Record<string, HostTensor>, options: RunMilOptions = {}): Record<string, HostTensor> {
  const fnName = options.functionName ?? 'main';
  const fn: MilFunction | undefined = model.program.functions[fnName];
  if (!fn) throw new UsageError(`the ML Program has no function '${fnName}' (has: ${Object.keys(model.program.functions).join(', ')})`);
  const env = new Map<string, RtValue>();
  for (const input of fn.inputs) {
    const feed = feeds[input.name];
    if (!feed) throw new UsageError(`missing feed for input '${input.name}'`);
    env.set(input.name, feedValue(input.name, input.type, feed));
  }
  const resolve = (b: MilBinding): RtValue => {
    if ('value' in b) return fromMilValue(b.value);
    const v = env.get(b.name);
    if (!v) throw new GraphError(`value '${b.name}' is used before it is computed`, { node: b.name });
    return v;
  };
  for (const op of fn.operations) {
    const outs = runOp(op, resolve);
    op.outputs.forEach((o, i) => env.set(o.name, outs[i]));
    options.onOp?.(op, outs);
  }
  const result: Record<string, HostTensor> = {};
  for (const name of fn.outputs) {
    const v = env.get(name);
    if (!v) throw new GraphError(`function output '${name}' is never computed`, { node: name });
    result[name] = toHost(name, v);
  }
  return result;
}
