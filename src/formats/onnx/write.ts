// ONNX writer: IR Model → ModelProto bytes → file (temp + rename), big tensors optionally streamed to external data.
import { basename } from 'node:path';
import type { Attribute, FunctionDef, Graph, Model, Node, NodeAttributes, OpsetImport, SparseTensor } from '../../ir/graph.ts';
import { tensorByteLength, tensorBytes, type Tensor } from '../../ir/tensor.ts';
import { FormatError, OndeviceError } from '../../errors.ts';
import type { WriteOptions } from '../format.ts';
import { writeFileAtomic } from '../../util/atomic-file.ts';
import { dtypeToOnnx } from './dtypes.ts';
import { ExternalDataWriter } from './external-data.ts';
import { ATTRIBUTE_TYPE as A, DATA_LOCATION_EXTERNAL, encodeModelProto, numberToInt64, type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type OperatorSetIdProto, type SparseTensorProto, type TensorProto } from './proto.ts';
import { writeEntries, writeType, writeValueInfo } from './value-types.ts';

/** Protobuf messages cannot exceed 2 GiB; above this much tensor data the writer goes external by itself. */
export const INLINE_LIMIT = 2 ** 31 - 1;
const AUTO_EXTERNAL_AT = 1.75 * 2 ** 30;
/** Threshold used when the writer decides on its own to go external (the onnx package's default). */
const AUTO_EXTERNAL_THRESHOLD = 1024;

const ATTRIBUTE_CODES: Readonly<Record<Exclude<Attribute['type'], 'ref'>, number>> = {
  float: A.FLOAT, int: A.INT, string: A.STRING, tensor: A.TENSOR, graph: A.GRAPH, sparse_tensor: A.SPARSE_TENSOR,
  type: A.TYPE_PROTO, floats: A.FLOATS, ints: A.INTS, strings: A.STRINGS, tensors: A.TENSORS, graphs: A.GRAPHS,
  sparse_tensors: A.SPARSE_TENSORS, types: A.TYPE_PROTOS,
};

interface WriteContext {
  file: string;
  /** Set when tensors of at least `threshold` bytes go to external data. */
  external?: { writer: ExternalDataWriter; threshold: number };
}

/**
 * Writes `model` as an ONNX file. With `externalDataThreshold` (or automatically when the tensors
 * exceed ~1.75 GiB) big tensors are streamed one at a time into `<file>.data` (or `externalDataName`).
 */
export async function writeOnnx(model: Model, file: string, options: WriteOptions = {}): Promise<void> {
  const threshold = options.externalDataThreshold ?? (totalTensorBytes(model) > AUTO_EXTERNAL_AT ? AUTO_EXTERNAL_THRESHOLD : undefined);
  const ctx: WriteContext = { file };
  if (threshold !== undefined) {
    ctx.external = { writer: new ExternalDataWriter(file, options.externalDataName ?? `${basename(file)}.data`), threshold };
  }
  try {
    const bytes = encodeOnnx(model, ctx);
    if (bytes.byteLength > INLINE_LIMIT) {
      throw new FormatError('onnx', `model is ${bytes.byteLength} bytes, over the 2 GiB protobuf limit; write it with a lower externalDataThreshold`, { file });
    }
    writeFileAtomic(file, bytes, () => ctx.external?.writer.commit());
  } catch (e) {
    ctx.external?.writer.abort();
    if (e instanceof OndeviceError) throw e;
    throw new FormatError('onnx', `cannot write model: ${(e as Error).message}`, { file, cause: e });
  }
}

/** Encodes a model to ModelProto bytes (in memory, every tensor inline). */
export function encodeOnnx(model: Model, ctx: WriteContext = { file: '<memory>' }): Uint8Array {
  return encodeModelProto(modelToProto(model, ctx));
}

