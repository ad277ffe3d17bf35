// Apple's MIL blob storage (weights/weight.bin): a 64-byte header, then per blob 64-byte-aligned metadata followed by its data.
import { FormatError } from '../../errors.ts';
import type { MilData, MilDtype, MilTensorType } from './program.ts';

/*
 * Layout (mlmodel/src/MILBlob/Blob/StorageFormat.hpp, StorageWriter.cpp), all little-endian:
 *   storage_header (64 B): u32 count, u32 version = 2, 56 reserved bytes.
 *   per blob, at a 64-aligned offset M: blob_metadata (64 B): u32 sentinel 0xDEADBEEF, u32 mil_dtype (BlobDataType),
 *     u64 sizeInBytes, u64 offset of the data (= M + 64), u64 padding_size_in_bits (sub-byte types), 32 reserved bytes;
 *   then the data. The next metadata starts at the next multiple of 64; the file ends right after the last data.
 * A const's BlobFileValue.offset is M, the METADATA offset. Sub-byte values are packed starting at the least
 * significant bit (coremltools optimize/_utils.py pack_elements_into_bits; MILBlob Util::CastFromBitSpan).
 */

/** Alignment of every metadata record and data start. */
export const BLOB_ALIGNMENT = 64;
/** blob_metadata.sentinel. */
export const BLOB_SENTINEL = 0xdeadbeef;
/** storage_header.version this format has. */
export const BLOB_STORAGE_VERSION = 2;

/** MILBlob `BlobDataType` codes of the element types ondevice stores in blobs. */
export const BLOB_DTYPE_CODES: Readonly<Partial<Record<MilDtype, number>>> = {
  fp16: 1, fp32: 2, uint8: 3, int8: 4, int16: 6, uint16: 7, int4: 8, uint4: 11, int32: 14, uint32: 15,
};

const FORMAT = 'coreml';

/** Bits per element of a MIL element type (0 for string). */
export function bitsOf(dtype: MilDtype): number {
  switch (dtype) {
    case 'bool': case 'int8': case 'uint8': return 8;
    case 'int4': case 'uint4': return 4;
    case 'fp16': case 'int16': case 'uint16': return 16;
    case 'fp32': case 'int32': case 'uint32': return 32;
    case 'fp64': case 'int64': return 64;
    case 'string': return 0;
  }
}

/** Element count of a shape (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Bytes `count` elements of `dtype` take packed (sub-byte types rounded up to whole bytes). */
export function packedByteLength(dtype: MilDtype, count: number): number {
  return Math.ceil((count * bitsOf(dtype)) / 8);
}

