// MIL value types and Core ML feature types ↔ their protobuf messages (MIL.proto ValueType, FeatureTypes.proto FeatureType).
import { FormatError } from '../../errors.ts';
import { int64ToNumber } from '../onnx/proto.ts';
import { ARRAY_DATA_TYPE, COLOR_SPACE, MIL_DATA_TYPE, type DimensionMsg, type FeatureTypeMsg, type ValueTypeMsg } from './proto.ts';
import { isTensorType, MIL_DTYPES, type CoreMlFeatureType, type MilDtype, type MilTensorType, type MilType } from './program.ts';

const FORMAT = 'coreml';

/** The MIL.proto DataType code of an element type. */
export function dtypeCode(dtype: MilDtype): number {
  return MIL_DATA_TYPE[dtype];
}

/** The element type of a MIL.proto DataType code; throws FormatError for codes ondevice does not handle (bfloat16, uint2, ...). */
export function dtypeOfCode(code: number | undefined, where: string): MilDtype {
  const dtype = MIL_DTYPES.find((d) => MIL_DATA_TYPE[d] === code);
  if (!dtype) throw new FormatError(FORMAT, `${where}: MIL data type ${code ?? '(none)'} is not supported`);
  return dtype;
}

function dimMsg(size: number): DimensionMsg {
  return size < 0 ? { unknown: { variadic: false } } : { constant: { size } };
}

/** A tensor type as a ValueType message. */
export function tensorTypeMsg(t: MilTensorType): ValueTypeMsg {
  return { tensorType: { dataType: dtypeCode(t.dtype), rank: t.shape.length, dimensions: t.shape.map(dimMsg) } };
}

/** A MIL type as a ValueType message. */
export function valueTypeMsg(t: MilType): ValueTypeMsg {
  if (isTensorType(t)) return tensorTypeMsg(t);
  if (t.kind === 'list') return { listType: { type: tensorTypeMsg(t.element), length: dimMsg(t.length) } };
  return { dictionaryType: { keyType: tensorTypeMsg(t.key), valueType: tensorTypeMsg(t.value) } };
}

/** A dimension's size; an unknown (flexible) dimension reads as -1. */
function dimOf(d: DimensionMsg): number {
  return d.constant ? int64ToNumber(d.constant.size) : -1;
}

/** A ValueType message that must be a tensor type. */
export function tensorTypeOf(msg: ValueTypeMsg | null | undefined, where: string): MilTensorType {
  const t = msg?.tensorType;
  if (!t) throw new FormatError(FORMAT, `${where}: expected a tensor type`);
  const dims = t.dimensions ?? [];
  const rank = int64ToNumber(t.rank);
  if (dims.length !== rank) throw new FormatError(FORMAT, `${where}: tensor type of rank ${rank} lists ${dims.length} dimensions`);
  return { dtype: dtypeOfCode(t.dataType, where), shape: dims.map(dimOf) };
}

/** A ValueType message as a MIL type (tensor, list or dictionary; tuples and states are refused). */
export function milTypeOf(msg: ValueTypeMsg | null | undefined, where: string): MilType {
  if (msg?.listType) {
    const length = msg.listType.length ? dimOf(msg.listType.length) : -1;
    return { kind: 'list', element: tensorTypeOf(msg.listType.type, `${where} (list element)`), length };
  }
  if (msg?.dictionaryType) {
    return { kind: 'dict', key: tensorTypeOf(msg.dictionaryType.keyType, `${where} (dictionary key)`), value: tensorTypeOf(msg.dictionaryType.valueType, `${where} (dictionary value)`) };
  }
  if (msg?.tupleType || msg?.stateType) throw new FormatError(FORMAT, `${where}: ${msg.tupleType ? 'tuple' : 'state'} types are not supported`);
  return tensorTypeOf(msg, where);
}

/** A feature type (as apps see it) as a FeatureType message. */
export function featureTypeMsg(t: CoreMlFeatureType): FeatureTypeMsg {
  switch (t.kind) {
    case 'multiArray': return { multiArrayType: { shape: t.shape, dataType: ARRAY_DATA_TYPE[t.dtype] } };
    case 'image': return { imageType: { width: t.width, height: t.height, colorSpace: COLOR_SPACE[t.colorSpace] } };
    case 'dictionary': return { dictionaryType: t.keyType === 'string' ? { stringKeyType: {} } : { int64KeyType: {} } };
    case 'string': return { stringType: {} };
    case 'int64': return { int64Type: {} };
    case 'double': return { doubleType: {} };
  }
}

/** A FeatureType message as a feature type; sequence, state and other array/colour types are refused. */
export function featureTypeOf(msg: FeatureTypeMsg | null | undefined, where: string): CoreMlFeatureType {
  if (msg?.multiArrayType) {
    const code = msg.multiArrayType.dataType;
    const dtype = (Object.keys(ARRAY_DATA_TYPE) as (keyof typeof ARRAY_DATA_TYPE)[]).find((k) => ARRAY_DATA_TYPE[k] === code);
    if (!dtype) throw new FormatError(FORMAT, `${where}: multi-array data type ${code} is not supported`);
    return { kind: 'multiArray', dtype, shape: (msg.multiArrayType.shape ?? []).map(int64ToNumber) };
  }
  if (msg?.imageType) {
    const code = msg.imageType.colorSpace;
    const colorSpace = (Object.keys(COLOR_SPACE) as (keyof typeof COLOR_SPACE)[]).find((k) => COLOR_SPACE[k] === code);
    if (!colorSpace) throw new FormatError(FORMAT, `${where}: image colour space ${code} is not supported`);
    return { kind: 'image', width: int64ToNumber(msg.imageType.width), height: int64ToNumber(msg.imageType.height), colorSpace };
  }
  if (msg?.dictionaryType) return { kind: 'dictionary', keyType: msg.dictionaryType.int64KeyType ? 'int64' : 'string' };
  if (msg?.stringType) return { kind: 'string' };
  if (msg?.int64Type) return { kind: 'int64' };
  if (msg?.doubleType) return { kind: 'double' };
  throw new FormatError(FORMAT, `${where}: ${msg?.sequenceType ? 'sequence' : msg?.stateType ? 'state' : 'missing or unknown'} feature type is not supported`);
}
