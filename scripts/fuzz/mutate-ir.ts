// IR-level mutations of an ONNX-semantics model: odd dims and dtypes, broken wiring, odd attributes, cycles, short data.
import { byteLength, TYPED_ARRAY_OF, type DType } from '../../src/ir/dtype.ts';
import type { Attribute, Dim, Graph, Model, Node, ValueInfo } from '../../src/ir/graph.ts';
import { OP_INFERENCE } from '../../src/ir/ops/index.ts';
import { elementCount, tensorBytes, type Tensor } from '../../src/ir/tensor.ts';
import { INTERESTING_DIMS, type Rng } from './rng.ts';

const ODD_DTYPES: DType[] = ['string', 'int64', 'float16', 'bool', 'int8', 'uint8', 'int32', 'float64', 'uint64', 'complex64', 'int4', 'bfloat16'];
const OPS = [...OP_INFERENCE.keys()].filter((k) => !k.includes('/'));
const ODD_INTS = [0, -1, 1, 2, 3, -3, 7, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, Number.MAX_SAFE_INTEGER];
const ODD_FLOATS = [0, -1, NaN, Infinity, -Infinity, 1e38, -1e-38, 0.5];

/** Applies one random IR mutation to `model` in place and returns its label. */
export function mutateIr(model: Model, rng: Rng): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const label = rng.pick(MUTATIONS)(model, model.graph, rng);
    if (label) return label;
  }
  return 'no-op';
}

type Mutation = (model: Model, g: Graph, rng: Rng) => string | undefined;

const realInputs = (g: Graph) => g.inputs.filter((v) => !g.initializers.has(v.name));
/** Constant tensors: initializers and the values of Constant nodes (PaddleOCR models keep their weights there). */
const constants = (g: Graph): Tensor[] => [
  ...g.initializers.values(),
  ...g.nodes.flatMap((n) => (n.op === 'Constant' ? [...n.attributes.values()].flatMap((a) => (a.type === 'tensor' ? [a.value] : [])) : [])),
];
const allValues = (g: Graph) => [...g.inputs.map((v) => v.name), ...g.initializers.keys(), ...g.nodes.flatMap((n) => n.outputs)].filter(Boolean);

function oddDim(rng: Rng): Dim {
  return rng.chance(0.9) ? rng.pick(INTERESTING_DIMS) : rng.pick(['N', null, '']);
}

function setDim(v: ValueInfo, rng: Rng): string | undefined {
  if (v.type.kind !== 'tensor') return undefined;
  const shape = [...(v.type.shape ?? [1, 1])];
  const at = rng.int(shape.length + (rng.chance(0.1) ? 1 : 0));
  const dim = oddDim(rng);
  if (rng.chance(0.1)) shape.length = rng.int(shape.length + 1);
  else shape[at] = dim;
  v.type = { ...v.type, shape };
  return `dim ${at} of '${v.name}' → ${String(dim)} ([${shape.join(',')}])`;
}

/** Re-encodes a tensor's data for a new dtype (keeping the element count), or leaves it short on purpose. */
function retype(t: Tensor, dtype: DType, rng: Rng): void {
  const count = elementCount(t.dims);
  t.dtype = dtype;
  if (dtype === 'string') {
    t.data = { kind: 'strings', values: Array.from({ length: Math.min(count, 1 << 16) }, (_, i) => new TextEncoder().encode(`s${i}`)) };
    return;
  }
  const need = byteLength(dtype, count);
  const bytes = new Uint8Array(rng.chance(0.9) ? need : rng.int(need + 1));
  const old = t.data.kind === 'strings' ? new Uint8Array(0) : tensorBytes(t);
  bytes.set(old.subarray(0, bytes.length));
  t.data = { kind: 'bytes', bytes };
}