/** The raw little-endian bytes of tensor data as MIL stores them (int4/uint4 packed two per byte, low nibble first). */
export function packData(dtype: MilDtype, data: MilData): Uint8Array {
  if (Array.isArray(data)) throw new FormatError(FORMAT, `string data has no binary form`);
  if (dtype === 'int4' || dtype === 'uint4') {
    const out = new Uint8Array(packedByteLength(dtype, data.length));
    for (let i = 0; i < data.length; i++) out[i >> 1] |= (Number(data[i]) & 0xf) << ((i & 1) * 4);
    return out;
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Tensor data of `count` elements of `dtype` from packed bytes (copied, so the result owns aligned memory). */
export function unpackData(dtype: MilDtype, bytes: Uint8Array, count: number): MilData {
  const copy = () => {
    const b = new Uint8Array(bytes.byteLength);
    b.set(bytes);
    return b.buffer;
  };
  switch (dtype) {
    case 'int4': case 'uint4': {
      const out = dtype === 'int4' ? new Int8Array(count) : new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
        out[i] = dtype === 'int4' ? (nibble << 28) >> 28 : nibble;
      }
      return out;
    }
    case 'fp32': return new Float32Array(copy(), 0, count);
    case 'fp64': return new Float64Array(copy(), 0, count);
    case 'fp16': case 'uint16': return new Uint16Array(copy(), 0, count);
    case 'int16': return new Int16Array(copy(), 0, count);
    case 'int8': return new Int8Array(copy(), 0, count);
    case 'uint8': case 'bool': return new Uint8Array(copy(), 0, count);
    case 'int32': return new Int32Array(copy(), 0, count);
    case 'uint32': return new Uint32Array(copy(), 0, count);
    case 'int64': return new BigInt64Array(copy(), 0, count);
    case 'string': throw new FormatError(FORMAT, 'string data has no binary form');
  }
}

/** Builds a weight.bin in memory: `add` appends one blob and returns its metadata offset (what a const refers to). */
export class BlobWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = BLOB_ALIGNMENT;
  private count = 0;

  /** Appends `data` (of `dtype`) as one blob; returns the offset of its metadata. */
  add(dtype: MilDtype, data: MilData): number {
    const code = BLOB_DTYPE_CODES[dtype];
    if (code === undefined) throw new FormatError(FORMAT, `element type ${dtype} cannot be stored in a weight blob`);
    const bytes = packData(dtype, data);
    const metadataOffset = Math.ceil(this.length / BLOB_ALIGNMENT) * BLOB_ALIGNMENT;
    if (metadataOffset > this.length) this.chunks.push(new Uint8Array(metadataOffset - this.length));
    const meta = new DataView(new ArrayBuffer(BLOB_ALIGNMENT));
    meta.setUint32(0, BLOB_SENTINEL, true);
    meta.setUint32(4, code, true);
    meta.setBigUint64(8, BigInt(bytes.byteLength), true);
    meta.setBigUint64(16, BigInt(metadataOffset + BLOB_ALIGNMENT), true);
    const bits = (data.length * bitsOf(dtype)) % 8;
    meta.setBigUint64(24, BigInt(bits === 0 ? 0 : 8 - bits), true);
    this.chunks.push(new Uint8Array(meta.buffer), bytes);
    this.length = metadataOffset + BLOB_ALIGNMENT + bytes.byteLength;
    this.count++;
    return metadataOffset;
  }

  /** The whole file: header (with the blob count) and every blob added so far. */
  bytes(): Uint8Array {
    const header = new DataView(new ArrayBuffer(BLOB_ALIGNMENT));
    header.setUint32(0, this.count, true);
    header.setUint32(4, BLOB_STORAGE_VERSION, true);
    return Buffer.concat([new Uint8Array(header.buffer), ...this.chunks]);
  }
}

/** One blob's metadata as read from a file. */
export interface BlobEntry {
  /** Offset of the metadata record (what a const refers to). */
  offset: number;
  /** The element type its BlobDataType code names (undefined for codes ondevice does not use, e.g. bfloat16). */
  dtype?: MilDtype;
  dtypeCode: number;
  sizeInBytes: number;
  dataOffset: number;
  paddingBits: number;
}

/** The storage header of a weight file: blob count and version. Throws FormatError naming `file` when it is too short or not version 2. */
export function readBlobHeader(bytes: Uint8Array, file: string): { count: number; version: number } {
  if (bytes.byteLength < BLOB_ALIGNMENT) throw new FormatError(FORMAT, `weight file is ${bytes.byteLength} bytes, shorter than its 64-byte storage header`, { file });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== BLOB_STORAGE_VERSION) throw new FormatError(FORMAT, `weight file storage version ${version}, expected ${BLOB_STORAGE_VERSION}`, { file });
  return { count: view.getUint32(0, true), version };
}

