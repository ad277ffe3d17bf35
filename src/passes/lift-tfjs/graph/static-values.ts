// Evaluates the small integer/boolean tensors of an `ai.tensorflow` graph that are known before running it (loop counters, shape arithmetic).
import type { Graph, Node } from '../../../ir/graph.ts';
import { attrInt, attrInts, attrString } from '../../../ir/graph.ts';
import { elementCount, tensorValues } from '../../../ir/tensor.ts';
import { constantOf, shapeOf } from '../../graph-edit.ts';

/** A value known at lift time: row-major numbers (booleans as 0/1). */
export interface StaticValue {
  kind: 'int' | 'float' | 'bool';
  dims: number[];
  data: number[];
}

/** Elements beyond which a value is not worth tracking (shape arithmetic is tiny). */
const MAX_ELEMENTS = 4096;

type Result = StaticValue | { why: string };

const isValue = (r: Result): r is StaticValue => 'data' in r;

/** Binary elementwise TensorFlow ops the evaluator computes, with their result kind ('same' = the inputs' kind). */
const BINARY: Record<string, { fn: (a: number, b: number) => number; kind: 'same' | 'bool' }> = {
  Add: { fn: (a, b) => a + b, kind: 'same' },
  AddV2: { fn: (a, b) => a + b, kind: 'same' },
  Sub: { fn: (a, b) => a - b, kind: 'same' },
  Mul: { fn: (a, b) => a * b, kind: 'same' },
  FloorDiv: { fn: (a, b) => Math.floor(a / b), kind: 'same' },
  FloorMod: { fn: (a, b) => a - Math.floor(a / b) * b, kind: 'same' },
  Maximum: { fn: Math.max, kind: 'same' },
  Minimum: { fn: Math.min, kind: 'same' },
  Less: { fn: (a, b) => +(a < b), kind: 'bool' },
  LessEqual: { fn: (a, b) => +(a <= b), kind: 'bool' },
  Greater: { fn: (a, b) => +(a > b), kind: 'bool' },
  GreaterEqual: { fn: (a, b) => +(a >= b), kind: 'bool' },
  Equal: { fn: (a, b) => +(a === b), kind: 'bool' },
  NotEqual: { fn: (a, b) => +(a !== b), kind: 'bool' },
  LogicalAnd: { fn: (a, b) => +(!!a && !!b), kind: 'bool' },
  LogicalOr: { fn: (a, b) => +(!!a || !!b), kind: 'bool' },
};

/** Ops whose output 0 is their input 0 unchanged (Enter: a value entering a while frame, e.g. a loop invariant). */
const PASS_THROUGH = new Set(['Identity', 'Snapshot', 'StopGradient', 'PreventGradient', 'Enter']);

/**
 * Computes, without running the model, the values of `ai.tensorflow` outputs that depend only on constants and on
 * static shapes (graph inputs whose shape was fixed, initializers): the scalar arithmetic of TF1 while conditions,
 * TensorList indices and sizes. Handles the ops such arithmetic is made of (Shape/Size/Rank, 1-D StridedSlice/Slice/
 * Gather, Pack/ConcatV2, Cast, Reshape/ExpandDims/Squeeze, comparisons, logic, +−×, floor div/mod, max/min). A value it
 * cannot compute comes with a reason that names the input whose shape is not static, or the op it does not evaluate.
 */
export class StaticValues {
  private readonly producers = new Map<string, { node: Node; index: number }>();
  private readonly memo = new Map<string, Result>();

  constructor(private readonly graph: Graph) {
    this.register(graph.nodes);
  }

  /** Makes nodes not (yet) in the graph visible to the evaluator (e.g. a loop condition instantiated for one iteration). */
  register(nodes: readonly Node[]): void {
    for (const node of nodes) node.outputs.forEach((o, index) => o && this.producers.set(o, { node, index }));
  }

  /** The value of `name`, or undefined. */
  value(name: string): StaticValue | undefined {
    const r = this.evaluate(name);
    return isValue(r) ? r : undefined;
  }

  /** Why `name` cannot be computed before running the model (empty when it can). */
  why(name: string): string {
    const r = this.evaluate(name);
    return isValue(r) ? '' : r.why;
  }

  /** A scalar (or one-element) value as a number, or undefined. */
  scalar(name: string): number | undefined {
    const v = this.value(name);
    return v && v.data.length === 1 ? v.data[0] : undefined;
  }

  private evaluate(name: string): Result {
    const hit = this.memo.get(name);
    if (hit) return hit;
    this.memo.set(name, { why: `'${name}' depends on itself` });
    const r = this.compute(name);
    this.memo.set(name, r);
    return r;
  }

