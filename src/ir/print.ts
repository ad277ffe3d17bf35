// A readable text dump of a model: header, inputs, initializer summary, one line per node, outputs.
import type { Attribute, Graph, Model, Node, ValueType } from './graph.ts';
import { inferModel } from './infer.ts';
import { formatShape } from './ops/index.ts';
import { TYPED_ARRAY_OF } from './dtype.ts';
import { elementCount, tensorByteLength, tensorFloats, tensorValues, type Tensor } from './tensor.ts';

/** Options for {@link printModel}. */
export interface PrintOptions {
  /** Value types to show next to names; default: inferred (tolerantly) plus declared. */
  types?: Map<string, ValueType>;
  /** Initializers listed one per line before summarising the rest (default 20). */
  maxInitializers?: number;
  /** Longest attribute list printed in full (default 16 entries). */
  maxListLength?: number;
  /** Show value types after node outputs (default true). */
  shapes?: boolean;
}

/** Human-readable byte count (B, KB, MB, GB; powers of 1024). */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** `float32[1,3,'batch']`-style text of a value type. */
export function formatType(t: ValueType | undefined): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor': return `${t.dtype}${t.shape ? formatShape(t.shape) : ''}`;
    case 'sparse_tensor': return `sparse ${t.dtype}${t.shape ? formatShape(t.shape) : ''}`;
    case 'sequence': return `seq(${formatType(t.elem)})`;
    case 'map': return `map(${t.key}, ${formatType(t.value)})`;
    case 'optional': return `optional(${formatType(t.elem)})`;
    case 'unknown': return '?';
  }
}

/** The model as text, one node per line, never printing tensor contents beyond a few scalars. */
export function printModel(model: Model, options: PrintOptions = {}): string {
  const types = options.types ?? inferModel(model, { tolerant: true }).types;
  const lines: string[] = [];
  const opsets = model.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const producer = [model.producerName, model.producerVersion].filter(Boolean).join(' ');
  lines.push(`model: ir_version ${model.irVersion}, opset ${opsets}${producer ? `, producer ${producer}` : ''}`);
  for (const [k, v] of model.metadata) lines.push(`  metadata ${k} = ${truncate(v, 80)}`);
  printGraph(model.graph, types, { maxInitializers: 20, maxListLength: 16, shapes: true, ...options }, '', lines);
  return lines.join('\n');
}

function printGraph(graph: Graph, types: Map<string, ValueType>, options: Required<Omit<PrintOptions, 'types'>>, indent: string, lines: string[]): void {
  const typeOf = (name: string) => types.get(name) ?? graph.valueInfo.get(name)?.type;
  lines.push(`${indent}graph ${graph.name}`);
  lines.push(`${indent}  inputs:`);
  for (const v of graph.inputs) lines.push(`${indent}    ${v.name}: ${formatType(v.type)}`);
  const inits = [...graph.initializers.values()];
  if (inits.length > 0) {
    const total = inits.reduce((s, t) => s + tensorByteLength(t), 0);
    lines.push(`${indent}  initializers (${inits.length}, ${formatBytes(total)}):`);
    for (const t of inits.slice(0, options.maxInitializers)) lines.push(`${indent}    ${describeTensor(t)}`);
    if (inits.length > options.maxInitializers) lines.push(`${indent}    ... ${inits.length - options.maxInitializers} more`);
  }
  lines.push(`${indent}  nodes (${graph.nodes.length}):`);
  graph.nodes.forEach((node, i) => {
    lines.push(`${indent}    ${nodeLine(node, i, typeOf, options)}`);
    for (const [key, a] of node.attributes) {
      const graphs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const g of graphs) {
        lines.push(`${indent}      ${key}:`);
        printGraph(g, types, options, `${indent}        `, lines);
      }
    }
  });
  lines.push(`${indent}  outputs:`);
  for (const v of graph.outputs) lines.push(`${indent}    ${v.name}: ${formatType(typeOf(v.name) ?? v.type)}`);
}

function nodeLine(node: Node, index: number, typeOf: (n: string) => ValueType | undefined, options: Required<Omit<PrintOptions, 'types'>>): string {
  const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op}` : node.op;
  const outs = node.outputs.map((o) => (options.shapes && o ? `${o}: ${formatType(typeOf(o))}` : o)).join(', ');
  const attrs = [...node.attributes]
    .filter(([, a]) => a.type !== 'graph' && a.type !== 'graphs')
    .map(([k, a]) => `${k}=${formatAttribute(a, options.maxListLength)}`)
    .join(' ');
  return `${node.name || `#${index}`}: ${op}(${node.inputs.join(', ')}) -> ${outs}${attrs ? `  ${attrs}` : ''}`;
}

/** `name: float32[64,3,7,7] (37.6 KB)`, with the value for scalars and tiny tensors. */
function describeTensor(t: Tensor): string {
  const where = t.data.kind === 'external' ? `, external ${t.data.source.location}` : '';
  const scalar = elementCount(t.dims) === 1 ? scalarText(t) : '';
  return `${t.name}: ${t.dtype}${formatShape(t.dims)}${scalar ? ` = ${scalar}` : ''} (${formatBytes(tensorByteLength(t))}${where})`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function formatList(values: (number | string)[], max: number): string {
  const shown = values.slice(0, max).map((v) => (typeof v === 'number' ? formatNumber(v) : v));
  return `[${shown.join(',')}${values.length > max ? `,… ${values.length} total` : ''}]`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Compact text of an attribute value. */
export function formatAttribute(a: Attribute, maxList = 16): string {
  const dec = new TextDecoder();
  switch (a.type) {
    case 'float': case 'int': return formatNumber(a.value);
    case 'floats': case 'ints': return formatList(a.value, maxList);
    case 'string': return JSON.stringify(truncate(dec.decode(a.value), 60));
    case 'strings': return formatList(a.value.map((s) => JSON.stringify(truncate(dec.decode(s), 30))), maxList);
    case 'tensor': return `tensor ${a.value.dtype}${formatShape(a.value.dims)}${elementCount(a.value.dims) === 1 ? ` ${scalarText(a.value)}` : ''}`;
    case 'tensors': return `${a.value.length} tensors`;
    case 'graph': return `graph ${a.value.name}`;
    case 'graphs': return `${a.value.length} graphs`;
    case 'sparse_tensor': return `sparse ${a.value.values.dtype}${formatShape(a.value.dims)}`;
    case 'sparse_tensors': return `${a.value.length} sparse tensors`;
    case 'type': return formatType(a.value);
    case 'types': return `[${a.value.map((t) => formatType(t)).join(',')}]`;
    case 'ref': return `@${a.ref}`;
  }
}

function scalarText(t: Tensor): string {
  if (t.data.kind !== 'bytes' || !TYPED_ARRAY_OF[t.dtype]) return '';
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return formatNumber(tensorFloats(t)[0]);
  const v = tensorValues(t)[0];
  return typeof v === 'bigint' ? String(v) : formatNumber(v);
}