function modelToProto(m: Model, ctx: WriteContext): ModelProto {
  const out: ModelProto = { ir_version: numberToInt64(m.irVersion), opset_import: writeOpsets(m.opsets) };
  if (m.producerName) out.producer_name = m.producerName;
  if (m.producerVersion) out.producer_version = m.producerVersion;
  if (m.domain) out.domain = m.domain;
  if (m.modelVersion !== undefined) out.model_version = numberToInt64(m.modelVersion);
  if (m.docString) out.doc_string = m.docString;
  out.graph = graphToProto(m.graph, ctx);
  const meta = writeEntries(m.metadata);
  if (meta) out.metadata_props = meta;
  if (m.functions.length) out.functions = m.functions.map((f) => functionToProto(f, ctx));
  const raw = m.extra?.onnxRawFields;
  if (Array.isArray(raw) && raw.length) out.$unknowns = raw as Uint8Array[];
  return out;
}

function writeOpsets(list: OpsetImport[]): OperatorSetIdProto[] {
  return list.map((o) => ({ domain: o.domain, version: numberToInt64(o.version) }));
}

function graphToProto(g: Graph, ctx: WriteContext): GraphProto {
  const out: GraphProto = {
    node: g.nodes.map((n) => nodeToProto(n, ctx)),
    name: g.name,
    initializer: [...g.initializers].map(([name, t]) => tensorToProto(t.name === name ? t : { ...t, name }, ctx)),
    sparse_initializer: g.sparseInitializers.map((s) => sparseToProto(s, ctx)),
    input: g.inputs.map(writeValueInfo),
    output: g.outputs.map(writeValueInfo),
    value_info: [...g.valueInfo.values()].map(writeValueInfo),
  };
  if (g.docString) out.doc_string = g.docString;
  if (g.quantizationAnnotation?.length) {
    out.quantization_annotation = g.quantizationAnnotation.map((a) => ({ tensor_name: a.tensorName, quant_parameter_tensor_names: writeEntries(a.params) ?? [] }));
  }
  const meta = writeEntries(g.metadata);
  if (meta) out.metadata_props = meta;
  return out;
}

function nodeToProto(n: Node, ctx: WriteContext): NodeProto {
  const out: NodeProto = { input: n.inputs, output: n.outputs, op_type: n.op };
  if (n.name) out.name = n.name;
  if (n.domain) out.domain = n.domain;
  if (n.overload) out.overload = n.overload;
  if (n.attributes.size) out.attribute = attributesToProto(n.attributes, ctx);
  if (n.docString) out.doc_string = n.docString;
  const meta = writeEntries(n.metadata);
  if (meta) out.metadata_props = meta;
  return out;
}

function attributesToProto(attrs: NodeAttributes, ctx: WriteContext): AttributeProto[] {
  return [...attrs].map(([name, a]) => {
    const out = attributeToProto(name, a, ctx);
    if (a.docString) out.doc_string = a.docString;
    return out;
  });
}

function attributeToProto(name: string, a: Attribute, ctx: WriteContext): AttributeProto {
  if (a.type === 'ref') {
    const code = ATTRIBUTE_CODES[a.refType as keyof typeof ATTRIBUTE_CODES];
    if (code === undefined) throw new FormatError('onnx', `attribute '${name}' refers to '${a.ref}' with unknown type '${a.refType}'`, { file: ctx.file });
    return { name, ref_attr_name: a.ref, type: code };
  }
  const out: AttributeProto = { name, type: ATTRIBUTE_CODES[a.type] };
  switch (a.type) {
    case 'float': out.f = a.value; break;
    case 'int': out.i = numberToInt64(a.value); break;
    case 'string': out.s = a.value; break;
    case 'tensor': out.t = tensorToProto(a.value, ctx); break;
    case 'graph': out.g = graphToProto(a.value, ctx); break;
    case 'sparse_tensor': out.sparse_tensor = sparseToProto(a.value, ctx); break;
    case 'type': out.tp = writeType(a.value); break;
    case 'floats': out.floats = a.value; break;
    case 'ints': out.ints = a.value.map(numberToInt64); break;
    case 'strings': out.strings = a.value; break;
    case 'tensors': out.tensors = a.value.map((t) => tensorToProto(t, ctx)); break;
    case 'graphs': out.graphs = a.value.map((g) => graphToProto(g, ctx)); break;
    case 'sparse_tensors': out.sparse_tensors = a.value.map((s) => sparseToProto(s, ctx)); break;
    case 'types': out.type_protos = a.value.map((t) => writeType(t)); break;
  }
  return out;
}