  private compute(name: string): Result {
    const t = constantOf(this.graph, name);
    if (t) {
      if (elementCount(t.dims) > MAX_ELEMENTS || t.dtype === 'string') return { why: `constant '${name}' is not a small numeric tensor` };
      const kind = t.dtype === 'bool' ? 'bool' : t.dtype.startsWith('float') ? 'float' : 'int';
      if (t.dtype === 'float16' || t.dtype === 'bfloat16') return { why: `constant '${name}' is ${t.dtype}` };
      return { kind, dims: [...t.dims], data: Array.from(tensorValues(t) as ArrayLike<number | bigint>, Number) };
    }
    if (this.graph.inputs.some((v) => v.name === name)) return { why: `'${name}' is a model input, only known at run time` };
    const p = this.producers.get(name);
    if (!p) return { why: `'${name}' has no producer` };
    return this.op(p.node, p.index);
  }

  /** The static dims of `name` (a graph input with a fixed shape, a constant, or a shape-preserving op of one). */
  dims(name: string): number[] | { why: string } {
    const declared = shapeOf(this.graph, name);
    if (declared?.every((d): d is number => typeof d === 'number')) return declared;
    if (this.graph.inputs.some((v) => v.name === name)) {
      const shown = declared ? `[${declared.map((d) => (typeof d === 'number' ? d : '?')).join(',')}]` : 'unknown';
      return { why: `the shape of input '${name}' is not static (${shown}); give --input-shape` };
    }
    const p = this.producers.get(name);
    if (p && p.index === 0 && (PASS_THROUGH.has(p.node.op) || p.node.op === 'Cast')) return this.dims(p.node.inputs[0]);
    const v = p ? this.evaluate(name) : undefined;
    if (v && isValue(v)) return v.dims;
    return { why: `the shape of '${name}' is only known at run time` };
  }

  private op(node: Node, index: number): Result {
    const inputs = (): Result[] => node.inputs.map((i) => this.evaluate(i));
    const all = (): StaticValue[] | { why: string } => {
      const rs = inputs();
      const bad = rs.find((r) => !isValue(r));
      return bad && !isValue(bad) ? bad : (rs as StaticValue[]);
    };
    if (index !== 0 && node.op !== 'Unpack') return { why: `output ${index} of '${node.name}' (${node.op}) is not evaluated` };
    const op = node.op;
    if (PASS_THROUGH.has(op)) return this.evaluate(node.inputs[0]);
    if (op === 'Shape' || op === 'Size' || op === 'Rank') {
      const d = this.dims(node.inputs[0]);
      if (!Array.isArray(d)) return d;
      if (op === 'Shape') return { kind: 'int', dims: [d.length], data: d };
      return { kind: 'int', dims: [], data: [op === 'Size' ? elementCount(d) : d.length] };
    }
    const binary = BINARY[op];
    if (binary) {
      const vs = all();
      if (!Array.isArray(vs)) return vs;
      return broadcast(vs[0], vs[1], binary.fn, binary.kind === 'bool' ? 'bool' : vs[0].kind, node);
    }
    const vs = all();
    if (!Array.isArray(vs)) return vs;
    const [x] = vs;
    switch (op) {
      case 'LogicalNot': return { ...x, kind: 'bool', data: x.data.map((a) => +!a) };
      case 'Neg': return { ...x, data: x.data.map((a) => -a) };
      case 'Cast': return cast(x, attrString(node, 'DstT') ?? '');
      case 'Reshape': return reshape(x, vs[1].data, node);
      case 'ExpandDims': {
        const axis = vs[1].data[0] < 0 ? vs[1].data[0] + x.dims.length + 1 : vs[1].data[0];
        return { ...x, dims: [...x.dims.slice(0, axis), 1, ...x.dims.slice(axis)] };
      }
      case 'Squeeze': {
        const axes = attrInts(node, 'squeeze_dims') ?? attrInts(node, 'axis') ?? [];
        const norm = axes.map((a) => (a < 0 ? a + x.dims.length : a));
        return { ...x, dims: x.dims.filter((d, i) => (norm.length ? !norm.includes(i) : d !== 1)) };
      }
      case 'Pack': {
        if ((attrInt(node, 'axis') ?? 0) !== 0 || vs.some((v) => v.data.length !== 1)) return unsupported(node, 'packs only scalars on axis 0');
        return { kind: x.kind, dims: [vs.length], data: vs.map((v) => v.data[0]) };
      }
      case 'Unpack': {
        if ((attrInt(node, 'axis') ?? 0) !== 0 || x.dims.length !== 1) return unsupported(node, 'unpacks only 1-D values');
        return { kind: x.kind, dims: [], data: [x.data[index]] };
      }
      case 'ConcatV2': {
        const parts = vs.slice(0, -1);
        if (parts.some((v) => v.dims.length !== 1)) return unsupported(node, 'concatenates only 1-D values');
        return { kind: x.kind, dims: [parts.reduce((s, v) => s + v.data.length, 0)], data: parts.flatMap((v) => v.data) };
      }
      case 'StridedSlice': return stridedSlice1d(x, vs[1].data, vs[2].data, vs[3].data, node);
      case 'Slice': {
        if (x.dims.length !== 1) return unsupported(node, 'slices only 1-D values');
        const begin = vs[1].data[0];
        const size = vs[2].data[0] < 0 ? x.data.length - begin : vs[2].data[0];
        return { kind: x.kind, dims: [size], data: x.data.slice(begin, begin + size) };
      }
      case 'GatherV2': {
        if (x.dims.length !== 1 || vs[2].data[0] !== 0) return unsupported(node, 'gathers only from 1-D values on axis 0');
        return { kind: x.kind, dims: [...vs[1].dims], data: vs[1].data.map((i) => x.data[i < 0 ? i + x.data.length : i]) };
      }
      case 'Range': {
        const [start, limit, delta] = vs.map((v) => v.data[0]);
        const data: number[] = [];
        for (let v = start; delta > 0 ? v < limit : v > limit; v += delta) if (data.push(v) > MAX_ELEMENTS) return unsupported(node, 'makes too many values');
        return { kind: x.kind, dims: [data.length], data };
      }
      default: return unsupported(node, 'is not evaluated before running the model');
    }
  }
}

