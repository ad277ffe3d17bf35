// Plain objects mirroring the TFLite tables (field names exactly as in schema.fbs), as the codec reads and writes them.

/** Builtin options: a plain record of the options table's fields. */
export type TflOptions = Record<string, number | boolean | number[]>;

/** QuantizationParameters: real = scale * (q - zero_point). */
export interface TflQuantization {
  min?: number[];
  max?: number[];
  scale?: number[];
  zero_point?: number[];
  quantized_dimension?: number;
}

/** Tensor. `buffer` 0 = no data (the empty sentinel buffer). */
export interface TflTensor {
  shape: number[];
  /** TensorType code. */
  type: number;
  buffer: number;
  name: string;
  quantization?: TflQuantization;
  is_variable?: boolean;
  /** `shape` with -1 for dimensions that vary. */
  shape_signature?: number[];
  has_rank?: boolean;
}

/** Operator. Optional inputs are -1. */
export interface TflOperator {
  opcode_index: number;
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type byte (0 = none). */
  builtin_options_type?: number;
  builtin_options?: TflOptions;
  /** A custom op's options as stored (the op defines the layout; MediaPipe's are raw C structs). */
  custom_options?: Uint8Array;
  custom_options_format?: number;
  intermediates?: number[];
}

/** SubGraph. */
export interface TflSubGraph {
  tensors: TflTensor[];
  inputs: number[];
  outputs: number[];
  operators: TflOperator[];
  name?: string;
}

/** OperatorCode: both the int8 deprecated code (min(code, 127)) and the int32 code. */
export interface TflOperatorCode {
  deprecated_builtin_code: number;
  builtin_code: number;
  custom_code?: string;
  version: number;
}

/** Buffer. */
export interface TflBuffer {
  data?: Uint8Array;
  offset?: number;
  size?: number;
}

/** Metadata: a named buffer. */
export interface TflMetadata {
  name: string;
  buffer: number;
}

/** SignatureDef tensor alias. */
export interface TflTensorMap {
  name: string;
  tensor_index: number;
}

/** SignatureDef. */
export interface TflSignatureDef {
  inputs: TflTensorMap[];
  outputs: TflTensorMap[];
  signature_key?: string;
  subgraph_index?: number;
}

/** Model, the root table. Buffer 0 must be the empty sentinel. */
export interface TflModel {
  version: number;
  operator_codes: TflOperatorCode[];
  subgraphs: TflSubGraph[];
  description?: string;
  buffers: TflBuffer[];
  metadata?: TflMetadata[];
  signature_defs?: TflSignatureDef[];
}
