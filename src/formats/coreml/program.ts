// A Core ML ML Program (MIL) model as plain data: what the .mlpackage writer serialises, the reader returns and the reference executor runs.

/** MIL element types ondevice writes and reads (MIL.proto `DataType`, lower-case as coremltools prints them). */
export const MIL_DTYPES = ['bool', 'string', 'fp16', 'fp32', 'fp64', 'int4', 'int8', 'int16', 'int32', 'int64', 'uint4', 'uint8', 'uint16', 'uint32'] as const;
/** A MIL element type. */
export type MilDtype = (typeof MIL_DTYPES)[number];

/** A tensor type: element type and a static shape (rank 0 is a scalar). */
export interface MilTensorType {
  dtype: MilDtype;
  shape: number[];
}

/** A list type (the classes of a `classify` op): element type and length. */
export interface MilListType {
  kind: 'list';
  element: MilTensorType;
  length: number;
}

/** A dictionary type (a classifier's label → probability output). */
export interface MilDictType {
  kind: 'dict';
  key: MilTensorType;
  value: MilTensorType;
}

/** Any MIL value type ondevice uses; a tensor type is the one without `kind`. */
export type MilType = MilTensorType | MilListType | MilDictType;

/** A named value: a function input or an operation output. */
export interface MilNamedValue {
  name: string;
  type: MilType;
}

/**
 * Element data of a constant, one array element per tensor element (row-major):
 * fp32 → Float32Array; fp16 → Uint16Array of IEEE half bit patterns; int8/int4 → Int8Array; uint8/uint4 → Uint8Array;
 * int16 → Int16Array; uint16 → Uint16Array; int32 → Int32Array; uint32 → Uint32Array; int64 → BigInt64Array; fp64 → Float64Array;
 * bool → Uint8Array of 0/1; string → string[]. Sub-byte types are unpacked here; the writer packs them in the weight blob.
 */
export type MilData =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array | Uint32Array | BigInt64Array | string[];

/** A constant tensor value. */
export interface MilTensorValue {
  type: MilTensorType;
  data: MilData;
}

/** A constant list value (its items are tensor values of the element type). */
export interface MilListValue {
  type: MilListType;
  items: MilTensorValue[];
}

/** A constant value. */
export type MilValue = MilTensorValue | MilListValue;

/** True for a tensor type. */
export function isTensorType(t: MilType): t is MilTensorType {
  return !('kind' in t);
}

/** One binding of an operation parameter: a value produced earlier (by name) or an inline constant. */
export type MilBinding = { name: string } | { value: MilValue };

/** One MIL operation: `type` (e.g. 'conv'), its parameters by name, its outputs and attributes. */
export interface MilOperation {
  type: string;
  /** Parameter name → bindings; a variadic parameter (concat's `values`) has several, every other one exactly one. */
  inputs: Record<string, MilBinding[]>;
  outputs: MilNamedValue[];
  /** Attributes; a `const` operation carries its tensor as `val` (and its output name as `name`, a string value). */
  attributes: Record<string, MilValue>;
}

/** A function: typed inputs (tensors), the opset its block is specialised for, operations in execution order and output names. */
export interface MilFunction {
  inputs: { name: string; type: MilTensorType }[];
  /** e.g. 'CoreML5' (iOS 15) … 'CoreML8' (iOS 18); the block specialisation key. */
  opset: string;
  operations: MilOperation[];
  outputs: string[];
}

/** The program: functions by name (ondevice writes one, 'main') and string attributes (coremltools writes `buildInfo`). */
export interface MilProgram {
  version: number;
  functions: Record<string, MilFunction>;
  attributes: Record<string, string>;
}

/** The type of a model input or output as Core ML presents it to apps (FeatureTypes.proto). */
export type CoreMlFeatureType =
  | { kind: 'multiArray'; dtype: 'float32' | 'float16' | 'float64' | 'int32'; shape: number[] }
  | { kind: 'image'; width: number; height: number; colorSpace: 'RGB' | 'BGR' | 'GRAYSCALE' }
  | { kind: 'dictionary'; keyType: 'string' | 'int64' }
  | { kind: 'string' }
  | { kind: 'int64' }
  | { kind: 'double' };

/** A model input or output as apps see it. */
export interface CoreMlFeature {
  name: string;
  shortDescription?: string;
  type: CoreMlFeatureType;
}

/** Metadata shown in Xcode. */
export interface CoreMlMetadata {
  shortDescription?: string;
  author?: string;
  license?: string;
  versionString?: string;
  userDefined: Record<string, string>;
}

/** The description apps see: inputs, outputs, the classifier's label/probability outputs, metadata. */
export interface CoreMlDescription {
  inputs: CoreMlFeature[];
  outputs: CoreMlFeature[];
  /** Classifiers: the output holding the predicted label. */
  predictedFeatureName?: string;
  /** Classifiers: the output holding the label → probability dictionary. */
  predictedProbabilitiesName?: string;
  metadata: CoreMlMetadata;
}

/** A Core ML model holding an ML Program (Model.proto with `mlProgram` set). */
export interface CoreMlModel {
  /** 6 = iOS 15, 7 = iOS 16, 8 = iOS 17, 9 = iOS 18. */
  specificationVersion: number;
  description: CoreMlDescription;
  program: MilProgram;
}

/** iOS version → Core ML specification version and the MIL opset ML Programs use there. */
export const IOS_TARGETS = {
  15: { specificationVersion: 6, opset: 'CoreML5' },
  16: { specificationVersion: 7, opset: 'CoreML6' },
  17: { specificationVersion: 8, opset: 'CoreML7' },
  18: { specificationVersion: 9, opset: 'CoreML8' },
} as const;
/** An iOS version ondevice targets. */
export type MinIos = keyof typeof IOS_TARGETS;

/** Metadata key (userDefined) where ondevice records the source model's I/O names: JSON `{ "<MIL name>": "<source name>" }`. */
export const IO_NAMES_KEY = 'com.ondevice.io-names';