function mutateInitializerValues(t: Tensor, rng: Rng): string | undefined {
  const Ctor = TYPED_ARRAY_OF[t.dtype];
  if (!Ctor || t.data.kind === 'strings') return undefined;
  const bytes = tensorBytes(t).slice();
  const count = Math.floor(bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
  if (count === 0) return undefined;
  const view = new Ctor(bytes.buffer, 0, count);
  const at = rng.int(count);
  const big = view instanceof BigInt64Array || view instanceof BigUint64Array;
  const isFloat = t.dtype === 'float32' || t.dtype === 'float64';
  const value = isFloat ? rng.pick(ODD_FLOATS) : rng.pick(ODD_INTS);
  view[at] = (big ? BigInt.asIntN(64, BigInt(Math.trunc(Number.isFinite(value) ? value : 0))) : value) as never;
  t.data = { kind: 'bytes', bytes };
  return `initializer '${t.name}'[${at}] → ${value}`;
}

function oddAttribute(a: Attribute | undefined, rng: Rng): Attribute {
  switch (rng.int(6)) {
    case 0: return { type: 'ints', value: Array.from({ length: rng.int(6) }, () => rng.pick(ODD_INTS)) };
    case 1: return { type: 'int', value: rng.pick(ODD_INTS) };
    case 2: return { type: 'float', value: rng.pick(ODD_FLOATS) };
    case 3: return { type: 'string', value: new TextEncoder().encode(rng.pick(['', 'SAME_UPPER', 'bogus', 'NOTSET', 'nearest'])) };
    case 4: return { type: 'floats', value: Array.from({ length: rng.int(4) }, () => rng.pick(ODD_FLOATS)) };
    default:
      if (a?.type === 'ints') return { type: 'ints', value: a.value.map((v) => (rng.chance(0.5) ? rng.pick(ODD_INTS) : v)) };
      return { type: 'ints', value: [] };
  }
}

const MUTATIONS: Mutation[] = [
  // An odd dim on a graph input (most often), output or value info.
  (_m, g, rng) => {
    const inputs = realInputs(g);
    const pool = rng.chance(0.7) && inputs.length ? inputs : [...g.outputs, ...g.valueInfo.values()];
    return pool.length ? setDim(rng.pick(pool), rng) : undefined;
  },
  (_m, g, rng) => {
    const inputs = realInputs(g);
    if (!inputs.length) return undefined;
    const v = rng.pick(inputs);
    const dtype = rng.pick(ODD_DTYPES);
    v.type = v.type.kind === 'tensor' ? { ...v.type, dtype } : { kind: 'tensor', dtype };
    return `input '${v.name}' dtype → ${dtype}`;
  },
  // An initializer of another dtype (a STRING bias, int64 weights, ...).
  (_m, g, rng) => {
    const inits = constants(g);
    if (!inits.length) return undefined;
    const t = rng.pick(inits);
    const dtype = rng.pick(ODD_DTYPES);
    retype(t, dtype, rng);
    return `initializer '${t.name}' dtype → ${dtype}`;
  },
  // Initializer dims that disagree with its data, or odd.
  (_m, g, rng) => {
    const inits = constants(g);
    if (!inits.length) return undefined;
    const t = rng.pick(inits);
    const dims = [...t.dims];
    if (rng.chance(0.3) || dims.length === 0) dims.push(rng.pick([2, 3, 1000]));
    else dims[rng.int(dims.length)] = rng.chance(0.5) ? dims[0] + 1 : rng.pick(INTERESTING_DIMS);
    t.dims = dims;
    return `initializer '${t.name}' dims → [${dims.join(',')}]`;
  },
  (_m, g, rng) => {
    const inits = constants(g);
    const ints = inits.filter((t) => t.dtype.startsWith('int') || t.dtype.startsWith('uint'));
    const t = ints.length && rng.chance(0.6) ? rng.pick(ints) : inits.length ? rng.pick(inits) : undefined;
    return t ? mutateInitializerValues(t, rng) : undefined;
  },
  (_m, g, rng) => {
    if (!g.nodes.length) return undefined;
    const i = rng.int(g.nodes.length);
    const [n] = g.nodes.splice(i, 1);
    return `drop node '${n.name || n.op}'`;
  },
  (_m, g, rng) => {
    if (!g.nodes.length) return undefined;
    const n = rng.pick(g.nodes);
    g.nodes.splice(rng.int(g.nodes.length + 1), 0, { ...n, attributes: new Map(n.attributes), inputs: [...n.inputs], outputs: [...n.outputs] });
    return `duplicate node '${n.name || n.op}'`;
  },
  (_m, g, rng) => {
    const nodes = g.nodes.filter((n) => n.outputs.length);
    if (!nodes.length) return undefined;
    const n = rng.pick(nodes);
    const k = rng.int(n.outputs.length);
    const to = rng.chance(0.5) ? rng.pick(allValues(g)) : rng.chance(0.2) ? '' : `${n.outputs[k]}_renamed`;
    n.outputs[k] = to;
    return `output ${k} of '${n.name || n.op}' → '${to}'`;
  },
  (_m, g, rng) => {
    const nodes = g.nodes.filter((n) => n.inputs.length);
    if (!nodes.length) return undefined;
    const n = rng.pick(nodes);
    const k = rng.int(n.inputs.length + 1);
    const to = rng.chance(0.4) ? 'missing_value' : rng.chance(0.2) ? '' : rng.pick(allValues(g));
    n.inputs[k] = to;
    return `input ${k} of '${n.name || n.op}' → '${to}'`;
  },
  // A graph output no node produces.
  (_m, g, rng) => {
    const name = rng.chance(0.5) ? 'ghost_output' : `${g.outputs[0]?.name ?? 'y'}_x`;
    if (rng.chance(0.5) && g.outputs.length) g.outputs[rng.int(g.outputs.length)].name = name;
    else g.outputs.push({ name, type: { kind: 'tensor', dtype: 'float32', shape: [1] } });
    return `graph output '${name}' that no node produces`;
  },
  (_m, g, rng) => {
    if (!g.nodes.length) return undefined;
    const n = rng.pick(g.nodes);
    const names = [...n.attributes.keys(), 'axis', 'axes', 'perm', 'group', 'kernel_shape', 'pads', 'strides', 'to', 'mode', 'transB', 'alpha', 'keepdims', 'value'];
    const name = rng.pick(names);
    if (rng.chance(0.15)) {
      n.attributes.delete(name);
      return `node '${n.name || n.op}': delete attribute '${name}'`;
    }
    const a = oddAttribute(n.attributes.get(name), rng);
    n.attributes.set(name, a);
    return `node '${n.name || n.op}': attribute '${name}' → ${a.type} ${JSON.stringify('value' in a && !(a.value instanceof Uint8Array) ? a.value : '')}`;
  },
  // A cycle: an early node reads a later node's output (or its own).
  (_m, g, rng) => {
    if (g.nodes.length < 1) return undefined;
    const i = rng.int(g.nodes.length);
    const j = i + rng.int(g.nodes.length - i);
    const from = g.nodes[j].outputs[0];
    if (!from || !g.nodes[i].inputs.length) return undefined;
    g.nodes[i].inputs[rng.int(g.nodes[i].inputs.length)] = from;
    return `cycle: node ${i} reads the output of node ${j}`;
  },
  (_m, g, rng) => {
    if (!g.nodes.length) return undefined;
    const n = rng.pick(g.nodes);
    const was = n.op;
    n.op = rng.chance(0.9) ? rng.pick(OPS) : 'NoSuchOp';
    return `node '${n.name || was}': op ${was} → ${n.op}`;
  },
  // A new node of a random op over existing values, its output made a graph output.
  (_m, g, rng) => {
    const values = allValues(g);
    if (!values.length) return undefined;
    const op = rng.pick(OPS);
    const node: Node = { op, domain: '', name: `fuzz_${op}`, inputs: Array.from({ length: 1 + rng.int(3) }, () => rng.pick(values)), outputs: [`fuzz_${op}_out`], attributes: new Map() };
    g.nodes.splice(rng.int(g.nodes.length + 1), 0, node);
    if (rng.chance(0.7)) g.outputs.push({ name: node.outputs[0], type: { kind: 'unknown' } });
    return `new ${op} node over ${node.inputs.join(', ')}`;
  },
  // A Concat (or other binary op) of constants of mixed dtypes.
  (_m, g, rng) => {
    const [a, b] = [rng.pick(ODD_DTYPES.filter((d) => d !== 'string')), rng.pick(ODD_DTYPES)];
    const make = (name: string, dtype: DType): Tensor => {
      const dims = [2];
      return dtype === 'string'
        ? { name, dtype, dims, data: { kind: 'strings', values: [new Uint8Array([97]), new Uint8Array([98])] } }
        : { name, dtype, dims, data: { kind: 'bytes', bytes: new Uint8Array(byteLength(dtype, 2)) } };
    };
    g.initializers.set('fuzz_a', make('fuzz_a', a));
    g.initializers.set('fuzz_b', make('fuzz_b', b));
    const op = rng.pick(['Concat', 'Add', 'Mul', 'Where', 'Gather', 'Reshape', 'Expand', 'Tile', 'Range', 'ConstantOfShape', 'Slice']);
    g.nodes.push({ op, domain: '', name: 'fuzz_mixed', inputs: ['fuzz_a', 'fuzz_b'], outputs: ['fuzz_mixed_out'], attributes: new Map([['axis', { type: 'int', value: 0 }]]) });
    g.outputs.push({ name: 'fuzz_mixed_out', type: { kind: 'unknown' } });
    return `${op} of ${a} and ${b} constants`;
  },
  (m, _g, rng) => {
    const version = rng.pick([1, 6, 7, 9, 11, 12, 13, 17, 21, 99, 0, -1]);
    if (rng.chance(0.2)) m.opsets = [];
    else m.opsets = m.opsets.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version } : o));
    return m.opsets.length ? `default opset → ${version}` : 'no opset imports';
  },
  (_m, g, rng) => {
    if (!g.nodes.length) return undefined;
    const n = rng.pick(g.nodes);
    n.domain = rng.pick(['com.microsoft', 'ai.onnx.ml', 'com.fuzz', 'ai.tflite']);
    return `node '${n.name || n.op}' domain → ${n.domain}`;
  },
  (_m, g, rng) => {
    const inputs = realInputs(g);
    if (!inputs.length) return undefined;
    const v = rng.pick(inputs);
    if (rng.chance(0.5)) g.inputs.splice(g.inputs.indexOf(v), 1);
    else g.inputs.push({ ...v });
    return `graph input '${v.name}' removed or duplicated`;
  },
  (_m, g, rng) => {
    const inits = [...g.initializers.keys()];
    if (!inits.length) return undefined;
    const name = rng.pick(inits);
    if (rng.chance(0.5)) g.initializers.delete(name);
    else g.inputs.push({ name, type: { kind: 'tensor', dtype: rng.pick(ODD_DTYPES), shape: [oddDim(rng)] } });
    return `initializer '${name}' removed or also a graph input`;
  },
  (_m, g, rng) => {
    const pool = [...g.outputs, ...g.valueInfo.values()];
    if (!pool.length) return undefined;
    const v = rng.pick(pool);
    v.type = rng.chance(0.5) ? { kind: 'tensor', dtype: rng.pick(ODD_DTYPES), shape: [oddDim(rng)] } : rng.pick([{ kind: 'unknown' }, { kind: 'sequence', elem: { kind: 'tensor', dtype: 'float32' } }] as const);
    return `type of '${v.name}' changed`;
  },
  // A subgraph op (If) whose branches read outer values and may produce nothing.
  (_m, g, rng) => {
    const values = allValues(g);
    if (!values.length) return undefined;
    const outer = rng.pick(values);
    const branch = (name: string): Graph => ({
      name, inputs: [], outputs: [{ name: rng.chance(0.7) ? `${name}_y` : 'ghost', type: { kind: 'unknown' } }],
      nodes: [{ op: rng.pick(['Identity', 'Relu', 'Shape']), domain: '', name: `${name}_n`, inputs: [outer], outputs: [`${name}_y`], attributes: new Map() }],
      initializers: new Map(), sparseInitializers: [], valueInfo: new Map(),
    });
    const cond: Tensor = { name: 'fuzz_cond', dtype: 'bool', dims: [], data: { kind: 'bytes', bytes: new Uint8Array([1]) } };
    g.initializers.set('fuzz_cond', cond);
    g.nodes.push({ op: 'If', domain: '', name: 'fuzz_if', inputs: ['fuzz_cond'], outputs: ['fuzz_if_out'], attributes: new Map([['then_branch', { type: 'graph', value: branch('then') }], ['else_branch', { type: 'graph', value: branch('else') }]]) });
    g.outputs.push({ name: 'fuzz_if_out', type: { kind: 'unknown' } });
    return `If over '${outer}'`;
  },
];
