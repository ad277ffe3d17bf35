// Moves Transposes toward the outputs through layout-agnostic ops and cancels inverse pairs, so they remain only where layouts truly change.
import type { Graph, Node } from '../../ir/graph.ts';
import { attrInt, attrInts } from '../../ir/graph.ts';
import { elementCount, makeTensor, tensorFloats, tensorValues } from '../../ir/tensor.ts';
import { toposort } from '../../ir/toposort.ts';
import { eliminateDeadCode } from '../dead-code.ts';
import { constantOf, graphOutputNames, nameAllocator, usesOf } from '../graph-edit.ts';
import { ints, transposeData } from './context.ts';

/** Ops that act elementwise (with broadcasting), so a Transpose of their result equals the op on transposed inputs. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Relu', 'Clip', 'Sigmoid', 'Tanh', 'HardSwish', 'Identity', 'PRelu', 'LeakyRelu', 'Sqrt', 'Reciprocal', 'Exp', 'Abs', 'Cast']);

/** Where the Transposes of a graph sit: next to a graph input/output, or inside. */
export interface TransposeCounts {
  /** Transposes reading a graph input or writing a graph output. */
  boundary: number;
  /** All other Transposes. */
  inside: number;
}

/** Counts the graph's Transposes at the boundary and inside. */
export function countTransposes(graph: Graph): TransposeCounts {
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const outputs = graphOutputNames(graph);
  let boundary = 0, inside = 0;
  for (const n of graph.nodes) {
    if (n.op !== 'Transpose' || n.domain !== '') continue;
    if (inputs.has(n.inputs[0]) || outputs.has(n.outputs[0])) boundary++; else inside++;
  }
  return { boundary, inside };
}

const permOf = (n: Node): number[] => attrInts(n, 'perm', []);
const isIdentity = (p: number[]): boolean => p.every((v, i) => v === i);
const inverse = (p: number[]): number[] => p.reduce<number[]>((inv, v, i) => ((inv[v] = i), inv), []);

/**
 * Rewrites until nothing changes: Transpose∘Transpose is composed (dropped when it is the identity); an elementwise op,
 * Concat, Pad or keepdims ReduceMean whose transposed inputs share one permutation runs on the untransposed data and
 * the Transpose moves after it (constant operands are permuted at compile time). Dead Transposes are swept at the end.
 */
export function optimizeTransposes(graph: Graph): void {
  const fresh = nameAllocator(graph);
  for (let round = 0; round < 10_000; round++) {
    if (!rewriteOnce(graph, fresh)) break;
    eliminateDeadCode(graph);
  }
}

function rewriteOnce(graph: Graph, fresh: (base: string) => string): boolean {
  const producers = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producers.set(o, n);
  const outputs = graphOutputNames(graph);
  const transposeOf = (value: string): Node | undefined => {
    const p = producers.get(value);
    return p?.op === 'Transpose' && p.domain === '' ? p : undefined;
  };
  for (const node of toposort(graph)) {
    if (node.domain !== '') continue;
    if (node.op === 'Transpose') {
      const inner = transposeOf(node.inputs[0]);
      if (!inner) continue;
      const p0 = permOf(inner), p1 = permOf(node);
      const composed = p1.map((i) => p0[i]);
      node.inputs[0] = inner.inputs[0];
      if (isIdentity(composed)) {
        node.op = 'Identity';
        node.attributes.delete('perm');
        if (!outputs.has(node.outputs[0])) bypass(graph, node);
      } else node.attributes.set('perm', ints(composed));
      return true;
    }
    if (pushThrough(graph, node, transposeOf, fresh)) return true;
  }
  return false;
}

/** Removes an Identity node by making its readers read its input. */
function bypass(graph: Graph, node: Node): void {
  const uses = usesOf(graph).get(node.outputs[0]) ?? [];
  for (const u of uses) u.node.inputs[u.slot] = node.inputs[0];
  graph.nodes = graph.nodes.filter((n) => n !== node);
}

