// The ONNX protobuf schema loaded at runtime with protobufjs reflection, plus typings of its messages.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/*
 * Why reflection rather than a pbjs static module: protobufjs compiles the same specialised
 * decode/encode functions at runtime that `pbjs -t static-module` emits. Measured on the 10.8 MB
 * PaddleOCR rec model (20 runs, 2 busy cores): decode min 0.6 ms for both, median 2.6 ms (reflection)
 * vs 3.3 ms (static); encode min 17 vs 10 ms, medians 227 vs 118 ms, dominated by copying the
 * 10 MB of weights and noisy. Not worth a generated 230 KB file; parsing the .proto costs ~20 ms once.
 */

/** An int64 as protobufjs hands it over (a long.js Long, or a number) or takes it (also `{low, high}`). */
export type Int64 = number | { low: number; high: number; unsigned?: boolean; toNumber?(): number };

export interface StringStringEntryProto { key?: string; value?: string }
export interface OperatorSetIdProto { domain?: string; version?: Int64 }

export interface TensorProto {
  dims?: Int64[];
  data_type?: number;
  segment?: { begin?: Int64; end?: Int64 };
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64[];
  name?: string;
  doc_string?: string;
  raw_data?: Uint8Array;
  external_data?: StringStringEntryProto[];
  data_location?: number;
  double_data?: number[];
  uint64_data?: Int64[];
  metadata_props?: StringStringEntryProto[];
}

export interface SparseTensorProto { values?: TensorProto; indices?: TensorProto; dims?: Int64[] }

export interface DimensionProto { dim_value?: Int64; dim_param?: string; denotation?: string }
export interface TensorShapeProto { dim?: DimensionProto[] }

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  sequence_type?: { elem_type?: TypeProto };
  map_type?: { key_type?: number; value_type?: TypeProto };
  optional_type?: { elem_type?: TypeProto };
  sparse_tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  denotation?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface AttributeProto {
  name?: string;
  ref_attr_name?: string;
  doc_string?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  sparse_tensor?: SparseTensorProto;
  tp?: TypeProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  sparse_tensors?: SparseTensorProto[];
  type_protos?: TypeProto[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface TensorAnnotationProto { tensor_name?: string; quant_parameter_tensor_names?: StringStringEntryProto[] }

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  sparse_initializer?: SparseTensorProto[];
  doc_string?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  quantization_annotation?: TensorAnnotationProto[];
  metadata_props?: StringStringEntryProto[];
}

export interface FunctionProto {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  attribute_proto?: AttributeProto[];
  node?: NodeProto[];
  doc_string?: string;
  opset_import?: OperatorSetIdProto[];
  domain?: string;
  overload?: string;
  value_info?: ValueInfoProto[];
  metadata_props?: StringStringEntryProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  opset_import?: OperatorSetIdProto[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  metadata_props?: StringStringEntryProto[];
  training_info?: unknown[];
  functions?: FunctionProto[];
  /** Encoded fields protobufjs did not recognise (tag included); re-emitted verbatim on encode. */
  $unknowns?: Uint8Array[];
}

/** TensorProto.DataLocation.EXTERNAL */
export const DATA_LOCATION_EXTERNAL = 1;

/** AttributeProto.AttributeType codes. */
export const ATTRIBUTE_TYPE = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

const schemaPath = new URL('./onnx.proto', import.meta.url);
let cached: { model: protobuf.Type; training: protobuf.Type } | undefined;

function schema(): { model: protobuf.Type; training: protobuf.Type } {
  if (!cached) {
    const root = protobuf.parse(readFileSync(schemaPath, 'utf8'), { keepCase: true }).root;
    cached = { model: root.lookupType('onnx.ModelProto'), training: root.lookupType('onnx.TrainingInfoProto') };
  }
  return cached;
}

/** Decodes ModelProto bytes; unknown fields are kept in `$unknowns`. Throws protobufjs errors on bad wire data. */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  return schema().model.decode(reader) as unknown as ModelProto;
}

/** Encodes a ModelProto given as a plain object (snake_case field names, `$unknowns` re-emitted). */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return schema().model.encode(model as unknown as protobuf.Message).finish();
}

/** Encodes `training_info` entries back into complete ModelProto field bytes (tag 20 included). */
export function encodeTrainingInfoFields(entries: unknown[]): Uint8Array[] {
  return entries.map((e) => schema().model.encode({ training_info: [e] } as unknown as protobuf.Message).finish());
}

/** An int64 from protobufjs as a JS number (values beyond 2^53 lose precision). */
export function int64ToNumber(v: Int64 | undefined): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v.toNumber) return v.toNumber();
  return (v.unsigned ? v.high >>> 0 : v.high | 0) * 2 ** 32 + (v.low >>> 0);
}

const INT64_MAX = { low: 0xffffffff, high: 0x7fffffff, unsigned: false };
const INT64_MIN = { low: 0, high: 0x80000000 | 0, unsigned: false };

/** A JS number as an int64 for encoding: truncated, saturated to ±(2^63-1) (and -2^63); NaN becomes 0. */
export function numberToInt64(n: number): Int64 {
  if (Number.isNaN(n)) return 0;
  if (n >= 2 ** 63) return INT64_MAX;
  if (n < -(2 ** 63)) return INT64_MIN;
  return Math.trunc(n);
}
