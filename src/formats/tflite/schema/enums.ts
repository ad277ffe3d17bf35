// TFLite enums from schema.fbs: tensor types, the builtin operators ondevice knows, activations, padding.
import type { DType } from '../../../ir/dtype.ts';

/** TensorType codes, indexed by code. */
export const TENSOR_TYPES = [
  'FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8', 'FLOAT64',
  'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4',
] as const;
/** A TFLite tensor type name. */
export type TensorTypeName = (typeof TENSOR_TYPES)[number];

const DTYPE_OF: Partial<Record<TensorTypeName, DType>> = {
  FLOAT32: 'float32', FLOAT16: 'float16', INT32: 'int32', UINT8: 'uint8', INT64: 'int64', STRING: 'string', BOOL: 'bool',
  INT16: 'int16', COMPLEX64: 'complex64', INT8: 'int8', FLOAT64: 'float64', COMPLEX128: 'complex128', UINT64: 'uint64',
  UINT32: 'uint32', UINT16: 'uint16', INT4: 'int4',
};

/** The IR dtype of a TensorType code, or undefined (resource, variant, unknown codes). */
export function dtypeOfTensorType(code: number): DType | undefined {
  const name = TENSOR_TYPES[code];
  return name ? DTYPE_OF[name] : undefined;
}

/** The TensorType code of an IR dtype, or undefined when TFLite has none. */
export function tensorTypeOf(dtype: DType): number | undefined {
  const i = TENSOR_TYPES.findIndex((n) => DTYPE_OF[n] === dtype);
  return i < 0 ? undefined : i;
}

/**
 * Builtin operator codes (BuiltinOperator enum). Listed: the ones the compiler emits plus common
 * ones a reader meets; other codes read back as `BUILTIN_<n>`.
 */
export const BUILTIN_OPS = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEPTH_TO_SPACE: 5, DEQUANTIZE: 6,
  FLOOR: 8, FULLY_CONNECTED: 9, L2_NORMALIZATION: 11, LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19,
  RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25, SPACE_TO_DEPTH: 26, TANH: 28,
  CUSTOM: 32, PAD: 34, GATHER: 36, BATCH_TO_SPACE_ND: 37, SPACE_TO_BATCH_ND: 38, TRANSPOSE: 39, MEAN: 40, SUB: 41,
  DIV: 42, SQUEEZE: 43, STRIDED_SLICE: 45, EXP: 47, SPLIT: 49, LOG_SOFTMAX: 50, CAST: 53, PRELU: 54, MAXIMUM: 55,
  ARG_MAX: 56, MINIMUM: 57, PADV2: 60, SLICE: 65, TRANSPOSE_CONV: 67, EXPAND_DIMS: 70, SUM: 74, SQRT: 75, RSQRT: 76,
  LOG: 73, SHAPE: 77, POW: 78, REDUCE_MAX: 82, PACK: 83, UNPACK: 88, SQUARE: 92, RESIZE_NEAREST_NEIGHBOR: 97, LEAKY_RELU: 98, SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100, ABS: 101, SPLIT_V: 102, GATHER_ND: 107, QUANTIZE: 114, HARD_SWISH: 117, BATCH_MATMUL: 126,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127, BROADCAST_TO: 130, GELU: 150, SIGN: 158,
} as const;
/** A builtin operator name ondevice knows. */
export type BuiltinOpName = keyof typeof BUILTIN_OPS;

const NAME_OF_CODE = new Map<number, string>(Object.entries(BUILTIN_OPS).map(([k, v]) => [v, k]));

/** The name of a builtin code (`BUILTIN_<n>` when ondevice does not know it). */
export function builtinName(code: number): string {
  return NAME_OF_CODE.get(code) ?? `BUILTIN_${code}`;
}

/** ActivationFunctionType. */
export const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
/** A fused activation name. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Padding. */
export const PADDING = { SAME: 0, VALID: 1 } as const;
