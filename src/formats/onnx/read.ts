// ONNX reader: ModelProto bytes → IR Model, losslessly (unmapped model fields are kept as raw bytes).
import { readFileSync } from 'node:fs';
import type { Attribute, FunctionDef, Graph, Model, Node, NodeAttributes, OpsetImport } from '../../ir/graph.ts';
import { FormatError, OndeviceError } from '../../errors.ts';
import type { ReadOptions } from '../format.ts';
import { ATTRIBUTE_TYPE as A, decodeModelProto, encodeTrainingInfoFields, int64ToNumber, type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type OperatorSetIdProto } from './proto.ts';
import { plainBytes, readSparseTensor, readTensor, type TensorReadContext } from './tensor-read.ts';
import { readEntries, readType, readValueInfo } from './value-types.ts';

/** IR attribute type name for each AttributeProto.AttributeType code. */
export const ATTRIBUTE_TYPE_NAMES: Readonly<Record<number, Exclude<Attribute['type'], 'ref'>>> = {
  [A.FLOAT]: 'float', [A.INT]: 'int', [A.STRING]: 'string', [A.TENSOR]: 'tensor', [A.GRAPH]: 'graph',
  [A.SPARSE_TENSOR]: 'sparse_tensor', [A.TYPE_PROTO]: 'type', [A.FLOATS]: 'floats', [A.INTS]: 'ints',
  [A.STRINGS]: 'strings', [A.TENSORS]: 'tensors', [A.GRAPHS]: 'graphs', [A.SPARSE_TENSORS]: 'sparse_tensors',
  [A.TYPE_PROTOS]: 'types',
};

/** Reads an ONNX file into an IR Model. External data stays lazy unless `options.eagerExternalData`. */
export async function readOnnx(file: string, options: ReadOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new FormatError('onnx', `cannot read file: ${(e as Error).message}`, { file, cause: e });
  }
  return decodeOnnx(bytes, file, options);
}

/** Decodes ONNX ModelProto bytes; `file` names the source in errors and anchors external data. */
export function decodeOnnx(bytes: Uint8Array, file: string, options: ReadOptions = {}): Model {
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    const why = (e as Error).message;
    const hint = /index out of range/.test(why) ? 'truncated or corrupt protobuf' : 'not a valid ONNX protobuf';
    throw new FormatError('onnx', `${hint} (${why})`, { file, cause: e });
  }
  if (!has(proto, 'ir_version') || !proto.graph || !has(proto, 'graph')) {
    throw new FormatError('onnx', `not an ONNX model (no ${has(proto, 'ir_version') ? 'graph' : 'ir_version'} field)`, { file });
  }
  const ctx: TensorReadContext = { file, eager: options.eagerExternalData ?? false, externalFiles: new Map() };
  try {
    return readModelProto(proto, ctx);
  } catch (e) {
    if (e instanceof OndeviceError) throw e;
    throw new FormatError('onnx', `malformed model: ${(e as Error).message}`, { file, cause: e });
  }
}

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

function readModelProto(p: ModelProto, ctx: TensorReadContext): Model {
  const model: Model = {
    graph: readGraph(p.graph!, ctx),
    opsets: readOpsets(p.opset_import),
    irVersion: int64ToNumber(p.ir_version),
    metadata: readEntries(p.metadata_props),
    functions: (p.functions ?? []).map((f) => readFunction(f, ctx)),
  };
  if (p.producer_name) model.producerName = p.producer_name;
  if (p.producer_version) model.producerVersion = p.producer_version;
  if (p.domain) model.domain = p.domain;
  if (has(p, 'model_version')) model.modelVersion = int64ToNumber(p.model_version);
  if (p.doc_string) model.docString = p.doc_string;
  const raw = [...encodeTrainingInfoFields(p.training_info ?? []), ...(p.$unknowns ?? [])].map(plainBytes);
  if (raw.length) model.extra = { onnxRawFields: raw };
  return model;
}

function readOpsets(list: OperatorSetIdProto[] | undefined): OpsetImport[] {
  return (list ?? []).map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version) }));
}

/** Decodes a GraphProto (main graph or subgraph). */
export function readGraph(g: GraphProto, ctx: TensorReadContext): Graph {
  const graph: Graph = {
    name: g.name ?? '',
    inputs: (g.input ?? []).map(readValueInfo),
    outputs: (g.output ?? []).map(readValueInfo),
    nodes: (g.node ?? []).map((n) => readNode(n, ctx)),
    initializers: new Map(),
    sparseInitializers: (g.sparse_initializer ?? []).map((s) => readSparseTensor(s, ctx, `sparse initializer '${s.values?.name ?? ''}'`)),
    valueInfo: new Map((g.value_info ?? []).map((v) => [v.name ?? '', readValueInfo(v)])),
  };
  for (const t of g.initializer ?? []) graph.initializers.set(t.name ?? '', readTensor(t, ctx, `initializer '${t.name ?? ''}'`));
  if (g.doc_string) graph.docString = g.doc_string;
  if (g.quantization_annotation?.length) {
    graph.quantizationAnnotation = g.quantization_annotation.map((a) => ({ tensorName: a.tensor_name ?? '', params: readEntries(a.quant_parameter_tensor_names) }));
  }
  if (g.metadata_props?.length) graph.metadata = readEntries(g.metadata_props);
  return graph;
}

