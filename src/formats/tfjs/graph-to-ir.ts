// Maps a TF.js graph model (GraphDef as JSON) onto the IR: one `ai.tensorflow` node per TensorFlow node, NHWC as stored.
import { FormatError } from '../../errors.ts';
import { emptyGraph, type Dim, type FunctionDef, type Graph, type Model, type Node, type NodeAttributes, type ValueInfo, type ValueType } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { decodeAttr, decodeShape, decodeTensor, tensorHasValues } from './graph-attrs.ts';
import { tfDType, tfDTypeName } from '../../ir/tf-dtypes.ts';
import type { TfjsModelJson } from './model-json.ts';

/** Domain of the nodes read from a graph model; `op` is the TensorFlow op name (e.g. `_FusedConv2D`). */
export const TFJS_GRAPH_DOMAIN = 'ai.tensorflow';

type Json = Record<string, unknown>;

/** A NodeDef as TF.js writes it. */
interface NodeDefJson {
  name: string;
  op: string;
  input: string[];
  attr: Json;
}

/** A TensorFlow tensor reference (`x`, `x:k`, `^x`) split into node and output index; null for control inputs. */
function parseRef(ref: string): { node: string; index: number } | null {
  if (ref.startsWith('^')) return null;
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? { node: m[1], index: Number(m[2]) } : { node: ref, index: 0 };
}

/** IR value name of output `index` of TensorFlow node `node` (`N`, `N:1`, …). */
function valueName(node: string, index: number): string {
  return index === 0 ? node : `${node}:${index}`;
}

function checkNodes(list: unknown, where: string, file: string): NodeDefJson[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new FormatError('tfjs', `${where} is not a list of nodes`, { file });
  return list.map((n, k) => {
    const j = n as Partial<NodeDefJson> | null;
    if (!j || typeof j.name !== 'string' || !j.name || typeof j.op !== 'string' || !j.op) {
      throw new FormatError('tfjs', `${where}[${k}] has no name or op (${JSON.stringify(n)?.slice(0, 120)})`, { file });
    }
    const input = j.input ?? [];
    if (!Array.isArray(input) || !input.every((i) => typeof i === 'string')) throw new FormatError('tfjs', `node '${j.name}' has inputs that are not a list of names`, { file });
    const attr = j.attr ?? {};
    if (typeof attr !== 'object' || Array.isArray(attr)) throw new FormatError('tfjs', `node '${j.name}' has an 'attr' that is not an object`, { file });
    return { name: j.name, op: j.op, input, attr: attr as Json };
  });
}

function attributesOf(def: NodeDefJson, file: string): NodeAttributes {
  const attrs: NodeAttributes = new Map();
  for (const [key, value] of Object.entries(def.attr)) {
    try {
      const a = decodeAttr(value, key);
      if (a) attrs.set(key, a);
    } catch (e) {
      throw new FormatError('tfjs', `node '${def.name}' (${def.op}): attribute '${key}': ${(e as Error).message}`, { file, cause: e });
    }
  }
  return attrs;
}

/** The tensor type from a dtype JSON value and a TensorShapeProto JSON value. */
function tensorType(dtype: unknown, shape: unknown, what: string, file: string): ValueType {
  const tfName = tfDTypeName(dtype);
  const irType = tfDType(tfName);
  if (!irType) throw new FormatError('tfjs', `${what} has type ${tfName ?? JSON.stringify(dtype)}, which has no ONNX element type`, { file });
  let dims: Dim[] | undefined;
  try {
    dims = shape === undefined ? undefined : decodeShape(shape);
  } catch (e) {
    throw new FormatError('tfjs', `${what}: ${(e as Error).message}`, { file, cause: e });
  }
  return dims ? { kind: 'tensor', dtype: irType, shape: dims } : { kind: 'tensor', dtype: irType };
}

/** Signature entries (`inputs`/`outputs`) in file order: tensor name → its TensorInfo JSON. */
function signatureEntries(json: TfjsModelJson, key: 'inputs' | 'outputs'): [string, Json][] {
  const part = json.signature?.[key];
  if (!part || typeof part !== 'object') return [];
  return Object.entries(part as Record<string, Json>).map(([k, info]) => [typeof info?.name === 'string' ? info.name : k, info ?? {}]);
}

