// TensorFlow DataType names (DT_FLOAT, …) as IR element types: shared by the TF.js reader, its lift and the TF.js runtime.
import type { DType } from './dtype.ts';

/** TensorFlow `DataType` enum: name ↔ number (protobuf JSON may write either). */
const TF_DTYPE_NUMBERS: Record<string, number> = {
  DT_FLOAT: 1, DT_DOUBLE: 2, DT_INT32: 3, DT_UINT8: 4, DT_INT16: 5, DT_INT8: 6, DT_STRING: 7, DT_COMPLEX64: 8,
  DT_INT64: 9, DT_BOOL: 10, DT_QINT8: 11, DT_QUINT8: 12, DT_QINT32: 13, DT_BFLOAT16: 14, DT_QINT16: 15, DT_QUINT16: 16,
  DT_UINT16: 17, DT_COMPLEX128: 18, DT_HALF: 19, DT_RESOURCE: 20, DT_VARIANT: 21, DT_UINT32: 22, DT_UINT64: 23,
};

/** The one table from TensorFlow element types to IR element types (types with no IR counterpart are absent). */
const TF_TO_IR: Readonly<Record<string, DType>> = {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_INT32: 'int32', DT_UINT8: 'uint8', DT_INT16: 'int16', DT_INT8: 'int8',
  DT_STRING: 'string', DT_COMPLEX64: 'complex64', DT_INT64: 'int64', DT_BOOL: 'bool', DT_BFLOAT16: 'bfloat16',
  DT_UINT16: 'uint16', DT_COMPLEX128: 'complex128', DT_HALF: 'float16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
};

/** A TensorFlow DataType name (`DT_FLOAT`) from its JSON form (name, `DT_FLOAT_REF`, or enum number). */
export function tfDTypeName(v: unknown): string | undefined {
  if (typeof v === 'string') return v.endsWith('_REF') ? v.slice(0, -4) : v;
  if (typeof v === 'number') {
    const base = v > 100 ? v - 100 : v;
    return Object.keys(TF_DTYPE_NUMBERS).find((k) => TF_DTYPE_NUMBERS[k] === base);
  }
  return undefined;
}

/** The IR element type of a TensorFlow DataType (`'DT_FLOAT'` → `'float32'`), or undefined when the IR has none. */
export function tfDType(name: string | undefined): DType | undefined {
  return name === undefined ? undefined : TF_TO_IR[name];
}