/** The metadata record at `offset`, checked: alignment, sentinel, data offset = offset + 64, data inside the file. */
export function readBlobEntry(bytes: Uint8Array, offset: number, file: string): BlobEntry {
  const fail = (why: string) => new FormatError(FORMAT, `blob at offset ${offset}: ${why}`, { file });
  if (!Number.isSafeInteger(offset) || offset < BLOB_ALIGNMENT || offset % BLOB_ALIGNMENT !== 0) throw fail('offset is not a 64-byte-aligned position after the storage header');
  if (offset + BLOB_ALIGNMENT > bytes.byteLength) throw fail(`metadata runs past the end of the ${bytes.byteLength}-byte file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sentinel = view.getUint32(offset, true);
  if (sentinel !== BLOB_SENTINEL) throw fail(`metadata sentinel is 0x${sentinel.toString(16)}, expected 0xdeadbeef`);
  const dtypeCode = view.getUint32(offset + 4, true);
  const sizeInBytes = Number(view.getBigUint64(offset + 8, true));
  const dataOffset = Number(view.getBigUint64(offset + 16, true));
  const paddingBits = Number(view.getBigUint64(offset + 24, true));
  if (dataOffset !== offset + BLOB_ALIGNMENT) throw fail(`data offset ${dataOffset}, expected ${offset + BLOB_ALIGNMENT} (right after the metadata)`);
  if (dataOffset + sizeInBytes > bytes.byteLength) throw fail(`${sizeInBytes} data bytes run past the end of the ${bytes.byteLength}-byte file (truncated?)`);
  const dtype = (Object.keys(BLOB_DTYPE_CODES) as MilDtype[]).find((d) => BLOB_DTYPE_CODES[d] === dtypeCode);
  return { offset, dtype, dtypeCode, sizeInBytes, dataOffset, paddingBits };
}

/** Every blob of a weight file in order, following the 64-byte alignment; throws FormatError at the first bad record. */
export function scanBlobs(bytes: Uint8Array, file: string): BlobEntry[] {
  const { count } = readBlobHeader(bytes, file);
  const entries: BlobEntry[] = [];
  let offset = BLOB_ALIGNMENT;
  for (let i = 0; i < count; i++) {
    const e = readBlobEntry(bytes, offset, file);
    entries.push(e);
    offset = Math.ceil((e.dataOffset + e.sizeInBytes) / BLOB_ALIGNMENT) * BLOB_ALIGNMENT;
  }
  return entries;
}

/** Zero-filled data of `count` elements of `dtype` (strings: empty strings). */
export function zeroData(dtype: MilDtype, count: number): MilData {
  switch (dtype) {
    case 'fp32': return new Float32Array(count);
    case 'fp64': return new Float64Array(count);
    case 'fp16': case 'uint16': return new Uint16Array(count);
    case 'int16': return new Int16Array(count);
    case 'int8': case 'int4': return new Int8Array(count);
    case 'uint8': case 'uint4': case 'bool': return new Uint8Array(count);
    case 'int32': return new Int32Array(count);
    case 'uint32': return new Uint32Array(count);
    case 'int64': return new BigInt64Array(count);
    case 'string': return new Array<string>(count).fill('');
  }
}

/** The checked metadata of the blob at `offset` holding a value of `type`: its dtype and byte size must match the declared type. */
export function checkBlob(bytes: Uint8Array, offset: number, type: MilTensorType, file: string): BlobEntry {
  const e = readBlobEntry(bytes, offset, file);
  const count = elementCount(type.shape);
  if (e.dtype !== type.dtype) throw new FormatError(FORMAT, `blob at offset ${offset} holds ${e.dtype ?? `BlobDataType ${e.dtypeCode}`} data, the value declares ${type.dtype}`, { file });
  const expected = packedByteLength(type.dtype, count);
  if (e.sizeInBytes !== expected) throw new FormatError(FORMAT, `blob at offset ${offset} holds ${e.sizeInBytes} bytes, a ${type.dtype} tensor of shape [${type.shape.join(', ')}] needs ${expected}`, { file });
  return e;
}

/** The data of the blob at `offset` as a value of `type` ({@link checkBlob} first). */
export function readBlobData(bytes: Uint8Array, offset: number, type: MilTensorType, file: string): MilData {
  const e = checkBlob(bytes, offset, type, file);
  return unpackData(type.dtype, bytes.subarray(e.dataOffset, e.dataOffset + e.sizeInBytes), elementCount(type.shape));
}
