// After Q/DQ insertion: ops that only move values run on the quantized tensor (DQ→op→Q→DQ becomes op→DQ), as
// onnxruntime's own optimizer would rewrite them at load time; the file is smaller and every runtime sees the same graph.
import type { Graph, Node } from '../ir/graph.ts';
import { constantOf, usesOf } from '../passes/graph-edit.ts';
import { elementCount, tensorValues } from '../ir/tensor.ts';
import { QUANT_TYPES, typeLimits, type QuantType } from './params.ts';
import { producers as producersOf } from '../ir/toposort.ts';

/** Ops whose output element equals some input element (so they commute with Q/DQ), with the integer types ONNX lets them take. */
const MOVERS: Readonly<Record<string, 'all' | '8bit'>> = {
  Reshape: 'all', Flatten: 'all', Transpose: 'all', Squeeze: 'all', Unsqueeze: 'all', MaxPool: '8bit',
};

const isQ = (n: Node | undefined): n is Node => !!n && n.op === 'QuantizeLinear';
const isDQ = (n: Node | undefined): n is Node => !!n && n.op === 'DequantizeLinear';

/**
 * Rewrites `DQ(x_q) → op → Q → y_q` into `op(x_q) → y_q` when the Q uses the same scale and zero point as the DQ
 * (the plan shares them by name for such ops) and the op's output feeds only that Q. Returns how many ops moved.
 * The input DQ stays while something else still reads it (dead-code elimination drops it otherwise).
 */
export function runMoversOnQuantized(graph: Graph, eightBit: boolean): number {
  const producers = producersOf(graph);
  const uses = usesOf(graph);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const doomed = new Set<Node>();
  let moved = 0;
  for (const node of graph.nodes) {
    const kind = MOVERS[node.op];
    if (!kind || (kind === '8bit' && !eightBit) || node.domain !== '' || node.outputs.length !== 1) continue;
    const dq = producers.get(node.inputs[0]);
    if (kind === '8bit' && isDQ(dq) && !is8BitDq(graph, dq)) continue;
    const out = node.outputs[0];
    const consumers = uses.get(out) ?? [];
    const q = consumers[0]?.node;
    if (!isDQ(dq) || consumers.length !== 1 || !isQ(q) || q.domain !== dq.domain || outputs.has(out)) continue;
    if (!sameParams(dq, q) || dq.attributes.has('axis') || q.attributes.has('axis')) continue;
    node.inputs[0] = dq.inputs[0];
    node.outputs[0] = q.outputs[0];
    doomed.add(q);
    moved++;
  }
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
  return moved;
}

/** True if the DQ's zero point (its input type) is an 8-bit type (a 16-bit value in a mostly 8-bit graph stays put). */
function is8BitDq(graph: Graph, dq: Node): boolean {
  const zp = dq.inputs[2] ? constantOf(graph, dq.inputs[2]) : undefined;
  return !zp || zp.dtype === 'uint8' || zp.dtype === 'int8';
}

/** Same scale and zero-point values (by name: the plan shares initializers between values quantized alike). */
function sameParams(dq: Node, q: Node): boolean {
  return dq.inputs[1] === q.inputs[1] && (dq.inputs[2] ?? '') === (q.inputs[2] ?? '');
}

/**
 * Drops a Relu (or Clip) right before a QuantizeLinear whose integer grid already clamps at least as tightly
 * (zero point at the grid's bottom for Relu; the grid inside [min, max] for Clip): `Relu → Q` equals `Q` then, exactly.
 * onnxruntime removes such nodes at load time too; removing them here keeps the file smaller. Returns how many went.
 */
export function dropClampsBeforeQ(graph: Graph): number {
  const producers = producersOf(graph);
  const uses = usesOf(graph);
  const outputs = new Set(graph.outputs.map((v) => v.name));
  const scalar = (name: string | undefined): number | undefined => {
    const t = name ? constantOf(graph, name) : undefined;
    return t && elementCount(t.dims) === 1 ? Number(tensorValues(t)[0]) : undefined;
  };
  const doomed = new Set<Node>();
  for (const q of graph.nodes) {
    if (!isQ(q) || !q.inputs[2]) continue;
    const clamp = producers.get(q.inputs[0]);
    if (!clamp || clamp.domain !== '' || (clamp.op !== 'Relu' && clamp.op !== 'Clip')) continue;
    if ((uses.get(clamp.outputs[0]) ?? []).length !== 1 || outputs.has(clamp.outputs[0])) continue;
    const zpTensor = constantOf(graph, q.inputs[2]);
    const scale = scalar(q.inputs[1]);
    const zp = scalar(q.inputs[2]);
    if (!zpTensor || scale === undefined || zp === undefined || !(QUANT_TYPES as readonly string[]).includes(zpTensor.dtype)) continue;
    const [qmin, qmax] = typeLimits(zpTensor.dtype as QuantType);
    const gridMin = (qmin - zp) * scale, gridMax = (qmax - zp) * scale;
    const lo = clamp.op === 'Relu' ? 0 : clamp.inputs[1] ? scalar(clamp.inputs[1]) : -Infinity;
    const hi = clamp.op === 'Relu' ? Infinity : clamp.inputs[2] ? scalar(clamp.inputs[2]) : Infinity;
    if (lo === undefined || hi === undefined || lo > gridMin || hi < gridMax) continue;
    q.inputs[0] = clamp.inputs[0];
    doomed.add(clamp);
  }
  if (doomed.size) graph.nodes = graph.nodes.filter((n) => !doomed.has(n));
  return doomed.size;
}

/** Attributes whose value equals the ONNX default, per op: `ones` = every element 1, `zeros` = every element 0. */
const DEFAULTS: Readonly<Record<string, Readonly<Record<string, number | 'ones' | 'zeros'>>>> = {
  Conv: { group: 1, dilations: 'ones', strides: 'ones', pads: 'zeros' },
  ConvTranspose: { group: 1, dilations: 'ones', strides: 'ones', pads: 'zeros' },
  MaxPool: { ceil_mode: 0, dilations: 'ones', strides: 'ones', pads: 'zeros', storage_order: 0 },
  AveragePool: { ceil_mode: 0, strides: 'ones', pads: 'zeros', count_include_pad: 0 },
  Flatten: { axis: 1 },
};

/**
 * Removes attributes spelled out with their ONNX default value (exporters write `dilations=[1,1]`, `group=1`, …) from
 * the ops the quantizer touches: the same model, a few bytes per node smaller. Returns how many went.
 */
export function dropDefaultAttributes(graph: Graph): number {
  let dropped = 0;
  for (const node of graph.nodes) {
    const defaults = node.domain === '' ? DEFAULTS[node.op] : undefined;
    if (!defaults) continue;
    // auto_pad other than NOTSET makes pads irrelevant but keeps other defaults meaningful; leave such nodes alone.
    if (node.attributes.has('auto_pad')) continue;
    for (const [name, want] of Object.entries(defaults)) {
      const a = node.attributes.get(name);
      if (!a) continue;
      const same = a.type === 'int' ? typeof want === 'number' && a.value === want
        : a.type === 'ints' ? (want === 'ones' ? a.value.every((v) => v === 1) : want === 'zeros' && a.value.every((v) => v === 0))
        : false;
      if (same) {
        node.attributes.delete(name);
        dropped++;
      }
    }
  }
  return dropped;
}
