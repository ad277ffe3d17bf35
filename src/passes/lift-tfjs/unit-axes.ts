// Removes the unit-axis round trips a lifted TF graph is full of (a batch of 1 unstacked then stacked again), so Transposes meet and cancel.
import type { Dim, Graph, Node } from '../../ir/graph.ts';
import { inferGraph } from '../../ir/infer.ts';
import { tensorValues } from '../../ir/tensor.ts';
import { eliminateDeadCode } from '../dead-code.ts';
import { constantOf, graphOutputNames, replaceUses } from '../graph-edit.ts';
import { TFJS_LIFTED_OPSET } from './context.ts';

/** Unary elementwise ops an Unsqueeze can be moved in front of (they see the same values either way). */
const UNARY = new Set(['Cast', 'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Abs', 'Neg', 'Sqrt', 'Reciprocal', 'Identity']);

/** What the rules look at: constants, producers and the static dims of values. */
interface Lookup {
  graph: Graph;
  producer: Map<string, Node>;
  readers: Map<string, number>;
  dims: (value: string) => Dim[] | undefined;
}

/** The constant integer values of `name`, or undefined. */
function constInts(graph: Graph, name: string | undefined): number[] | undefined {
  const t = name ? constantOf(graph, name) : undefined;
  return t ? Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number) : undefined;
}

/** Sorted non-negative axes (an input of Squeeze/Unsqueeze), or undefined when absent, dynamic or negative. */
function axesOf(graph: Graph, node: Node): string | undefined {
  const axes = constInts(graph, node.inputs[1]);
  return axes && axes.every((a) => a >= 0) ? [...axes].sort((a, b) => a - b).join(',') : undefined;
}

/**
 * The input `value` is made from by dropping unit axes `axes` and nothing else: Squeeze(x, axes), or Gather(x, 0,
 * axis a) over an axis of size 1; else undefined.
 */
function unitAxesDroppedFrom(value: string, axes: string, at: Lookup): string | undefined {
  const from = at.producer.get(value);
  if (!from || from.domain !== '') return undefined;
  if (from.op === 'Squeeze') return axesOf(at.graph, from) === axes ? from.inputs[0] : undefined;
  if (from.op !== 'Gather') return undefined;
  const [x, index] = from.inputs;
  const axisAttr = from.attributes.get('axis');
  const axis = axisAttr?.type === 'int' ? axisAttr.value : 0;
  const t = index ? constantOf(at.graph, index) : undefined;
  const isZero = t?.dims.length === 0 && constInts(at.graph, index)?.[0] === 0;
  return isZero && String(axis) === axes && at.dims(x)?.[axis] === 1 ? x : undefined;
}

/** True when a Slice takes the whole of every axis it slices (by static dims), so it passes its input through. */
function slicesWhole(node: Node, at: Lookup): boolean {
  const [x, starts, ends, axes, steps] = node.inputs;
  const d = at.dims(x);
  const s = constInts(at.graph, starts), e = constInts(at.graph, ends);
  const st = steps ? constInts(at.graph, steps) : s?.map(() => 1);
  const ax = axes ? constInts(at.graph, axes) : s?.map((_, i) => i);
  if (!d || !s || !e || !st || !ax) return false;
  return ax.every((a, i) => {
    const n = d[a < 0 ? a + d.length : a];
    return typeof n === 'number' && st[i] === 1 && (s[i] === 0 || s[i] <= -n) && e[i] >= n;
  });
}

/**
 * Rewrites `node` if it undoes a unit-axis change: Unsqueeze(Squeeze(x, A), A), Unsqueeze(Gather(x, 0, a), a) over a
 * unit axis, Squeeze(Unsqueeze(x, A), A) and a whole-axes Slice all read as x (returned: readers of `node` read it);
 * Unsqueeze(U(drop(x, A)), A) for a unary elementwise U read only there becomes U(x) (U's output is returned).
 */
function simplify(node: Node, at: Lookup): string | undefined {
  if (node.op === 'Slice') return slicesWhole(node, at) ? node.inputs[0] : undefined;
  if (node.op !== 'Squeeze' && node.op !== 'Unsqueeze') return undefined;
  const axes = axesOf(at.graph, node);
  if (axes === undefined) return undefined;
  if (node.op === 'Squeeze') {
    const from = at.producer.get(node.inputs[0]);
    return from?.op === 'Unsqueeze' && from.domain === '' && axesOf(at.graph, from) === axes ? from.inputs[0] : undefined;
  }
  const direct = unitAxesDroppedFrom(node.inputs[0], axes, at);
  if (direct !== undefined) return direct;
  const unary = at.producer.get(node.inputs[0]);
  if (!unary || unary.domain !== '' || !UNARY.has(unary.op) || at.readers.get(unary.outputs[0]) !== 1) return undefined;
  const x = unitAxesDroppedFrom(unary.inputs[0], axes, at);
  if (x === undefined) return undefined;
  unary.inputs[0] = x;
  return unary.outputs[0];
}

/**
 * Bypasses unit-axis round trips (see {@link simplify}) in a lifted graph (ONNX ops, opset {@link TFJS_LIFTED_OPSET}):
 * readers of such a node read the equivalent value instead, and nodes left unread go. A batch of 1 mapped by
 * `tf.map_fn` is unstacked, processed and stacked again, which leaves Squeeze/Unsqueeze pairs between the Transposes
 * around spatial ops; once bypassed, the Transposes meet and cancel. Returns how many nodes were bypassed.
 */
export function collapseUnitAxisRoundTrips(graph: Graph): number {
  const types = inferGraph(graph, [{ domain: '', version: TFJS_LIFTED_OPSET }], { tolerant: true }).types;
  const dims = (v: string) => {
    const t = types.get(v);
    return t?.kind === 'tensor' ? t.shape : undefined;
  };
  const outputs = graphOutputNames(graph);
  const gone = new Set<Node>();
  for (let changed = true; changed;) {
    changed = false;
    const producer = new Map<string, Node>();
    const readers = new Map<string, number>();
    for (const n of graph.nodes) {
      if (gone.has(n)) continue;
      for (const o of n.outputs) producer.set(o, n);
      for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
    }
    for (const v of outputs) readers.set(v, (readers.get(v) ?? 0) + 1);
    const at: Lookup = { graph, producer, readers, dims };
    for (const node of graph.nodes) {
      if (gone.has(node) || node.domain !== '' || outputs.has(node.outputs[0])) continue;
      const source = simplify(node, at);
      if (source === undefined) continue;
      replaceUses(graph, node.outputs[0], source, false);
      // `source` now carries what the node computed (a moved unary op changes rank): keep its dims for later rules.
      const type = types.get(node.outputs[0]);
      if (type) types.set(source, type);
      gone.add(node);
      changed = true;
      break;
    }
  }
  if (gone.size) eliminateDeadCode(graph);
  return gone.size;
}
