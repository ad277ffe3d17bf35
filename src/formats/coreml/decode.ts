// Model.proto bytes → CoreMlModel; constants stored in a weight file are loaded through a callback.
import { FormatError } from '../../errors.ts';
import { int64ToNumber } from '../onnx/proto.ts';
import { BUILD_INFO } from './encode.ts';
import { decodeModelMsg, type FeatureDescriptionMsg, type FunctionMsg, type ModelMsg, type OperationMsg, type ProgramMsg, type ValueMsg } from './proto.ts';
import { isTensorType, type CoreMlDescription, type CoreMlFeature, type CoreMlModel, type MilBinding, type MilData, type MilFunction, type MilOperation, type MilProgram, type MilTensorType, type MilValue } from './program.ts';
import { featureTypeOf, milTypeOf, tensorTypeOf } from './types.ts';
import { tensorDataOf } from './values.ts';

const FORMAT = 'coreml';

/** How the decoder reaches weight files, and what it tells about each constant tensor it decodes. */
export interface DecodeHooks {
  /** The data of the blob at `offset` of `fileName` (as written in the BlobFileValue) as a tensor of `type`. */
  blob(fileName: string, offset: number, type: MilTensorType, where: string): MilData;
  /** Called for every constant tensor value, with where it was stored. */
  onTensor?(type: MilTensorType, storage: 'blob' | 'immediate'): void;
}

class Decoder {
  constructor(private readonly hooks: DecodeHooks) {}

  value(msg: ValueMsg | null | undefined, where: string): MilValue {
    if (!msg) throw new FormatError(FORMAT, `${where}: missing value`);
    const type = milTypeOf(msg.type, where);
    if (isTensorType(type)) {
      if (msg.blobFileValue) {
        const data = this.hooks.blob(msg.blobFileValue.fileName ?? '', int64ToNumber(msg.blobFileValue.offset), type, where);
        this.hooks.onTensor?.(type, 'blob');
        return { type, data };
      }
      const data = tensorDataOf(msg.immediateValue?.tensor, type, where);
      this.hooks.onTensor?.(type, 'immediate');
      return { type, data };
    }
    if (type.kind === 'list') {
      const items = (msg.immediateValue?.list?.values ?? []).map((v, i) => this.value(v, `${where}[${i}]`));
      if (items.some((i) => !isTensorType(i.type))) throw new FormatError(FORMAT, `${where}: nested lists are not supported`);
      if (type.length < 0) type.length = items.length;
      return { type, items: items as Extract<MilValue, { data: unknown }>[] };
    }
    throw new FormatError(FORMAT, `${where}: dictionary values are only supported as the program's ${BUILD_INFO}`);
  }

  values(map: Record<string, ValueMsg> | undefined, where: string): Record<string, MilValue> {
    return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, this.value(v, `${where} attribute '${k}'`)]));
  }

  operation(msg: OperationMsg, where: string): MilOperation {
    const type = msg.type ?? '';
    const name = (msg.outputs ?? [])[0]?.name ?? '?';
    const at = `${where} op '${name}' (${type})`;
    if ((msg.blocks ?? []).length > 0) throw new FormatError(FORMAT, `${at}: control-flow blocks are not supported`);
    const inputs: Record<string, MilBinding[]> = {};
    for (const [param, arg] of Object.entries(msg.inputs ?? {})) {
      inputs[param] = (arg.arguments ?? []).map((b, i): MilBinding => {
        if (b.value) return { value: this.value(b.value, `${at} input '${param}'[${i}]`) };
        if (b.name !== undefined && b.name !== '') return { name: b.name };
        throw new FormatError(FORMAT, `${at} input '${param}'[${i}]: binding has neither a name nor a value`);
      });
    }
    return {
      type,
      inputs,
      outputs: (msg.outputs ?? []).map((o) => ({ name: o.name ?? '', type: milTypeOf(o.type, `${at} output '${o.name}'`) })),
      attributes: this.values(msg.attributes, at),
    };
  }

  function(name: string, msg: FunctionMsg): MilFunction {
    const where = `function '${name}'`;
    const opset = msg.opset ?? '';
    const block = msg.block_specializations?.[opset];
    if (!block) throw new FormatError(FORMAT, `${where}: no block specialised for its opset '${opset}' (has ${Object.keys(msg.block_specializations ?? {}).join(', ') || 'none'})`);
    return {
      inputs: (msg.inputs ?? []).map((i) => ({ name: i.name ?? '', type: tensorTypeOf(i.type, `${where} input '${i.name}'`) })),
      opset,
      operations: (block.operations ?? []).map((op) => this.operation(op, where)),
      outputs: [...(block.outputs ?? [])],
    };
  }

  program(msg: ProgramMsg): MilProgram {
    const functions: Record<string, MilFunction> = {};
    for (const [name, f] of Object.entries(msg.functions ?? {})) functions[name] = this.function(name, f);
    return { version: int64ToNumber(msg.version), functions, attributes: buildInfoOf(msg.attributes?.[BUILD_INFO]) };
  }
}

/** The string entries of the buildInfo dictionary (other program attributes are not kept). */
function buildInfoOf(v: ValueMsg | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of v?.immediateValue?.dictionary?.values ?? []) {
    const k = kv.key?.immediateValue?.tensor?.strings?.values?.[0];
    const val = kv.value?.immediateValue?.tensor?.strings?.values?.[0];
    if (k !== undefined && val !== undefined) out[k] = val;
  }
  return out;
}

function feature(f: FeatureDescriptionMsg, where: string): CoreMlFeature {
  const name = f.name ?? '';
  return { name, ...(f.shortDescription ? { shortDescription: f.shortDescription } : {}), type: featureTypeOf(f.type, `${where} '${name}'`) };
}

function description(msg: ModelMsg): CoreMlDescription {
  const d = msg.description ?? {};
  // A multi-function description (iOS 18) keeps I/O per function: describe the default one.
  const fn = (d.functions ?? []).find((f) => f.name === d.defaultFunctionName) ?? d;
  const m = d.metadata ?? {};
  return {
    inputs: (fn.input ?? []).map((f) => feature(f, 'description input')),
    outputs: (fn.output ?? []).map((f) => feature(f, 'description output')),
    ...(fn.predictedFeatureName ? { predictedFeatureName: fn.predictedFeatureName } : {}),
    ...(fn.predictedProbabilitiesName ? { predictedProbabilitiesName: fn.predictedProbabilitiesName } : {}),
    metadata: {
      ...(m.shortDescription ? { shortDescription: m.shortDescription } : {}),
      ...(m.author ? { author: m.author } : {}),
      ...(m.license ? { license: m.license } : {}),
      ...(m.versionString ? { versionString: m.versionString } : {}),
      userDefined: { ...(m.userDefined ?? {}) },
    },
  };
}

/** Decodes model.mlmodel bytes holding an ML Program. Throws FormatError (no file named: the caller adds it). */
export function decodeCoreMl(bytes: Uint8Array, hooks: DecodeHooks): CoreMlModel {
  let msg: ModelMsg;
  try {
    msg = decodeModelMsg(bytes);
  } catch (e) {
    throw new FormatError(FORMAT, `not a Core ML model file (protobuf: ${(e as Error).message})`, { cause: e });
  }
  if (!msg.mlProgram) {
    throw new FormatError(FORMAT, `holds no ML Program (specification version ${msg.specificationVersion ?? 0}); only ML Program models (iOS 15+) are supported`);
  }
  return { specificationVersion: msg.specificationVersion ?? 0, description: description(msg), program: new Decoder(hooks).program(msg.mlProgram) };
}