function unsupported(node: Node, what: string): { why: string } {
  return { why: `'${node.name}' (${node.op}) ${what}` };
}

/** A binary op over two values, one of which may be a scalar (or both the same shape). */
function broadcast(a: StaticValue, b: StaticValue, fn: (x: number, y: number) => number, kind: StaticValue['kind'], node: Node): Result {
  const integer = kind === 'int';
  const wrap = (v: number) => (integer ? Math.trunc(v) : v);
  if (a.data.length === 1 && b.dims.length >= a.dims.length) return { kind, dims: [...b.dims], data: b.data.map((y) => wrap(fn(a.data[0], y))) };
  if (b.data.length === 1 && a.dims.length >= b.dims.length) return { kind, dims: [...a.dims], data: a.data.map((x) => wrap(fn(x, b.data[0]))) };
  if (a.dims.join() === b.dims.join()) return { kind, dims: [...a.dims], data: a.data.map((x, i) => wrap(fn(x, b.data[i]))) };
  return unsupported(node, `broadcasts [${a.dims}] with [${b.dims}]`);
}

/** TensorFlow Cast to a DT_ type. */
function cast(x: StaticValue, to: string): StaticValue {
  if (to === 'DT_BOOL') return { ...x, kind: 'bool', data: x.data.map((v) => +!!v) };
  if (to.startsWith('DT_FLOAT') || to === 'DT_DOUBLE' || to === 'DT_HALF') return { ...x, kind: 'float' };
  return { ...x, kind: 'int', data: x.data.map((v) => Math.trunc(v)) };
}

function reshape(x: StaticValue, shape: number[], node: Node): Result {
  const known = shape.filter((d) => d >= 0).reduce((p, d) => p * d, 1);
  const dims = shape.map((d) => (d < 0 ? x.data.length / known : d));
  if (elementCount(dims) !== x.data.length) return unsupported(node, `cannot reshape ${x.data.length} values to [${shape}]`);
  return { ...x, dims };
}

/** TensorFlow StridedSlice of a 1-D value (begin/end masks and shrink_axis on axis 0; no ellipsis or new axes). */
function stridedSlice1d(x: StaticValue, begin: number[], end: number[], strides: number[], node: Node): Result {
  if (x.dims.length !== 1 || begin.length !== 1 || attrInt(node, 'ellipsis_mask', 0) || attrInt(node, 'new_axis_mask', 0)) {
    return unsupported(node, 'is evaluated only as a 1-D slice');
  }
  const n = x.data.length;
  const stride = strides[0];
  const shrink = attrInt(node, 'shrink_axis_mask', 0) & 1;
  const clampIndex = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (shrink) {
    const i = begin[0] < 0 ? begin[0] + n : begin[0];
    if (i < 0 || i >= n) return unsupported(node, `index ${begin[0]} is out of range for ${n} values`);
    return { kind: x.kind, dims: [], data: [x.data[i]] };
  }
  const b = attrInt(node, 'begin_mask', 0) & 1 ? (stride > 0 ? 0 : n - 1) : clampIndex(begin[0], stride > 0 ? 0 : -1, stride > 0 ? n : n - 1);
  const e = attrInt(node, 'end_mask', 0) & 1 ? (stride > 0 ? n : -1) : clampIndex(end[0], stride > 0 ? 0 : -1, stride > 0 ? n : n - 1);
  const data: number[] = [];
  for (let i = b; stride > 0 ? i < e : i > e; i += stride) data.push(x.data[i]);
  return { kind: x.kind, dims: [data.length], data };
}
