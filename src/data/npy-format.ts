// The NumPy .npy format: parse a header (magic, version, descr/shape dict) and encode arrays back to bytes.
import { FormatError, UsageError } from '../errors.ts';
import { TYPED_ARRAY_OF, type DType, type TypedArray } from '../ir/dtype.ts';

/** What a .npy header says: element type, byte order, dims, and where the data starts. */
export interface NpyHeader {
  dtype: DType;
  littleEndian: boolean;
  dims: number[];
  /** Bytes before the data (magic + version + length field + header text). */
  dataOffset: number;
}

/** NumPy type codes (after the byte-order character) for the dtypes we read and write. */
const NPY_CODES: Record<string, DType> = {
  f2: 'float16', f4: 'float32', f8: 'float64', u1: 'uint8', i1: 'int8', u2: 'uint16', i2: 'int16',
  u4: 'uint32', i4: 'int32', u8: 'uint64', i8: 'int64', b1: 'bool',
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes of the fixed preamble for a .npy version: magic(6) + version(2) + header length (2 or 4). */
export function npyPreambleLength(major: number): number {
  return major === 1 ? 10 : 12;
}

/**
 * Check the magic and version of the first 8 bytes; returns the major version.
 * @throws FormatError('npy', …) naming `file`.
 */
export function npyVersion(first8: Uint8Array, file?: string): number {
  if (first8.length < 8 || MAGIC.some((b, i) => first8[i] !== b)) throw new FormatError('npy', 'not a .npy array (bad magic; expected \\x93NUMPY)', { file });
  const major = first8[6];
  if (major < 1 || major > 3) throw new FormatError('npy', `unsupported .npy version ${major}.${first8[7]}`, { file });
  return major;
}

/**
 * Parse the preamble and header dict (`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`).
 * `bytes` must hold at least the whole header.
 * @throws FormatError('npy', …) naming `file` for a bad header, an unsupported dtype or Fortran order.
 */
export function parseNpyHeader(bytes: Uint8Array, file?: string): NpyHeader {
  const major = npyVersion(bytes, file);
  const pre = npyPreambleLength(major);
  if (bytes.length < pre) throw new FormatError('npy', 'truncated header', { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < pre + headerLength) throw new FormatError('npy', `truncated header: needs ${pre + headerLength} bytes, found ${bytes.length}`, { file });
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(pre, pre + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new FormatError('npy', `bad header ${JSON.stringify(text.trim())} (structured dtypes are not supported)`, { file });
  }
  const dtype = NPY_CODES[descr.slice(1)];
  if (!dtype || !'<>|='.includes(descr[0])) {
    throw new FormatError('npy', `unsupported dtype '${descr}' (supported: ${Object.keys(NPY_CODES).join(', ')})`, { file });
  }
  if (fortran === 'True') throw new FormatError('npy', 'Fortran-ordered arrays are not supported (save np.ascontiguousarray(x))', { file });
  const dims = shape.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError('npy', `bad shape (${shape})`, { file });
  return { dtype, littleEndian: descr[0] !== '>', dims, dataOffset: pre + headerLength };
}

/** Bytes per element of a dtype we read. */
export function npyItemSize(dtype: DType): number {
  return TYPED_ARRAY_OF[dtype]!.BYTES_PER_ELEMENT;
}

/** Copy raw array bytes into a fresh, aligned typed array of `dtype`, swapping bytes if big-endian. */
export function npyValues(bytes: Uint8Array, dtype: DType, littleEndian: boolean): TypedArray {
  const size = npyItemSize(dtype);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (!littleEndian && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return new TYPED_ARRAY_OF[dtype]!(copy.buffer, 0, copy.length / size);
}

/**
 * Encode an array as .npy (version 1.0, little-endian, C order).
 * @throws UsageError for a dtype NumPy has no code for here, or data that does not fit the dims.
 */
export function encodeNpy(array: { dtype: DType; dims: number[]; data: TypedArray }): Uint8Array {
  const code = Object.entries(NPY_CODES).find(([, d]) => d === array.dtype)?.[0];
  if (!code) throw new UsageError(`cannot write dtype ${array.dtype} as .npy`);
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) throw new UsageError(`.npy data has ${array.data.length} elements, dims [${array.dims.join(',')}] need ${count}`);
  const order = code.endsWith('1') ? '|' : '<';
  const shape = array.dims.length === 1 ? `(${array.dims[0]},)` : `(${array.dims.join(', ')})`;
  let header = `{'descr': '${order}${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([...MAGIC, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}