function sparseToProto(s: SparseTensor, ctx: WriteContext): SparseTensorProto {
  return { values: tensorToProto(s.values, ctx), indices: tensorToProto(s.indices, ctx), dims: s.dims.map(numberToInt64) };
}

/** Encodes one tensor: inline raw_data / string_data, or appended to the external-data file. */
function tensorToProto(t: Tensor, ctx: WriteContext): TensorProto {
  const out: TensorProto = { dims: t.dims.map(numberToInt64), data_type: dtypeToOnnx(t.dtype), name: t.name };
  const segment = t.extra?.onnxSegment as { begin: number; end: number } | undefined;
  if (segment) out.segment = { begin: numberToInt64(segment.begin), end: numberToInt64(segment.end) };
  if (t.docString) out.doc_string = t.docString;
  if (t.data.kind === 'strings') {
    out.string_data = t.data.values;
  } else if (ctx.external && tensorByteLength(t) >= ctx.external.threshold) {
    const { offset, length } = ctx.external.writer.append(tensorBytes(t));
    const extra = t.data.kind === 'external' ? t.data.source.extra ?? {} : {};
    out.external_data = [
      { key: 'location', value: ctx.external.writer.location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
      ...Object.entries(extra).filter(([k]) => k !== 'checksum').map(([key, value]) => ({ key, value })),
    ];
    out.data_location = DATA_LOCATION_EXTERNAL;
  } else {
    const bytes = tensorBytes(t);
    if (bytes.byteLength > 0) out.raw_data = bytes; // empty tensors carry no data field
  }
  const meta = writeEntries(t.extra?.onnxMetadata as [string, string][] | undefined);
  if (meta) out.metadata_props = meta;
  return out;
}

function functionToProto(f: FunctionDef, ctx: WriteContext): FunctionProto {
  const out: FunctionProto = {
    name: f.name,
    input: f.inputs,
    output: f.outputs,
    attribute: f.attributeNames,
    attribute_proto: attributesToProto(f.attributeDefaults, ctx),
    node: f.nodes.map((n) => nodeToProto(n, ctx)),
    opset_import: writeOpsets(f.opsets),
    domain: f.domain,
    value_info: f.valueInfo.map(writeValueInfo),
  };
  if (f.overload) out.overload = f.overload;
  if (f.docString) out.doc_string = f.docString;
  const meta = writeEntries(f.metadata);
  if (meta) out.metadata_props = meta;
  return out;
}

/** Bytes of all dense tensors in the model (initializers and attribute tensors, subgraphs included). */
export function totalTensorBytes(model: Model): number {
  let total = 0;
  const visitAttrs = (attrs: NodeAttributes) => {
    for (const a of attrs.values()) {
      if (a.type === 'tensor') total += tensorByteLength(a.value);
      else if (a.type === 'tensors') for (const t of a.value) total += tensorByteLength(t);
      else if (a.type === 'graph') visitGraph(a.value);
      else if (a.type === 'graphs') a.value.forEach(visitGraph);
    }
  };
  const visitGraph = (g: Graph) => {
    for (const t of g.initializers.values()) total += tensorByteLength(t);
    for (const s of g.sparseInitializers) total += tensorByteLength(s.values) + tensorByteLength(s.indices);
    for (const n of g.nodes) visitAttrs(n.attributes);
  };
  visitGraph(model.graph);
  for (const f of model.functions) for (const n of f.nodes) visitAttrs(n.attributes);
  return total;
}
