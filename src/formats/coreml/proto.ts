// Apple's Core ML protobuf schema (Model.proto excerpt, MIL.proto, FeatureTypes.proto) loaded with protobufjs reflection, plus typings.
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import type { Int64 } from '../onnx/proto.ts';

/*
 * Reflection rather than a generated module, as for ONNX (see ../onnx/proto.ts). The three vendored files are parsed
 * into one root in dependency order; field names keep Apple's camelCase (keepCase), so objects read like the .proto.
 */

export type { Int64 };

/** MIL.proto `Dimension`. */
export interface DimensionMsg { constant?: { size?: Int64 } | null; unknown?: { variadic?: boolean } | null }
/** MIL.proto `TensorType`. */
export interface TensorTypeMsg { dataType?: number; rank?: Int64; dimensions?: DimensionMsg[]; attributes?: Record<string, ValueMsg> }
/** MIL.proto `ValueType` (one of its members set). */
export interface ValueTypeMsg {
  tensorType?: TensorTypeMsg | null;
  listType?: { type?: ValueTypeMsg | null; length?: DimensionMsg | null } | null;
  tupleType?: { types?: ValueTypeMsg[] } | null;
  dictionaryType?: { keyType?: ValueTypeMsg | null; valueType?: ValueTypeMsg | null } | null;
  stateType?: { wrappedType?: ValueTypeMsg | null } | null;
}
/** MIL.proto `TensorValue` (one of its members set). */
export interface TensorValueMsg {
  floats?: { values?: number[] } | null;
  ints?: { values?: number[] } | null;
  bools?: { values?: boolean[] } | null;
  strings?: { values?: string[] } | null;
  longInts?: { values?: Int64[] } | null;
  doubles?: { values?: number[] } | null;
  bytes?: { values?: Uint8Array } | null;
}
/** MIL.proto `Value`: a type and an immediate value or a reference into a blob file. */
export interface ValueMsg {
  docString?: string;
  type?: ValueTypeMsg | null;
  immediateValue?: {
    tensor?: TensorValueMsg | null;
    tuple?: { values?: ValueMsg[] } | null;
    list?: { values?: ValueMsg[] } | null;
    dictionary?: { values?: { key?: ValueMsg | null; value?: ValueMsg | null }[] } | null;
  } | null;
  blobFileValue?: { fileName?: string; offset?: Int64 } | null;
}
/** MIL.proto `NamedValueType`. */
export interface NamedValueTypeMsg { name?: string; type?: ValueTypeMsg | null }
/** MIL.proto `Argument`. */
export interface ArgumentMsg { arguments?: { name?: string; value?: ValueMsg | null }[] }
/** MIL.proto `Operation`. */
export interface OperationMsg {
  type?: string;
  inputs?: Record<string, ArgumentMsg>;
  outputs?: NamedValueTypeMsg[];
  blocks?: BlockMsg[];
  attributes?: Record<string, ValueMsg>;
}
/** MIL.proto `Block`. */
export interface BlockMsg { inputs?: NamedValueTypeMsg[]; outputs?: string[]; operations?: OperationMsg[]; attributes?: Record<string, ValueMsg> }
/** MIL.proto `Function`. */
export interface FunctionMsg { inputs?: NamedValueTypeMsg[]; opset?: string; block_specializations?: Record<string, BlockMsg>; attributes?: Record<string, ValueMsg> }
/** MIL.proto `Program`. */
export interface ProgramMsg { version?: Int64; functions?: Record<string, FunctionMsg>; docString?: string; attributes?: Record<string, ValueMsg> }

/** FeatureTypes.proto `FeatureType` (the members ondevice uses). */
export interface FeatureTypeMsg {
  int64Type?: object | null;
  doubleType?: object | null;
  stringType?: object | null;
  imageType?: { width?: Int64; height?: Int64; colorSpace?: number } | null;
  multiArrayType?: { shape?: Int64[]; dataType?: number } | null;
  dictionaryType?: { int64KeyType?: object | null; stringKeyType?: object | null } | null;
  sequenceType?: object | null;
  stateType?: object | null;
  isOptional?: boolean;
}
/** Model.proto `FeatureDescription`. */
export interface FeatureDescriptionMsg { name?: string; shortDescription?: string; type?: FeatureTypeMsg | null }
/** Model.proto `Metadata`. */
export interface MetadataMsg { shortDescription?: string; versionString?: string; author?: string; license?: string; userDefined?: Record<string, string> }
/** Model.proto `FunctionDescription`. */
export interface FunctionDescriptionMsg {
  name?: string;
  input?: FeatureDescriptionMsg[];
  output?: FeatureDescriptionMsg[];
  state?: FeatureDescriptionMsg[];
  predictedFeatureName?: string;
  predictedProbabilitiesName?: string;
}
/** Model.proto `ModelDescription`. */
export interface ModelDescriptionMsg extends FunctionDescriptionMsg {
  functions?: FunctionDescriptionMsg[];
  defaultFunctionName?: string;
  metadata?: MetadataMsg | null;
  trainingInput?: FeatureDescriptionMsg[];
}
/** Model.proto `Model` (ML Program member only). */
export interface ModelMsg { specificationVersion?: number; description?: ModelDescriptionMsg | null; isUpdatable?: boolean; mlProgram?: ProgramMsg | null }

/** MIL.proto `DataType` codes by the names ondevice uses. */
export const MIL_DATA_TYPE = {
  bool: 1, string: 2, fp16: 10, fp32: 11, fp64: 12, int8: 21, int16: 22, int32: 23, int64: 24, int4: 25,
  uint8: 31, uint16: 32, uint32: 33, uint4: 35,
} as const;

/** FeatureTypes.proto `ArrayFeatureType.ArrayDataType` codes. */
export const ARRAY_DATA_TYPE = { float32: 65568, float64: 65600, int32: 131104, float16: 65552 } as const;

/** FeatureTypes.proto `ImageFeatureType.ColorSpace` codes. */
export const COLOR_SPACE = { GRAYSCALE: 10, RGB: 20, BGR: 30 } as const;

const FILES = ['FeatureTypes.proto', 'MIL.proto', 'Model.proto'];
let cached: protobuf.Type | undefined;

function modelType(): protobuf.Type {
  if (!cached) {
    const root = new protobuf.Root();
    for (const f of FILES) protobuf.parse(readFileSync(new URL(`./proto/${f}`, import.meta.url), 'utf8'), root, { keepCase: true });
    cached = root.lookupType('CoreML.Specification.Model');
  }
  return cached;
}

/** Decodes Model bytes (fields this schema lacks are skipped). Throws protobufjs errors on bad wire data. */
export function decodeModelMsg(bytes: Uint8Array): ModelMsg {
  return modelType().decode(bytes) as unknown as ModelMsg;
}

/** Encodes a Model given as a plain object. */
export function encodeModelMsg(model: ModelMsg): Uint8Array {
  return modelType().encode(model as unknown as protobuf.Message).finish();
}