/** The GraphDef's nodes and every value index consumers or the signature read, per node. */
function outputCounts(defs: NodeDefJson[], extraRefs: string[], file: string): Map<string, number> {
  const counts = new Map<string, number>(defs.map((d) => [d.name, 1]));
  const use = (ref: string, user: string): void => {
    const r = parseRef(ref);
    if (!r) {
      if (!counts.has(ref.slice(1))) throw new FormatError('tfjs', `${user} has control input '${ref}', which names no node`, { file });
      return;
    }
    const have = counts.get(r.node);
    if (have === undefined) throw new FormatError('tfjs', `${user} reads '${ref}', which names no node`, { file });
    counts.set(r.node, Math.max(have, r.index + 1));
  };
  for (const d of defs) for (const i of d.input) use(i, `node '${d.name}'`);
  for (const ref of extraRefs) use(ref, 'the signature');
  return counts;
}

/** Data inputs of a NodeDef as IR value names (control inputs dropped). */
function dataInputs(def: NodeDefJson): string[] {
  return def.input.flatMap((i) => {
    const r = parseRef(i);
    return r ? [valueName(r.node, r.index)] : [];
  });
}

/** The initializer of a Const node: its weight, else values written in its `value` attribute. */
function constTensor(def: NodeDefJson, weights: Map<string, Tensor>, file: string): Tensor {
  const w = weights.get(def.name);
  if (w) return w;
  const t = (def.attr.value as Json | undefined)?.tensor;
  if (tensorHasValues(t)) {
    try {
      return decodeTensor(t, def.name);
    } catch (e) {
      throw new FormatError('tfjs', `Const '${def.name}': ${(e as Error).message}`, { file, cause: e });
    }
  }
  throw new FormatError('tfjs', `Const '${def.name}' has no weight in weightsManifest and no value in the graph`, { file });
}

/**
 * A `library.function` FunctionDef as an IR model-local function (domain `ai.tensorflow`): arguments become inputs,
 * `ret` values outputs, node refs `n:out:k` become `n` / `n:k` (the output index within the node's first output arg).
 */
function functionToIR(fn: Json, file: string): FunctionDef {
  const sig = (fn.signature ?? {}) as Json;
  const name = sig.name;
  if (typeof name !== 'string' || !name) throw new FormatError('tfjs', `library.function entry has no signature name`, { file });
  const args = (key: string): string[] => ((sig[key] ?? []) as Json[]).map((a) => String(a?.name));
  const ref = (r: string): string => {
    if (r.startsWith('^')) return '';
    const parts = r.split(':');
    return parts.length === 1 ? r : valueName(parts[0], Number(parts[2] ?? 0));
  };
  const defs = checkNodes(fn.nodeDef ?? fn.node_def, `function '${name}' nodeDef`, file);
  const ret = (fn.ret ?? {}) as Record<string, string>;
  const nodes: Node[] = defs.map((d) => ({
    op: d.op, domain: TFJS_GRAPH_DOMAIN, name: d.name, inputs: d.input.filter((i) => !i.startsWith('^')).map(ref), outputs: [d.name], attributes: attributesOf(d, file),
  }));
  const outputs = args('outputArg');
  const retNodes = outputs.map((o) => {
    if (typeof ret[o] !== 'string') throw new FormatError('tfjs', `function '${name}' has no ret value for output '${o}'`, { file });
    return { op: 'Identity', domain: TFJS_GRAPH_DOMAIN, name: `${name}/ret/${o}`, inputs: [ref(ret[o])], outputs: [o], attributes: new Map() } satisfies Node;
  });
  return {
    name, domain: TFJS_GRAPH_DOMAIN, inputs: args('inputArg'), outputs, attributeNames: [], attributeDefaults: new Map(),
    nodes: [...nodes, ...retNodes], opsets: [{ domain: TFJS_GRAPH_DOMAIN, version: 1 }], valueInfo: [],
  };
}

/** Function names a node uses: as its op, or through `func` attributes (functional While/If/PartitionedCall). */
function calledFunctions(def: NodeDefJson, names: Set<string>): string[] {
  const out = names.has(def.op) ? [def.op] : [];
  for (const v of Object.values(def.attr)) {
    const f = (v as Json)?.func as Json | undefined;
    if (typeof f?.name === 'string' && names.has(f.name)) out.push(f.name);
    const list = ((v as Json)?.list as Json | undefined)?.func;
    if (Array.isArray(list)) for (const g of list) if (names.has(String((g as Json)?.name))) out.push(String((g as Json).name));
  }
  return out;
}

