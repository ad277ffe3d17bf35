// TensorFlow AttrValue / TensorProto / TensorShapeProto as protobuf JSON (what TF.js graph models hold) → IR attributes.
import type { Attribute, Dim } from '../../ir/graph.ts';
import { byteLength } from '../../ir/dtype.ts';
import { elementCount, makeTensor, type Tensor } from '../../ir/tensor.ts';
import { tfDType, tfDTypeName } from '../../ir/tf-dtypes.ts';

/** Thrown for a malformed attribute; the reader turns it into a FormatError naming node and file. */
export class AttrDecodeError extends Error {}

type Json = Record<string, unknown>;

function num(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (Number.isNaN(n) && v !== 'NaN') throw new AttrDecodeError(`${what} is not a number (${JSON.stringify(v)?.slice(0, 40)})`);
  return n;
}

function bytesOf(b64: unknown, what: string): Uint8Array {
  if (typeof b64 !== 'string') throw new AttrDecodeError(`${what} is not a base64 string`);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** TensorShapeProto JSON → dims (-1 → null), or undefined for an unknown rank. */
export function decodeShape(shape: unknown): Dim[] | undefined {
  if (!shape || typeof shape !== 'object') return [];
  const s = shape as Json;
  if (s.unknownRank || s.unknown_rank) return undefined;
  const dims = (s.dim ?? []) as unknown[];
  if (!Array.isArray(dims)) throw new AttrDecodeError('shape.dim is not a list');
  return dims.map((d) => {
    const size = num((d as Json)?.size ?? 0, 'a shape dim');
    return size < 0 ? null : size;
  });
}

/** The static dims of a TensorProto's shape (every dim must be a size). */
function staticDims(shape: unknown): number[] {
  const dims = decodeShape(shape);
  if (!dims || !dims.every((d): d is number => typeof d === 'number')) throw new AttrDecodeError('a tensor has an unknown dim');
  return dims;
}

/** True when a TensorProto JSON carries its values (content or a typed `*Val` list), not only dtype and shape. */
export function tensorHasValues(t: unknown): boolean {
  if (!t || typeof t !== 'object') return false;
  return Object.entries(t as Json).some(([k, v]) => (k === 'tensorContent' || k === 'tensor_content' || /Val$|_val$/.test(k)) && (typeof v === 'string' || (Array.isArray(v) && v.length > 0)));
}

/** TensorProto JSON → IR tensor named `name` (content bytes, or `*Val` lists with TF's repeat-the-last-value rule). */
export function decodeTensor(t: unknown, name: string): Tensor {
  if (!t || typeof t !== 'object') throw new AttrDecodeError('tensor is not an object');
  const j = t as Json;
  const tfType = tfDTypeName(j.dtype);
  const dtype = tfDType(tfType);
  if (!dtype) throw new AttrDecodeError(`tensor of type ${tfType ?? JSON.stringify(j.dtype)} has no IR element type`);
  const dims = staticDims(j.tensorShape ?? j.tensor_shape);
  const n = elementCount(dims);
  if (dtype === 'string') {
    const vals = ((j.stringVal ?? j.string_val ?? []) as unknown[]).map((v) => bytesOf(v, 'stringVal'));
    const values = Array.from({ length: n }, (_, i) => vals[Math.min(i, vals.length - 1)] ?? new Uint8Array());
    return { name, dtype, dims, data: { kind: 'strings', values } };
  }
  const content = j.tensorContent ?? j.tensor_content;
  if (content !== undefined) {
    const bytes = bytesOf(content, 'tensorContent');
    if (bytes.length !== byteLength(dtype, n)) throw new AttrDecodeError(`tensor content holds ${bytes.length} bytes, ${dtype}[${dims.join(',')}] needs ${byteLength(dtype, n)}`);
    return makeTensor(name, dtype, dims, bytes.slice());
  }
  const key = ({ float32: 'floatVal', float64: 'doubleVal', int64: 'int64Val', uint64: 'uint64Val', uint32: 'uint32Val', bool: 'boolVal', float16: 'halfVal', bfloat16: 'halfVal' } as Record<string, string>)[dtype] ?? 'intVal';
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const list = ((j[key] ?? j[snake] ?? []) as unknown[]).map((v) => (typeof v === 'boolean' ? Number(v) : num(v, key)));
  const values = Array.from({ length: n }, (_, i) => list[Math.min(i, list.length - 1)] ?? 0);
  const out = makeTensor(name, dtype, dims, new Uint8Array(byteLength(dtype, n)));
  const view = new DataView((out.data as { bytes: Uint8Array }).bytes.buffer);
  const size = byteLength(dtype, 1);
  values.forEach((v, i) => {
    const o = i * size;
    switch (dtype) {
      case 'float32': view.setFloat32(o, v, true); break;
      case 'float64': view.setFloat64(o, v, true); break;
      case 'int64': case 'uint64': view.setBigInt64(o, BigInt(Math.trunc(v)), true); break;
      case 'int32': case 'uint32': view.setInt32(o, v, true); break;
      case 'int16': case 'uint16': case 'float16': case 'bfloat16': view.setInt16(o, v, true); break;
      default: view.setInt8(o, v);
    }
  });
  return out;
}

function listAttr(list: Json, what: string): Attribute {
  const pick = (k: string): unknown[] | undefined => (Array.isArray(list[k]) && (list[k] as unknown[]).length ? list[k] as unknown[] : undefined);
  let v: unknown[] | undefined;
  if ((v = pick('i'))) return { type: 'ints', value: v.map((x) => num(x, what)) };
  if ((v = pick('f'))) return { type: 'floats', value: v.map((x) => num(x, what)) };
  if ((v = pick('b'))) return { type: 'ints', value: v.map((x) => (x ? 1 : 0)) };
  if ((v = pick('s'))) return { type: 'strings', value: v.map((x) => bytesOf(x, what)) };
  if ((v = pick('type'))) return { type: 'strings', value: v.map((x) => new TextEncoder().encode(tfDTypeName(x) ?? String(x))) };
  if ((v = pick('shape'))) {
    // A list of shapes flattens to ints only when each is known; TensorFlow uses these for output-shape hints.
    return { type: 'strings', value: v.map((x) => new TextEncoder().encode(JSON.stringify(decodeShape(x) ?? null))) };
  }
  if ((v = pick('tensor'))) return { type: 'tensors', value: v.map((x, k) => decodeTensor(x, `${what}_${k}`)) };
  if ((v = pick('func'))) return { type: 'strings', value: v.map((x) => new TextEncoder().encode(String((x as Json)?.name ?? ''))) };
  return { type: 'ints', value: [] };
}

/**
 * One AttrValue JSON → IR attribute per the TF.js capture contract: i → int, f → float, b → int 0/1, s → string bytes,
 * type → string (DT_ name), shape → ints (−1 unknown), list → ints/floats/strings/tensors, tensor → tensor, func → string.
 * Returns undefined for a shape of unknown rank (the attribute is then absent) or an empty AttrValue.
 * @throws AttrDecodeError for a malformed value.
 */
export function decodeAttr(value: unknown, what: string): Attribute | undefined {
  if (!value || typeof value !== 'object') throw new AttrDecodeError(`attribute '${what}' is not an object`);
  const v = value as Json;
  if ('i' in v) return { type: 'int', value: num(v.i, what) };
  if ('f' in v) return { type: 'float', value: num(v.f, what) };
  if ('b' in v) return { type: 'int', value: v.b ? 1 : 0 };
  if ('s' in v) return { type: 'string', value: bytesOf(v.s, what) };
  if ('type' in v) return { type: 'string', value: new TextEncoder().encode(tfDTypeName(v.type) ?? String(v.type)) };
  if ('shape' in v) {
    const dims = decodeShape(v.shape);
    return dims ? { type: 'ints', value: dims.map((d) => (d === null ? -1 : Number(d))) } : undefined;
  }
  if ('list' in v) return listAttr((v.list ?? {}) as Json, what);
  if ('tensor' in v) return { type: 'tensor', value: decodeTensor(v.tensor, what) };
  if ('func' in v) return { type: 'string', value: new TextEncoder().encode(String((v.func as Json)?.name ?? '')) };
  if ('placeholder' in v) return { type: 'string', value: new TextEncoder().encode(String(v.placeholder)) };
  return undefined;
}
