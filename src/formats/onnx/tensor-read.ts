// TensorProto → IR Tensor: typed fields normalised to raw little-endian bytes, external data made lazy.
import { byteLength, type DType } from '../../ir/dtype.ts';
import type { SparseTensor } from '../../ir/graph.ts';
import type { Tensor, TensorData } from '../../ir/tensor.ts';
import { FormatError } from '../../errors.ts';
import { dtypeFromOnnx } from './dtypes.ts';
import { ExternalFile, resolveLocation } from './external-data.ts';
import { DATA_LOCATION_EXTERNAL, int64ToNumber, type Int64, type SparseTensorProto, type TensorProto } from './proto.ts';

/** What tensor decoding needs to know about the file being read. */
export interface TensorReadContext {
  /** The model file (for messages and resolving external data). */
  file: string;
  /** Load external data now instead of lazily. */
  eager: boolean;
  /** Open external files by resolved path, shared by all tensors of the model. */
  externalFiles: Map<string, ExternalFile>;
}

/** Plain Uint8Array view of protobufjs bytes (which are Buffers in Node), without copying. */
export function plainBytes(b: Uint8Array | undefined): Uint8Array {
  if (!b) return new Uint8Array(0);
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Validated dims of a tensor: non-negative integers whose element count and byte size stay below 2^53. */
export function readDims(dims: Int64[] | undefined, what: string, file: string): number[] {
  const out = (dims ?? []).map(int64ToNumber);
  let count = 1;
  for (const d of out) {
    if (!Number.isSafeInteger(d) || d < 0) throw new FormatError('onnx', `${what} has invalid dimension ${d} in [${out.join(',')}]`, { file });
    count *= d;
  }
  if (!Number.isSafeInteger(count * 16)) throw new FormatError('onnx', `${what} has absurd dims [${out.join(',')}] (${count} elements)`, { file });
  return out;
}

/** Decodes one TensorProto. `what` names it in messages (e.g. "initializer 'w'"). */
export function readTensor(proto: TensorProto, ctx: TensorReadContext, what = `tensor '${proto.name ?? ''}'`): Tensor {
  const file = ctx.file;
  const dtype = dtypeFromOnnx(proto.data_type);
  if (!dtype) throw new FormatError('onnx', `${what} has unsupported data type ${proto.data_type ?? 'UNDEFINED'}`, { file });
  const dims = readDims(proto.dims, what, file);
  const count = dims.reduce((a, b) => a * b, 1);
  const data = proto.data_location === DATA_LOCATION_EXTERNAL
    ? externalData(proto, dtype, count, what, ctx)
    : inlineData(proto, dtype, count, what, file);
  const tensor: Tensor = { name: proto.name ?? '', dtype, dims, data };
  if (proto.doc_string) tensor.docString = proto.doc_string;
  const extra: Record<string, unknown> = {};
  if (proto.metadata_props?.length) extra.onnxMetadata = proto.metadata_props.map((e) => [e.key ?? '', e.value ?? '']);
  if (proto.segment) extra.onnxSegment = { begin: int64ToNumber(proto.segment.begin), end: int64ToNumber(proto.segment.end) };
  if (Object.keys(extra).length) tensor.extra = extra;
  return tensor;
}

/** Decodes a SparseTensorProto. */
export function readSparseTensor(proto: SparseTensorProto, ctx: TensorReadContext, what = 'sparse tensor'): SparseTensor {
  if (!proto.values || !proto.indices) throw new FormatError('onnx', `${what} lacks values or indices`, { file: ctx.file });
  return {
    values: readTensor(proto.values, ctx, `${what} values`),
    indices: readTensor(proto.indices, ctx, `${what} indices`),
    dims: readDims(proto.dims, what, ctx.file),
  };
}

function inlineData(p: TensorProto, dtype: DType, count: number, what: string, file: string): TensorData {
  const fail = (msg: string): never => { throw new FormatError('onnx', `${what}: ${msg}`, { file }); };
  if (dtype === 'string') {
    const values = (p.string_data ?? []).map(plainBytes);
    if (values.length !== count) fail(`holds ${values.length} strings, dims need ${count}`);
    return { kind: 'strings', values };
  }
  const need = byteLength(dtype, count);
  if (p.raw_data && Object.prototype.hasOwnProperty.call(p, 'raw_data')) {
    if (p.raw_data.byteLength !== need) fail(`raw_data holds ${p.raw_data.byteLength} bytes, ${count} ${dtype} elements need ${need}`);
    return { kind: 'bytes', bytes: plainBytes(p.raw_data) };
  }
  if (need > 0 && noTypedField(p)) fail(`has no data for its ${count} elements`);
  // The typed field must hold exactly the values the dims ask for, checked before anything is allocated from the dims.
  const { field, values, want } = typedField(p, dtype, count, need);
  if (values.length !== want) fail(`${field} holds ${values.length} values, ${dtype} with ${count} elements needs ${want}`);
  const bytes = new Uint8Array(need);
  const view = new DataView(bytes.buffer);
  switch (dtype) {
    case 'float32': case 'complex64':
      (values as number[]).forEach((v, i) => view.setFloat32(i * 4, v, true));
      break;
    case 'float64': case 'complex128':
      (values as number[]).forEach((v, i) => view.setFloat64(i * 8, v, true));
      break;
    case 'int64': case 'uint64':
      (values as Int64[]).forEach((v, i) => setInt64(view, i * 8, v));
      break;
    case 'uint32':
      (values as Int64[]).forEach((v, i) => view.setUint32(i * 4, typeof v === 'number' ? v : v.low, true));
      break;
    case 'int32':
      (values as number[]).forEach((v, i) => view.setInt32(i * 4, v, true));
      break;
    case 'int16': case 'uint16': case 'float16': case 'bfloat16':
      (values as number[]).forEach((v, i) => view.setUint16(i * 2, v & 0xffff, true));
      break;
    default:
      // 8-bit types (one value per int32) and 4-bit types (two nibbles already packed per int32).
      (values as number[]).forEach((v, i) => { bytes[i] = v & 0xff; });
  }
  return { kind: 'bytes', bytes };
}

/** The typed field that holds `dtype`'s values, and how many values `count` elements take there. */
function typedField(p: TensorProto, dtype: DType, count: number, need: number): { field: string; values: readonly (number | Int64)[]; want: number } {
  switch (dtype) {
    case 'float32': case 'complex64': return { field: 'float_data', values: p.float_data ?? [], want: need / 4 };
    case 'float64': case 'complex128': return { field: 'double_data', values: p.double_data ?? [], want: need / 8 };
    case 'int64': return { field: 'int64_data', values: p.int64_data ?? [], want: count };
    case 'uint64': case 'uint32': return { field: 'uint64_data', values: p.uint64_data ?? [], want: count };
    case 'int32': case 'int16': case 'uint16': case 'float16': case 'bfloat16': return { field: 'int32_data', values: p.int32_data ?? [], want: count };
    default: return { field: 'int32_data', values: p.int32_data ?? [], want: need };
  }
}

function noTypedField(p: TensorProto): boolean {
  return !p.float_data?.length && !p.int32_data?.length && !p.int64_data?.length && !p.double_data?.length && !p.uint64_data?.length;
}

function setInt64(view: DataView, at: number, v: Int64): void {
  if (typeof v === 'number') view.setBigInt64(at, BigInt(Math.trunc(v)), true);
  else {
    view.setUint32(at, v.low >>> 0, true);
    view.setUint32(at + 4, v.high >>> 0, true);
  }
}

function externalData(p: TensorProto, dtype: DType, count: number, what: string, ctx: TensorReadContext): TensorData {
  const file = ctx.file;
  if (dtype === 'string') throw new FormatError('onnx', `${what}: string tensors cannot use external data`, { file });
  const entries = new Map((p.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (location === undefined) throw new FormatError('onnx', `${what}: external data has no location`, { file });
  const need = byteLength(dtype, count);
  const offset = parseSize(entries.get('offset') ?? '0', 'offset', what, file);
  const length = parseSize(entries.get('length') ?? String(need), 'length', what, file);
  if (length !== need) throw new FormatError('onnx', `${what}: external data length ${length} does not match ${dtype} with ${count} elements (${need} bytes)`, { file });
  const path = resolveLocation(location, file);
  let ext = ctx.externalFiles.get(path);
  if (!ext) ctx.externalFiles.set(path, (ext = new ExternalFile(path, file)));
  if (offset + length > ext.size) {
    throw new FormatError('onnx', `${what}: external data range ${offset}..${offset + length} is past the end of '${location}' (${ext.size} bytes)`, { file });
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of entries) if (k !== 'location' && k !== 'offset' && k !== 'length') extra[k] = v;
  const source = { path, location, offset, length, ...(Object.keys(extra).length ? { extra } : {}) };
  const handle = ext;
  if (ctx.eager) return { kind: 'bytes', bytes: handle.read(offset, length) };
  return { kind: 'external', source, load: () => handle.read(offset, length) };
}

function parseSize(text: string, key: string, what: string, file: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) throw new FormatError('onnx', `${what}: external data ${key} '${text}' is not a valid size`, { file });
  return n;
}