/** The slots of `node` that take transposed data (the rest are constants or omitted), or undefined when it cannot be pushed. */
function pushableSlots(node: Node): number[] | undefined {
  if (ELEMENTWISE.has(node.op) || node.op === 'Concat') return node.inputs.map((_, i) => i);
  if (node.op === 'Pad') return [0];
  if (node.op === 'ReduceMean' && attrInt(node, 'keepdims', 1) === 1 && node.inputs.length === 1) return [0];
  return undefined;
}

function pushThrough(graph: Graph, node: Node, transposeOf: (v: string) => Node | undefined, fresh: (base: string) => string): boolean {
  const slots = pushableSlots(node);
  if (!slots || node.outputs.length !== 1) return false;
  let perm: number[] | undefined;
  const plan: ({ kind: 'transposed'; source: string } | { kind: 'constant' } | { kind: 'keep' })[] = [];
  for (const [slot, value] of node.inputs.entries()) {
    const t = value && slots.includes(slot) ? transposeOf(value) : undefined;
    if (t) {
      const p = permOf(t);
      if (perm && p.join() !== perm.join()) return false;
      perm = p;
      plan.push({ kind: 'transposed', source: t.inputs[0] });
    } else if (!value || !slots.includes(slot)) plan.push({ kind: 'keep' });
    else if (ELEMENTWISE.has(node.op) && constantOf(graph, value)) plan.push({ kind: 'constant' });
    else return false;
  }
  if (!perm) return false;
  const rank = perm.length;
  const inv = inverse(perm);
  const movable = (slot: number): boolean => {
    const c = constantOf(graph, node.inputs[slot])!;
    return elementCount(c.dims) === 1 || (c.dims.length <= rank && (c.dtype === 'float32' || c.dtype === 'float16'));
  };
  if (plan.some((step, slot) => step.kind === 'constant' && !movable(slot))) return false;
  if (node.op === 'Pad' && constantOf(graph, node.inputs[1])?.dims[0] !== 2 * rank) return false;
  const axes = node.op === 'Concat' ? [attrInt(node, 'axis', 0)] : node.op === 'ReduceMean' ? attrInts(node, 'axes', []) : [];
  if (axes.some((a) => !Number.isInteger(a) || a < -rank || a >= rank)) return false;
  for (const [slot, step] of plan.entries()) {
    if (step.kind === 'transposed') node.inputs[slot] = step.source;
    else if (step.kind === 'constant') {
      const c = constantOf(graph, node.inputs[slot])!;
      if (elementCount(c.dims) === 1) continue;
      const dims = [...new Array(rank - c.dims.length).fill(1), ...c.dims];
      const moved = transposeData(tensorFloats(c), dims, inv);
      const name = fresh(`${c.name}_permuted`);
      graph.initializers.set(name, makeTensor(name, 'float32', moved.dims, moved.data));
      node.inputs[slot] = name;
    }
  }
  remapAxes(graph, node, perm, fresh);
  const out = node.outputs[0];
  const inner = fresh(`${out}_untransposed`);
  node.outputs[0] = inner;
  graph.nodes.push({ op: 'Transpose', domain: '', name: fresh(`Transpose_${out}`), inputs: [inner], outputs: [out], attributes: new Map([['perm', ints(perm)]]) });
  return true;
}

/** Axis attributes and pads of a node now running on data whose axis i was axis perm[i]. */
function remapAxes(graph: Graph, node: Node, perm: number[], fresh: (base: string) => string): void {
  const rank = perm.length;
  const axis = (a: number) => perm[a < 0 ? a + rank : a];
  if (node.op === 'Concat') node.attributes.set('axis', { type: 'int', value: axis(attrInt(node, 'axis', 0)) });
  if (node.op === 'ReduceMean') node.attributes.set('axes', ints(attrInts(node, 'axes', []).map(axis)));
  if (node.op === 'Pad') {
    const pads = Array.from(tensorValues(constantOf(graph, node.inputs[1])!) as BigInt64Array, Number);
    const moved = new Array<number>(2 * rank).fill(0);
    for (let i = 0; i < rank; i++) [moved[perm[i]], moved[rank + perm[i]]] = [pads[i], pads[rank + i]];
    const name = fresh('pads_permuted');
    graph.initializers.set(name, makeTensor(name, 'int64', [2 * rank], BigInt64Array.from(moved.map(BigInt))));
    node.inputs[1] = name;
  }
}
