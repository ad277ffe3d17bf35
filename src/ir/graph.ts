// The graph IR: plain data, format-neutral, close to ONNX semantics.
import type { DType } from './dtype.ts';
import type { Tensor } from './tensor.ts';

/** One dimension: a size, a symbolic name (e.g. 'batch'), or null when unknown. */
export type Dim = number | string | null;

/** The type of a value flowing along an edge. */
export type ValueType =
  | { kind: 'tensor'; dtype: DType; shape?: Dim[]; denotations?: (string | undefined)[] }
  | { kind: 'sparse_tensor'; dtype: DType; shape?: Dim[] }
  | { kind: 'sequence'; elem: ValueType }
  | { kind: 'map'; key: DType; value: ValueType }
  | { kind: 'optional'; elem: ValueType }
  | { kind: 'unknown' };

/** A named value with its type: graph inputs/outputs and annotated intermediates. */
export interface ValueInfo {
  name: string;
  type: ValueType;
  docString?: string;
  /** Type denotation (ONNX `TypeProto.denotation`), kept for the round trip. */
  denotation?: string;
  metadata?: [string, string][];
}

/** A sparse constant: indices + values tensors over a dense shape. */
export interface SparseTensor {
  values: Tensor;
  indices: Tensor;
  dims: number[];
}

/** A node attribute, tagged by type. Integers are JS numbers (int64 extremes saturate when written). */
export type Attribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: Uint8Array }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph }
  | { type: 'sparse_tensor'; value: SparseTensor }
  | { type: 'type'; value: ValueType }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: Uint8Array[] }
  | { type: 'tensors'; value: Tensor[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'sparse_tensors'; value: SparseTensor[] }
  | { type: 'types'; value: ValueType[] }
  /** Inside a function body: the attribute takes the value of the caller's attribute `ref`. */
  | { type: 'ref'; ref: string; refType: string };

/** Attribute with its documentation string (ONNX allows one per attribute). */
export type NodeAttributes = Map<string, Attribute & { docString?: string }>;

/** One operation. Empty strings in `inputs` mark omitted optional inputs. */
export interface Node {
  op: string;
  /** Operator domain; '' is the default ONNX domain. */
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: NodeAttributes;
  docString?: string;
  /** Overload name (ONNX IR v10+) and per-node metadata, kept for the round trip. */
  overload?: string;
  metadata?: [string, string][];
}

/** A graph: the model's main graph, or a subgraph held by an attribute (If/Loop/Scan bodies). */
export interface Graph {
  name: string;
  docString?: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** In file order; use `toposort` for execution order. */
  nodes: Node[];
  /** Constant tensors by name (ONNX initializers). */
  initializers: Map<string, Tensor>;
  sparseInitializers: SparseTensor[];
  /** Type info known for intermediate values. */
  valueInfo: Map<string, ValueInfo>;
  /** ONNX `quantization_annotation`, kept for the round trip. */
  quantizationAnnotation?: { tensorName: string; params: [string, string][] }[];
  metadata?: [string, string][];
}

/** An operator set a model depends on. */
export interface OpsetImport {
  domain: string;
  version: number;
}

/** A model-local function (ONNX FunctionProto): a named, reusable subgraph with its own opsets. */
export interface FunctionDef {
  name: string;
  domain: string;
  overload?: string;
  inputs: string[];
  outputs: string[];
  attributeNames: string[];
  attributeDefaults: NodeAttributes;
  nodes: Node[];
  opsets: OpsetImport[];
  valueInfo: ValueInfo[];
  docString?: string;
  metadata?: [string, string][];
}

/** A whole model: the main graph plus what the file says about it. */
export interface Model {
  graph: Graph;
  opsets: OpsetImport[];
  /** File format revision (ONNX `ir_version`). */
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  /** Free key/value metadata (ONNX `metadata_props`), in file order. */
  metadata: [string, string][];
  functions: FunctionDef[];
  /** Opaque per-format leftovers (e.g. ONNX `training_info`) kept for the round trip. */
  extra?: Record<string, unknown>;
}

/** A fresh empty graph. */
export function emptyGraph(name = 'graph'): Graph {
  return { name, inputs: [], outputs: [], nodes: [], initializers: new Map(), sparseInitializers: [], valueInfo: new Map() };
}

/** Reads an int attribute (or `fallback`). */
export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'int' ? a.value : fallback;
}

/** Reads a float attribute (or `fallback`). */
export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'float' ? a.value : a?.type === 'int' ? a.value : fallback;
}

/** Reads an ints attribute (or `fallback`). */
export function attrInts(node: Node, name: string, fallback: number[]): number[];
export function attrInts(node: Node, name: string): number[] | undefined;
export function attrInts(node: Node, name: string, fallback?: number[]): number[] | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'ints' ? a.value : fallback;
}

/** Reads a string attribute as UTF-8 (or `fallback`). */
export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'string' ? new TextDecoder().decode(a.value) : fallback;
}

/** The graphs held by a node's attributes (If/Loop/Scan bodies). */
export function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attributes.values()) {
    if (a.type === 'graph') out.push(a.value);
    else if (a.type === 'graphs') out.push(...a.value);
  }
  return out;
}
