// Immediate MIL tensor values ↔ MIL.proto TensorValue, using the field coremltools picks per element type (helper.py).
import { FormatError } from '../../errors.ts';
import type { Int64 } from '../onnx/proto.ts';
import { elementCount, packData, packedByteLength, unpackData } from './blob.ts';
import type { TensorValueMsg } from './proto.ts';
import type { MilData, MilDtype, MilTensorType } from './program.ts';

/*
 * coremltools' _tensor_field_by_type: bool → bools; int64 → longInts; fp16, int8, uint8, int4, uint4 and uint32
 * (IMMEDIATE_VALUE_TYPES_IN_BYTES) → bytes, little-endian, sub-byte types packed low bits first; int16, uint16, int32 →
 * ints; fp32 → floats; fp64 → doubles; string → strings.
 */

const FORMAT = 'coreml';

/** Which TensorValue member holds values of `dtype`. */
export function tensorFieldOf(dtype: MilDtype): keyof TensorValueMsg {
  switch (dtype) {
    case 'bool': return 'bools';
    case 'int64': return 'longInts';
    case 'fp16': case 'int8': case 'uint8': case 'int4': case 'uint4': case 'uint32': return 'bytes';
    case 'int16': case 'uint16': case 'int32': return 'ints';
    case 'fp32': return 'floats';
    case 'fp64': return 'doubles';
    case 'string': return 'strings';
  }
}

function bigintToInt64(b: bigint): Int64 {
  const u = BigInt.asUintN(64, b);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: false };
}

function int64ToBigint(v: Int64): bigint {
  if (typeof v === 'number') return BigInt(v);
  return BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
}

/** Tensor data as a TensorValue message. */
export function tensorValueMsg(type: MilTensorType, data: MilData): TensorValueMsg {
  const field = tensorFieldOf(type.dtype);
  switch (field) {
    case 'bytes': return { bytes: { values: packData(type.dtype, data) } };
    case 'strings': return { strings: { values: (data as string[]).slice() } };
    case 'bools': return { bools: { values: Array.from(data as Uint8Array, (b) => b !== 0) } };
    case 'longInts': return { longInts: { values: Array.from(data as BigInt64Array, bigintToInt64) } };
    default: return { [field]: { values: Array.from(data as ArrayLike<number>) } };
  }
}

/** The data of a TensorValue message of `type`; its member and element count must fit the type. */
export function tensorDataOf(msg: TensorValueMsg | null | undefined, type: MilTensorType, where: string): MilData {
  const field = tensorFieldOf(type.dtype);
  const member = msg?.[field];
  if (!member) throw new FormatError(FORMAT, `${where}: a ${type.dtype} value must be stored in TensorValue.${field}`);
  const count = elementCount(type.shape);
  if (field === 'bytes') {
    const bytes = (member as { values?: Uint8Array }).values ?? new Uint8Array(0);
    const need = packedByteLength(type.dtype, count);
    if (bytes.byteLength !== need) throw new FormatError(FORMAT, `${where}: ${bytes.byteLength} bytes for a ${type.dtype} tensor of shape [${type.shape.join(', ')}], expected ${need}`);
    return unpackData(type.dtype, bytes, count);
  }
  const values = (member as { values?: unknown[] }).values ?? [];
  if (values.length !== count) throw new FormatError(FORMAT, `${where}: ${values.length} values for a tensor of shape [${type.shape.join(', ')}] (${count} elements)`);
  switch (type.dtype) {
    case 'string': return (values as string[]).slice();
    case 'bool': return Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0));
    case 'int64': return BigInt64Array.from(values as Int64[], int64ToBigint);
    case 'fp32': return Float32Array.from(values as number[]);
    case 'fp64': return Float64Array.from(values as number[]);
    case 'int16': return Int16Array.from(values as number[]);
    case 'uint16': return Uint16Array.from(values as number[]);
    default: return Int32Array.from(values as number[]);
  }
}
