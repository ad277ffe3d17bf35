// Conversions between ondevice HostTensors and onnxruntime tensors (shared by the ORT node and web adapters).
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { OndeviceError } from '../errors.ts';
import type { DType, TypedArray } from '../ir/dtype.ts';
import type { HostTensor } from './runtime.ts';

/** ORT's element type names for our dtypes. */
const ORT_TYPE: Partial<Record<DType, string>> = {
  float32: 'float32', float64: 'float64', float16: 'float16', int8: 'int8', uint8: 'uint8', int16: 'int16',
  uint16: 'uint16', int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool',
  int4: 'int4', uint4: 'uint4', string: 'string',
};

const FROM_ORT: Record<string, DType> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, k as DType]));

/** Our dtype for an ORT type name, or 'unknown'. */
export function dtypeFromOrt(type: string): DType | 'unknown' {
  return FROM_ORT[type] ?? 'unknown';
}

/** ORT type name for a dtype; throws for dtypes ORT's JS API cannot carry. */
export function ortType(dtype: DType): string {
  const t = ORT_TYPE[dtype];
  if (!t) throw new Error(`onnxruntime cannot take ${dtype} tensors from JavaScript`);
  return t;
}

/** Minimal structural view of an ORT tensor (both onnxruntime-node and -web). */
export interface OrtTensorLike {
  type: string;
  dims: readonly number[];
  data: unknown;
}

/** Converts an ORT output tensor to a HostTensor (float16 comes back as raw Uint16 bits). */
export function fromOrtTensor(t: OrtTensorLike): HostTensor {
  const dtype = dtypeFromOrt(t.type);
  if (dtype === 'unknown') throw new Error(`unsupported onnxruntime output type ${t.type}`);
  let data = t.data as TypedArray;
  if (dtype === 'float16' && !(data instanceof Uint16Array)) {
    const v = data as unknown as { buffer: ArrayBufferLike; byteOffset: number; length: number };
    data = new Uint16Array(v.buffer, v.byteOffset, v.length);
  }
  return { dtype, dims: [...t.dims], data };
}

/** An ORT Tensor constructor (onnxruntime-node's or -web's). */
export type OrtTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;

/**
 * Runs an ORT session on HostTensors: wraps the feeds in `Tensor`, runs (all outputs or `fetches`) and converts the
 * outputs back. A failure is an OndeviceError naming the model file, `label` naming the runtime (e.g. 'onnxruntime-node').
 */
export async function runOrtSession(
  session: InferenceSession, Tensor: OrtTensorConstructor, label: string, modelPath: string,
  feeds: Record<string, HostTensor>, fetches?: string[],
): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, OrtTensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = new Tensor(ortType(t.dtype) as 'float32', t.data as Float32Array, t.dims);
  }
  let result: InferenceSession.ReturnType;
  try {
    result = fetches ? await session.run(ortFeeds, fetches) : await session.run(ortFeeds);
  } catch (e) {
    throw new OndeviceError(`${label} failed to run: ${(e as Error).message}`, { file: modelPath, cause: e });
  }
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(result)) out[name] = fromOrtTensor(t as OrtTensorLike);
  return out;
}
