// CoreMlModel → Model.proto bytes plus the weight.bin the program's large constants live in (as coremltools' MIL backend writes them).
import { BlobWriter, BLOB_DTYPE_CODES, elementCount } from './blob.ts';
import { encodeModelMsg, type FeatureDescriptionMsg, type ModelMsg, type OperationMsg, type ProgramMsg, type ValueMsg } from './proto.ts';
import { isTensorType, type CoreMlFeature, type CoreMlModel, type MilFunction, type MilOperation, type MilProgram, type MilTensorType, type MilValue } from './program.ts';
import { featureTypeMsg, tensorTypeMsg, valueTypeMsg } from './types.ts';
import { tensorValueMsg } from './values.ts';

/** What a const's BlobFileValue.fileName says (relative to the folder holding model.mlmodel). */
export const WEIGHT_FILE_NAME = '@model_path/weights/weight.bin';
/** Tensors with at least this many elements go to the weight file (coremltools load.py should_use_weight_file). */
export const BLOB_MIN_ELEMENTS = 10;
/** The program attribute coremltools keeps its build facts in (a dictionary of strings). */
export const BUILD_INFO = 'buildInfo';

const BLOB_DTYPES_BEFORE_IOS18 = new Set(['fp16', 'fp32', 'uint8', 'int8', 'int4', 'uint4']);

/**
 * Whether a constant tensor is written to the weight file rather than inline: at least 10 elements of a type
 * coremltools stores in blobs (fp16, fp32, uint8, int8 and the sub-byte int4/uint4; from specification 9, iOS 18, also
 * int16, uint16, int32, uint32).
 */
export function storesInBlob(type: MilTensorType, specificationVersion: number): boolean {
  if (elementCount(type.shape) < BLOB_MIN_ELEMENTS || BLOB_DTYPE_CODES[type.dtype] === undefined) return false;
  return specificationVersion >= 9 || BLOB_DTYPES_BEFORE_IOS18.has(type.dtype);
}

/** The encoded model file and weight file. */
export interface EncodedCoreMl {
  /** Data/com.apple.CoreML/model.mlmodel */
  model: Uint8Array;
  /** Data/com.apple.CoreML/weights/weight.bin (a bare header when nothing is stored in it). */
  weights: Uint8Array;
}

class Encoder {
  readonly blobs = new BlobWriter();
  constructor(private readonly specificationVersion: number) {}

  value(v: MilValue): ValueMsg {
    if (!isTensorType(v.type)) {
      const items = (v as Extract<MilValue, { items: unknown }>).items;
      return { type: valueTypeMsg(v.type), immediateValue: { list: { values: items.map((i) => this.value(i)) } } };
    }
    const t = v.type;
    const data = (v as Extract<MilValue, { data: unknown }>).data;
    if (storesInBlob(t, this.specificationVersion)) {
      return { type: tensorTypeMsg(t), blobFileValue: { fileName: WEIGHT_FILE_NAME, offset: this.blobs.add(t.dtype, data) } };
    }
    return { type: tensorTypeMsg(t), immediateValue: { tensor: tensorValueMsg(t, data) } };
  }

  values(map: Record<string, MilValue>): Record<string, ValueMsg> {
    return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, this.value(v)]));
  }

  operation(op: MilOperation): OperationMsg {
    return {
      type: op.type,
      inputs: Object.fromEntries(Object.entries(op.inputs).map(([param, bindings]) => [param, {
        arguments: bindings.map((b) => ('name' in b ? { name: b.name } : { value: this.value(b.value) })),
      }])),
      outputs: op.outputs.map((o) => ({ name: o.name, type: valueTypeMsg(o.type) })),
      attributes: this.values(op.attributes),
    };
  }

  function(f: MilFunction) {
    return {
      inputs: f.inputs.map((i) => ({ name: i.name, type: tensorTypeMsg(i.type) })),
      opset: f.opset,
      block_specializations: { [f.opset]: { outputs: f.outputs, operations: f.operations.map((op) => this.operation(op)) } },
    };
  }

  program(p: MilProgram): ProgramMsg {
    const msg: ProgramMsg = { version: p.version, functions: {} };
    for (const [name, f] of Object.entries(p.functions)) msg.functions![name] = this.function(f);
    const entries = Object.entries(p.attributes);
    if (entries.length > 0) msg.attributes = { [BUILD_INFO]: buildInfoValue(entries) };
    return msg;
  }
}

/** The buildInfo attribute: dict<string, string> of `entries` (coremltools MLModel._set_build_info_mil_attributes). */
function buildInfoValue(entries: [string, string][]): ValueMsg {
  const str = { dtype: 'string', shape: [] } as const;
  const scalar = (s: string): ValueMsg => ({ type: tensorTypeMsg({ ...str, shape: [] }), immediateValue: { tensor: { strings: { values: [s] } } } });
  return {
    type: valueTypeMsg({ kind: 'dict', key: { ...str, shape: [] }, value: { ...str, shape: [] } }),
    immediateValue: { dictionary: { values: entries.map(([k, v]) => ({ key: scalar(k), value: scalar(v) })) } },
  };
}

function feature(f: CoreMlFeature): FeatureDescriptionMsg {
  return { name: f.name, ...(f.shortDescription ? { shortDescription: f.shortDescription } : {}), type: featureTypeMsg(f.type) };
}

/**
 * Serialises `model`: the Model message (specification version, description, mlProgram) and the weight file holding
 * every constant tensor {@link storesInBlob} picks, referred to as `@model_path/weights/weight.bin` at its metadata
 * offset. The program's `attributes` become the `buildInfo` dictionary.
 */
export function encodeCoreMl(model: CoreMlModel): EncodedCoreMl {
  const enc = new Encoder(model.specificationVersion);
  const d = model.description;
  const m = d.metadata;
  const msg: ModelMsg = {
    specificationVersion: model.specificationVersion,
    description: {
      input: d.inputs.map(feature),
      output: d.outputs.map(feature),
      ...(d.predictedFeatureName ? { predictedFeatureName: d.predictedFeatureName } : {}),
      ...(d.predictedProbabilitiesName ? { predictedProbabilitiesName: d.predictedProbabilitiesName } : {}),
      metadata: {
        ...(m.shortDescription ? { shortDescription: m.shortDescription } : {}),
        ...(m.versionString ? { versionString: m.versionString } : {}),
        ...(m.author ? { author: m.author } : {}),
        ...(m.license ? { license: m.license } : {}),
        userDefined: { ...m.userDefined },
      },
    },
    mlProgram: enc.program(model.program),
  };
  return { model: encodeModelMsg(msg), weights: enc.blobs.bytes() };
}
