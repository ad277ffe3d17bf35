// The fp16 scheme: weights and compute in float16, graph inputs/outputs kept float32, unsafe ops kept float32 behind Casts.
import type { Graph, Model, Node, ValueType } from '../ir/graph.ts';
import { subgraphsOf } from '../ir/graph.ts';
import { inferTypes } from '../ir/infer.ts';
import { makeTensor, tensorFloats, type Tensor } from '../ir/tensor.ts';
import { outerReferences, toposort } from '../ir/toposort.ts';
import { constantOf, nameAllocator } from '../passes/graph-edit.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import { calibrate } from './calibrate/calibrate.ts';
import { computesOnFloat, type ExcludeList } from './exclude.ts';
import { FLOAT16_MAX, toFloat16 } from '../ir/half.ts';
import type { QuantizeReport } from './report.ts';
import type { ResolvedOptions } from './schemes.ts';
import { scopedGraphs } from './subgraphs.ts';

/**
 * Ops kept in float32 by default: onnxruntime's float16 converter's list (ops without float16
 * kernels, or whose float inputs must stay float32, like Resize's scales).
 */
export const FP16_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer',
  'Imputer', 'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder',
  'RandomUniformLike', 'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor',
  'ZipMap', 'NonMaxSuppression', 'TopK', 'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample',
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear',
];

const FLOAT16 = 10;
const FLOAT32 = 1;

/** Why a node stays float32, or undefined if it runs in float16. */
function blockReason(node: Node, exclude: ExcludeList): string | undefined {
  if (exclude.matches(node)) return 'excluded by the user';
  if (FP16_BLOCK_LIST.includes(node.op)) return 'unsafe in float16 (default block list)';
  if (node.domain !== '' && node.domain !== 'ai.onnx') return `custom-domain op (${node.domain})`;
  if (subgraphsOf(node).length) return 'control flow: the node keeps a float32 interface; its bodies run in float16';
  return undefined;
}

function isFloat32(types: ReadonlyMap<string, ValueType>, graph: Graph, name: string): boolean {
  if (!name) return false;
  const t = constantOf(graph, name);
  if (t) return t.dtype === 'float32';
  const type = types.get(name);
  return type?.kind === 'tensor' && type.dtype === 'float32';
}

/** Converts `model` in place to float16, inside If/Loop/Scan bodies too; fills the report. */
export async function quantizeFp16(model: Model, options: ResolvedOptions, exclude: ExcludeList, report: QuantizeReport): Promise<Model> {
  const types = inferTypes(model, { tolerant: true });
  const graphs = scopedGraphs(model).map((s) => ({ ...s, nodes: toposort(s.graph) }));
  const blocked = new Map<Node, string>();
  for (const { nodes } of graphs) {
    for (const node of nodes) {
      const reason = blockReason(node, exclude);
      if (reason) blocked.set(node, reason);
    }
  }
  if (options.calibration) await blockOverflowingActivations(model, graphs, types, options, blocked, report);
  const fresh = nameAllocator(model.graph);
  // Values (of any scope) held in float16: bodies are converted after their enclosing graph and see its choices.
  const inFp16 = new Set<string>();
  for (const { graph, nodes, owner } of graphs) convertGraph(graph, nodes, !owner, { types, blocked, inFp16, fresh, report });
  for (const { nodes, owner, scope } of graphs) {
    const where = owner ? { scope } : {};
    for (const node of nodes) {
      if (!computesOnFloat(node, types)) continue;
      const reason = blocked.get(node);
      if (reason) report.float.push({ node: node.name, op: node.op, detail: reason, ...where });
      else report.quantized.push({ node: node.name, op: node.op, detail: 'float16', ...where });
    }
  }
  return model;
}

interface Fp16Context {
  types: ReadonlyMap<string, ValueType>;
  blocked: ReadonlyMap<Node, string>;
  inFp16: Set<string>;
  fresh: (base: string) => string;
  report: QuantizeReport;
}

/**
 * Converts one graph: unblocked nodes compute in float16, its constants follow their readers, Casts go where a value's
 * type differs from what its reader runs in, and the graph's outputs stay float32 (so If/Loop/Scan keep a float32
 * interface; the control-flow node itself is blocked and its bodies convert on their own).
 */
