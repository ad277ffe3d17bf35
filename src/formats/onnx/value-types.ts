// TypeProto / ValueInfoProto ↔ IR ValueType / ValueInfo (both directions; dims may be symbolic or unknown).
import type { Dim, ValueInfo, ValueType } from '../../ir/graph.ts';
import { dtypeFromOnnx, dtypeToOnnx } from './dtypes.ts';
import { int64ToNumber, numberToInt64, type DimensionProto, type StringStringEntryProto, type TensorShapeProto, type TypeProto, type ValueInfoProto } from './proto.ts';

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Key/value entries as pairs, in file order. */
export function readEntries(entries: StringStringEntryProto[] | undefined): [string, string][] {
  return (entries ?? []).map((e) => [e.key ?? '', e.value ?? '']);
}

/** Pairs as StringStringEntryProtos (undefined when empty, so nothing is emitted). */
export function writeEntries(pairs: [string, string][] | undefined): StringStringEntryProto[] | undefined {
  return pairs?.length ? pairs.map(([key, value]) => ({ key, value })) : undefined;
}

/** Decodes a TypeProto; absent or unmappable types become `{ kind: 'unknown' }`. */
export function readType(t: TypeProto | undefined): ValueType {
  if (!t) return { kind: 'unknown' };
  if (t.tensor_type && has(t, 'tensor_type')) {
    const dtype = dtypeFromOnnx(t.tensor_type.elem_type);
    if (!dtype) return { kind: 'unknown' };
    const out: ValueType = { kind: 'tensor', dtype };
    if (t.tensor_type.shape && has(t.tensor_type, 'shape')) {
      out.shape = readShape(t.tensor_type.shape);
      const denotations = (t.tensor_type.shape.dim ?? []).map((d) => d.denotation || undefined);
      if (denotations.some((d) => d !== undefined)) out.denotations = denotations;
    }
    return out;
  }
  if (t.sparse_tensor_type && has(t, 'sparse_tensor_type')) {
    const dtype = dtypeFromOnnx(t.sparse_tensor_type.elem_type);
    if (!dtype) return { kind: 'unknown' };
    const shape = t.sparse_tensor_type.shape && has(t.sparse_tensor_type, 'shape') ? readShape(t.sparse_tensor_type.shape) : undefined;
    return shape ? { kind: 'sparse_tensor', dtype, shape } : { kind: 'sparse_tensor', dtype };
  }
  if (t.sequence_type && has(t, 'sequence_type')) return { kind: 'sequence', elem: readType(t.sequence_type.elem_type) };
  if (t.optional_type && has(t, 'optional_type')) return { kind: 'optional', elem: readType(t.optional_type.elem_type) };
  if (t.map_type && has(t, 'map_type')) {
    const key = dtypeFromOnnx(t.map_type.key_type);
    if (!key) return { kind: 'unknown' };
    return { kind: 'map', key, value: readType(t.map_type.value_type) };
  }
  return { kind: 'unknown' };
}

function readShape(shape: TensorShapeProto): Dim[] {
  return (shape.dim ?? []).map(readDim);
}

/**
 * A dim_value is a size; a negative one (some exporters write -1) means unknown, as onnxruntime reads it. A value past
 * 2^53 cannot be a size JavaScript numbers hold exactly: the file is refused.
 */
function readDim(d: DimensionProto): Dim {
  if (has(d, 'dim_value') && d.dim_value !== undefined) {
    const n = int64ToNumber(d.dim_value);
    if (n < 0) return null;
    if (!Number.isSafeInteger(n)) throw new Error(`dim_value ${n} is too large to be a size`);
    return n;
  }
  if (has(d, 'dim_param') && d.dim_param !== undefined) return d.dim_param;
  return null;
}

/** Encodes an IR ValueType (and an optional whole-type denotation) as a TypeProto. */
export function writeType(t: ValueType, denotation?: string): TypeProto {
  const out: TypeProto = {};
  switch (t.kind) {
    case 'tensor':
      out.tensor_type = { elem_type: dtypeToOnnx(t.dtype), ...(t.shape ? { shape: writeShape(t.shape, t.denotations) } : {}) };
      break;
    case 'sparse_tensor':
      out.sparse_tensor_type = { elem_type: dtypeToOnnx(t.dtype), ...(t.shape ? { shape: writeShape(t.shape) } : {}) };
      break;
    case 'sequence': out.sequence_type = { elem_type: writeType(t.elem) }; break;
    case 'optional': out.optional_type = { elem_type: writeType(t.elem) }; break;
    case 'map': out.map_type = { key_type: dtypeToOnnx(t.key), value_type: writeType(t.value) }; break;
    case 'unknown': break;
  }
  if (denotation) out.denotation = denotation;
  return out;
}

function writeShape(dims: Dim[], denotations?: (string | undefined)[]): TensorShapeProto {
  return {
    dim: dims.map((d, i) => {
      const dim: DimensionProto = typeof d === 'number' ? { dim_value: numberToInt64(d) } : typeof d === 'string' ? { dim_param: d } : {};
      const den = denotations?.[i];
      if (den) dim.denotation = den;
      return dim;
    }),
  };
}

/** Decodes a ValueInfoProto. */
export function readValueInfo(v: ValueInfoProto): ValueInfo {
  let type: ValueType;
  try {
    type = readType(v.type && has(v, 'type') ? v.type : undefined);
  } catch (e) {
    throw new Error(`value '${v.name ?? ''}': ${(e as Error).message}`);
  }
  const out: ValueInfo = { name: v.name ?? '', type };
  if (v.doc_string) out.docString = v.doc_string;
  if (v.type?.denotation) out.denotation = v.type.denotation;
  if (v.metadata_props?.length) out.metadata = readEntries(v.metadata_props);
  return out;
}

/** Encodes a ValueInfo. An `unknown` type without denotation is written as no type at all. */
export function writeValueInfo(v: ValueInfo): ValueInfoProto {
  const out: ValueInfoProto = { name: v.name };
  if (v.type.kind !== 'unknown' || v.denotation) out.type = writeType(v.type, v.denotation);
  if (v.docString) out.doc_string = v.docString;
  const meta = writeEntries(v.metadata);
  if (meta) out.metadata_props = meta;
  return out;
}
