// ONNX TensorProto.DataType codes mapped to and from IR dtype names.
import type { DType } from '../../ir/dtype.ts';

/** IR dtype for each ONNX data type code (index = code; 0 is UNDEFINED). */
const DTYPE_BY_CODE: readonly (DType | undefined)[] = [
  undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16',
  'float64', 'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz',
  'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1',
];

const CODE_BY_DTYPE = new Map<DType, number>(
  DTYPE_BY_CODE.flatMap((d, code) => (d ? [[d, code] as [DType, number]] : [])),
);

/** The IR dtype of an ONNX data type code, or undefined for UNDEFINED and codes the IR lacks. */
export function dtypeFromOnnx(code: number | undefined): DType | undefined {
  return code === undefined ? undefined : DTYPE_BY_CODE[code];
}

/** The ONNX data type code of an IR dtype. */
export function dtypeToOnnx(dtype: DType): number {
  const code = CODE_BY_DTYPE.get(dtype);
  if (code === undefined) throw new Error(`no ONNX data type for dtype ${dtype}`);
  return code;
}