function convertGraph(graph: Graph, nodes: Node[], isMain: boolean, ctx: Fp16Context): void {
  const { types, blocked, inFp16, fresh, report } = ctx;
  for (const node of nodes) if (!blocked.has(node)) for (const o of node.outputs) if (isFloat32(types, graph, o)) inFp16.add(o);

  // Constants: float16 when every float reader runs in float16 (readers inside bodies included: a weight the bodies
  // share stays in the enclosing graph); a float16 copy for this graph's readers when readers are mixed.
  const readers = new Map<string, Node[]>();
  for (const node of nodes) for (const v of node.inputs) if (v && constantOf(graph, v)?.dtype === 'float32') readers.set(v, [...(readers.get(v) ?? []), node]);
  for (const [name, t] of graph.initializers) if (t.dtype === 'float32' && !readers.has(name) && constantOf(graph, name)) readers.set(name, []);
  const halfCopies = new Map<string, string>();
  for (const [name, users] of readers) {
    const t = constantOf(graph, name)!;
    const inBodies = bodyReaders(graph, name);
    if (!users.length && !inBodies.length) continue;
    const all = [...users, ...inBodies];
    const fp16Users = users.filter((n) => !blocked.has(n));
    const inPlace = all.every((n) => !blocked.has(n));
    if (!inPlace && !fp16Users.length) continue;
    const converted = convertTensor(t, inPlace ? name : fresh(`${name}_fp16`), report);
    graph.initializers.set(converted.name, converted);
    if (converted.name === name) inFp16.add(name);
    else halfCopies.set(name, converted.name);
  }

  // Casts where a value's dtype differs from what its reader runs in.
  const casts = new Map<string, string>();
  const castNodes: Node[] = [];
  const castTo = (value: string, to: 'float16' | 'float32'): string => {
    const key = `${value}\u0000${to}`;
    let out = casts.get(key);
    if (!out) {
      out = fresh(`${value}_${to === 'float16' ? 'fp16' : 'fp32'}`);
      castNodes.push(castNode(fresh(`${value}_Cast_${to}`), value, out, to === 'float16' ? FLOAT16 : FLOAT32));
      casts.set(key, out);
    }
    return out;
  };
  for (const node of nodes) {
    const wantsHalf = !blocked.has(node);
    node.inputs = node.inputs.map((v) => {
      if (!isFloat32(types, graph, v)) return v;
      if (wantsHalf && halfCopies.has(v)) return halfCopies.get(v)!;
      const isHalf = inFp16.has(v);
      if (isHalf === wantsHalf) return v;
      return castTo(v, wantsHalf ? 'float16' : 'float32');
    });
    if (wantsHalf) retypeNode(node, report);
  }

  // Graph outputs stay float32: the producer writes `<name>_fp16`, a Cast restores the name. A body output made
  // outside the body (an outer float16 value) gets a Cast inside the body instead (body outputs match by position).
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  for (const out of graph.outputs) {
    if (!inFp16.has(out.name)) continue;
    if (!produced.has(out.name)) {
      if (isMain) continue;
      const restored = fresh(`${out.name}_fp32`);
      castNodes.push(castNode(fresh(`${out.name}_Cast_float32`), out.name, restored, FLOAT32));
      out.name = restored;
      continue;
    }
    const half = fresh(`${out.name}_fp16`);
    for (const node of [...nodes, ...castNodes]) {
      node.outputs = node.outputs.map((o) => (o === out.name ? half : o));
      node.inputs = node.inputs.map((i) => (i === out.name ? half : i));
    }
    castNodes.push(castNode(fresh(`${out.name}_Cast_float32`), half, out.name, FLOAT32));
    inFp16.delete(out.name);
    inFp16.add(half);
  }

  for (const [name, info] of graph.valueInfo) {
    if (inFp16.has(name) && info.type.kind === 'tensor' && info.type.dtype === 'float32') info.type = { ...info.type, dtype: 'float16' };
  }
  graph.nodes = [...nodes, ...castNodes];
  graph.nodes = toposort(graph);
}

/** The nodes inside `graph`'s bodies (nested ones included) that read `name` of an enclosing scope. */
function bodyReaders(graph: Graph, name: string): Node[] {
  return graph.nodes.flatMap((n) => subgraphsOf(n).flatMap((g) => outerReferences(g).has(name)
    ? [...g.nodes.filter((m) => m.inputs.includes(name)), ...bodyReaders(g, name)]
    : []));
}

/** A float32 tensor as float16, clamped to ±65504 (clamps are reported). */
function convertTensor(t: Tensor, name: string, report: QuantizeReport): Tensor {
  const { bits, clamped, maxAbs } = toFloat16(tensorFloats(t));
  if (clamped) report.fp16Overflows.push({ tensor: t.name, kind: 'constant', count: clamped, maxAbs });
  return makeTensor(name, 'float16', t.dims, bits);
}

function castNode(name: string, input: string, output: string, to: number): Node {
  return { op: 'Cast', domain: '', name, inputs: [input], outputs: [output], attributes: new Map([['to', { type: 'int', value: to }]]) };
}

/** Rewrites float32-typed attributes of a node that now runs in float16 (Cast targets, Constant values). */
function retypeNode(node: Node, report: QuantizeReport): void {
  const to = node.attributes.get('to');
  if (node.op === 'Cast' && to?.type === 'int' && to.value === FLOAT32) node.attributes.set('to', { type: 'int', value: FLOAT16 });
  if (node.op === 'Constant' || node.op === 'ConstantOfShape') {
    const value = node.attributes.get('value');
    if (value?.type === 'tensor' && value.value.dtype === 'float32') node.attributes.set('value', { type: 'tensor', value: convertTensor(value.value, value.value.name, report) });
  }
}

/** With calibration data: producers of activations (bodies included) whose range exceeds float16 stay float32. */
async function blockOverflowingActivations(model: Model, graphs: { graph: Graph; nodes: Node[] }[], types: ReadonlyMap<string, ValueType>, options: ResolvedOptions, blocked: Map<Node, string>, report: QuantizeReport): Promise<void> {
  const cal = options.calibration!;
  const producers = new Map<string, Node>();
  for (const { graph } of graphs) for (const [v, n] of producersOf(graph)) producers.set(v, n);
  const tensors = graphs.flatMap(({ graph, nodes }) => nodes.filter((n) => !blocked.has(n)).flatMap((n) => n.outputs.filter((o) => isFloat32(types, graph, o))));
  const ranges = await calibrate(model, cal.source, { method: 'minmax', tensors, batchSize: cal.batchSize, limit: cal.limit, progress: options.progress });
  for (const [name, r] of ranges) {
    const maxAbs = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (maxAbs <= FLOAT16_MAX) continue;
    report.fp16Overflows.push({ tensor: name, kind: 'activation', count: 0, maxAbs });
    const p = producers.get(name);
    if (p) blocked.set(p, `output '${name}' reaches ${maxAbs.toExponential(2)}, beyond float16`);
  }
}
