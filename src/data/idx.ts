// IDX files (the MNIST container): big-endian header + raw array, read plain or gzip'd, and written back.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError, UsageError } from '../errors.ts';

/** The IDX element types, keyed by their type byte. */
export const IDX_DTYPES = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
} as const;

/** An IDX element type name. */
export type IdxDtype = (typeof IDX_DTYPES)[keyof typeof IDX_DTYPES];

/** The typed array that holds each IDX element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: element type, dims (outermost first) and data in native byte order. */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

const BYTES: Record<IdxDtype, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/**
 * Read an IDX file (gzip'd files are recognised by their magic bytes and inflated).
 * @throws UsageError if the file cannot be read, FormatError('idx', …) if its contents are not valid IDX.
 */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read IDX file: ${(e as Error).message}`, { file: path, cause: e });
  }
  return parseIdx(bytes, path);
}

/**
 * Decode IDX bytes (plain or gzip'd). `file` is only used to name the source in errors.
 * @throws FormatError('idx', …) for bad gzip data, bad magic, a truncated file or dims that do not match the size.
 */
export function parseIdx(bytes: Uint8Array, file?: string): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new FormatError('idx', `bad gzip data: ${(e as Error).message}`, { file, cause: e });
    }
  }
  if (bytes.length < 4) throw new FormatError('idx', `truncated: ${bytes.length} bytes, a header needs at least 4`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const dtype = IDX_DTYPES[bytes[2] as keyof typeof IDX_DTYPES];
  if (bytes[0] !== 0 || bytes[1] !== 0 || dtype === undefined) {
    throw new FormatError('idx', `bad magic 0x${magic.toString(16).padStart(8, '0')} (expected 0x000008NN..0x00000eNN)`, { file });
  }
  const ndim = bytes[3];
  if (ndim === 0) throw new FormatError('idx', 'bad header: 0 dimensions', { file });
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new FormatError('idx', `truncated: ${bytes.length} bytes, a header with ${ndim} dims needs ${headerBytes}`, { file });
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const need = count * BYTES[dtype];
  const have = bytes.length - headerBytes;
  if (have < need) {
    throw new FormatError('idx', `truncated: dims [${dims.join(',')}] need ${need} bytes of ${dtype} data, found ${have}`, { file });
  }
  if (have > need) {
    throw new FormatError('idx', `dims [${dims.join(',')}] do not match the size: ${have} bytes of data, ${need} expected`, { file });
  }
  return { dtype, dims, data: decode(dtype, view, headerBytes, count) };
}

/** Copy the big-endian payload into a native typed array (uint8 is a view, no copy). */
function decode(dtype: IdxDtype, view: DataView, offset: number, count: number): IdxData {
  const at = (i: number) => offset + i * BYTES[dtype];
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count);
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at(i), false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at(i), false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at(i), false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at(i), false);
      return out;
    }
  }
}

/**
 * Encode an array as IDX bytes (not compressed).
 * @throws UsageError if the data length does not match the dims.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, dims, data } = array;
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new UsageError(`IDX data has ${data.length} elements, dims [${dims.join(',')}] need ${count}`);
  const code = Number(Object.entries(IDX_DTYPES).find(([, name]) => name === dtype)![0]);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * BYTES[dtype]);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const size = BYTES[dtype];
  for (let i = 0; i < count; i++) {
    const p = header + i * size;
    const v = data[i];
    if (dtype === 'uint8') view.setUint8(p, v);
    else if (dtype === 'int8') view.setInt8(p, v);
    else if (dtype === 'int16') view.setInt16(p, v, false);
    else if (dtype === 'int32') view.setInt32(p, v, false);
    else if (dtype === 'float32') view.setFloat32(p, v, false);
    else view.setFloat64(p, v, false);
  }
  return out;
}