function metadataOf(json: TfjsModelJson, topo: Json): [string, string][] {
  const meta: [string, string][] = [['tfjs.format', 'graph-model']];
  if (json.generatedBy) meta.push(['tfjs.generatedBy', String(json.generatedBy)]);
  if (json.convertedBy) meta.push(['tfjs.convertedBy', String(json.convertedBy)]);
  const versions = topo.versions as Json | undefined;
  if (versions && typeof versions === 'object') {
    for (const [k, v] of Object.entries(versions)) meta.push([`tensorflow.${k}`, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  if (json.userDefinedMetadata) meta.push(['tfjs.userDefinedMetadata', JSON.stringify(json.userDefinedMetadata)]);
  return meta;
}

/**
 * The IR of a graph model: every GraphDef node becomes one `ai.tensorflow` node (op, name and attributes as TensorFlow
 * has them), except `Const` (an initializer from `weights`, by node name) and `Placeholder` (a graph input). Output k of
 * node N is the value `N` (k = 0) or `N:k`; control inputs are dropped. Graph outputs are the signature's, else the
 * values nobody reads. Functions in `library.function` become model-local functions; a node calling one is refused.
 * @throws FormatError naming `file` for a node without name/op, a reference to a missing node, a Const without a value,
 * a malformed attribute or a type ONNX cannot hold.
 */
export function graphModelToIR(json: TfjsModelJson, weights: Map<string, Tensor>, file: string): Model {
  const topo = json.modelTopology;
  const defs = checkNodes(topo.node, 'modelTopology.node', file);
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.name)) throw new FormatError('tfjs', `two nodes are named '${d.name}'`, { file });
    seen.add(d.name);
  }
  const library = (topo.library ?? {}) as Json;
  const fnList = (library.function ?? []) as Json[];
  if (!Array.isArray(fnList)) throw new FormatError('tfjs', 'modelTopology.library.function is not a list', { file });
  const functions = fnList.map((f) => functionToIR(f, file));
  const fnNames = new Set(functions.map((f) => f.name));

  const sigOutputs = signatureEntries(json, 'outputs');
  const counts = outputCounts(defs, sigOutputs.map(([name]) => name), file);
  const sigInputs = new Map(signatureEntries(json, 'inputs').map(([name, info]) => [parseRef(name)?.node ?? name, info]));

  const graph: Graph = emptyGraph('main');
  for (const d of defs) {
    const called = calledFunctions(d, fnNames);
    if (called.length) throw new FormatError('tfjs', `node '${d.name}' (${d.op}) calls TensorFlow function '${called[0]}'; graph models with function calls are not supported`, { file });
    if (d.op === 'Const') {
      graph.initializers.set(d.name, { ...constTensor(d, weights, file), name: d.name });
      continue;
    }
    if (d.op === 'Placeholder') {
      const sig = sigInputs.get(d.name);
      const dtype = (d.attr.dtype as Json | undefined)?.type ?? sig?.dtype;
      const shapeAttr = d.attr.shape as Json | undefined;
      const shape = shapeAttr && !(shapeAttr.shape as Json | undefined)?.unknownRank ? shapeAttr.shape : (sig?.tensorShape ?? shapeAttr?.shape);
      graph.inputs.push({ name: d.name, type: tensorType(dtype, shape, `input '${d.name}'`, file) });
      continue;
    }
    graph.nodes.push({
      op: d.op, domain: TFJS_GRAPH_DOMAIN, name: d.name, inputs: dataInputs(d),
      outputs: Array.from({ length: counts.get(d.name) ?? 1 }, (_, k) => valueName(d.name, k)),
      attributes: attributesOf(d, file),
    });
  }

  if (sigOutputs.length) {
    graph.outputs = sigOutputs.map(([name, info]): ValueInfo => {
      const r = parseRef(name)!;
      const type = info.dtype !== undefined ? tensorType(info.dtype, info.tensorShape, `output '${name}'`, file) : { kind: 'unknown' } as const;
      return { name: valueName(r.node, r.index), type };
    });
  } else {
    const read = new Set(graph.nodes.flatMap((n) => n.inputs));
    graph.outputs = graph.nodes.filter((n) => n.op !== 'NoOp').flatMap((n) => n.outputs).filter((v) => !read.has(v)).map((name) => ({ name, type: { kind: 'unknown' } }));
  }

  const versions = topo.versions as Json | undefined;
  const producer = Number(versions?.producer ?? 0);
  return {
    graph, opsets: [{ domain: TFJS_GRAPH_DOMAIN, version: Number.isSafeInteger(producer) && producer > 0 ? producer : 1 }], irVersion: 0,
    producerName: String(json.convertedBy ?? json.generatedBy ?? 'tfjs'),
    metadata: metadataOf(json, topo), functions,
  };
}