function readNode(n: NodeProto, ctx: TensorReadContext): Node {
  const name = n.name ?? '';
  const node: Node = {
    op: n.op_type ?? '',
    domain: n.domain ?? '',
    name,
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes: readAttributes(n.attribute, ctx, `node '${name || n.op_type}'`),
  };
  if (n.doc_string) node.docString = n.doc_string;
  if (n.overload) node.overload = n.overload;
  if (n.metadata_props?.length) node.metadata = readEntries(n.metadata_props);
  return node;
}

function readAttributes(list: AttributeProto[] | undefined, ctx: TensorReadContext, owner: string): NodeAttributes {
  const out: NodeAttributes = new Map();
  for (const a of list ?? []) {
    const attr: Attribute & { docString?: string } = readAttribute(a, ctx, `${owner} attribute '${a.name ?? ''}'`);
    if (a.doc_string) attr.docString = a.doc_string;
    out.set(a.name ?? '', attr);
  }
  return out;
}

function readAttribute(a: AttributeProto, ctx: TensorReadContext, what: string): Attribute {
  const code = a.type || inferAttributeType(a);
  const typeName = ATTRIBUTE_TYPE_NAMES[code];
  if (!typeName) throw new FormatError('onnx', `${what} has unknown type ${code}`, { file: ctx.file });
  if (a.ref_attr_name) return { type: 'ref', ref: a.ref_attr_name, refType: typeName };
  switch (typeName) {
    case 'float': return { type: 'float', value: a.f ?? 0 };
    case 'int': return { type: 'int', value: int64ToNumber(a.i) };
    case 'string': return { type: 'string', value: plainBytes(a.s) };
    case 'tensor': return { type: 'tensor', value: readTensor(need(a.t, a, 't', what, ctx), ctx, what) };
    case 'graph': return { type: 'graph', value: readGraph(need(a.g, a, 'g', what, ctx), ctx) };
    case 'sparse_tensor': return { type: 'sparse_tensor', value: readSparseTensor(need(a.sparse_tensor, a, 'sparse_tensor', what, ctx), ctx, what) };
    case 'type': return { type: 'type', value: readType(need(a.tp, a, 'tp', what, ctx)) };
    case 'floats': return { type: 'floats', value: [...(a.floats ?? [])] };
    case 'ints': return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case 'strings': return { type: 'strings', value: (a.strings ?? []).map(plainBytes) };
    case 'tensors': return { type: 'tensors', value: (a.tensors ?? []).map((t) => readTensor(t, ctx, what)) };
    case 'graphs': return { type: 'graphs', value: (a.graphs ?? []).map((g) => readGraph(g, ctx)) };
    case 'sparse_tensors': return { type: 'sparse_tensors', value: (a.sparse_tensors ?? []).map((s) => readSparseTensor(s, ctx, what)) };
    case 'types': return { type: 'types', value: (a.type_protos ?? []).map((t) => readType(t)) };
  }
}

function need<T>(value: T | undefined, a: AttributeProto, field: string, what: string, ctx: TensorReadContext): T {
  if (value === undefined || !has(a, field)) throw new FormatError('onnx', `${what} has no value`, { file: ctx.file });
  return value;
}

/** IR v1 files lack `type`: infer it from the value field that is present. */
function inferAttributeType(a: AttributeProto): number {
  if (has(a, 'f')) return A.FLOAT;
  if (has(a, 'i')) return A.INT;
  if (has(a, 's')) return A.STRING;
  if (has(a, 't')) return A.TENSOR;
  if (has(a, 'g')) return A.GRAPH;
  if (has(a, 'sparse_tensor')) return A.SPARSE_TENSOR;
  if (has(a, 'tp')) return A.TYPE_PROTO;
  if (a.floats?.length) return A.FLOATS;
  if (a.ints?.length) return A.INTS;
  if (a.strings?.length) return A.STRINGS;
  if (a.tensors?.length) return A.TENSORS;
  if (a.graphs?.length) return A.GRAPHS;
  if (a.sparse_tensors?.length) return A.SPARSE_TENSORS;
  if (a.type_protos?.length) return A.TYPE_PROTOS;
  return A.UNDEFINED;
}

function readFunction(f: FunctionProto, ctx: TensorReadContext): FunctionDef {
  const name = f.name ?? '';
  const fn: FunctionDef = {
    name,
    domain: f.domain ?? '',
    inputs: [...(f.input ?? [])],
    outputs: [...(f.output ?? [])],
    attributeNames: [...(f.attribute ?? [])],
    attributeDefaults: readAttributes(f.attribute_proto, ctx, `function '${name}'`),
    nodes: (f.node ?? []).map((n) => readNode(n, ctx)),
    opsets: readOpsets(f.opset_import),
    valueInfo: (f.value_info ?? []).map(readValueInfo),
  };
  if (f.overload) fn.overload = f.overload;
  if (f.doc_string) fn.docString = f.doc_string;
  if (f.metadata_props?.length) fn.metadata = readEntries(f.metadata_props);
  return fn;
}
