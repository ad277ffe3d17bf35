// Maps a TFLite model object onto the IR: one node per operator (domain 'ai.tflite', op = builtin name), NHWC as stored.
import type { Attribute, Model, Node, NodeAttributes, ValueInfo } from '../../ir/graph.ts';
import { emptyGraph } from '../../ir/graph.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { builtinName, dtypeOfTensorType } from './schema/enums.ts';
import { decodeStringBuffer } from './strings.ts';
import { TABLES, UNIONS } from './schema/tables.ts';
import type { TflModel, TflOperator, TflQuantization } from './schema/types.ts';

/** Domain of the nodes the reader creates. */
export const TFLITE_DOMAIN = 'ai.tflite';

function optionAttributes(op: TflOperator): NodeAttributes {
  const attrs: NodeAttributes = new Map();
  const table = op.builtin_options_type ? UNIONS.BuiltinOptions[op.builtin_options_type - 1] : undefined;
  if (op.custom_options?.length) attrs.set('custom_options', { type: 'string', value: op.custom_options });
  if (!table || !op.builtin_options) return attrs;
  for (const fd of TABLES[table] ?? []) {
    const v = op.builtin_options[fd.name];
    if (v === undefined) continue;
    let a: Attribute;
    if (Array.isArray(v)) a = { type: 'ints', value: v.map(Number) };
    else if (fd.kind === 'float32') a = { type: 'float', value: Number(v) };
    else a = { type: 'int', value: Number(v) };
    attrs.set(fd.name, a);
  }
  return attrs;
}

function quantMetadata(q: TflQuantization | undefined): [string, string][] | undefined {
  if (!q?.scale?.length) return undefined;
  return [['tflite.quantization', JSON.stringify({ scale: q.scale, zero_point: q.zero_point ?? [], quantized_dimension: q.quantized_dimension ?? 0 })]];
}

/**
 * The IR view of subgraph 0: tensors with buffers become initializers (bytes as stored, e.g. int8
 * weights stay int8), operators become nodes named after their first output, quantization
 * parameters are kept as `tflite.quantization` metadata on value infos and in `Tensor.extra`.
 * `Model.extra.tflite` keeps the decoded object so an unchanged model writes back byte-for-byte equivalent.
 */
export function tfliteToIR(tfl: TflModel): Model {
  const sg = tfl.subgraphs[0];
  const graph = emptyGraph(sg.name || 'main');
  const used = new Set<string>();
  const names = sg.tensors.map((t, i) => {
    let n = t.name || `tensor_${i}`;
    if (used.has(n)) n = `${n}_${i}`;
    used.add(n);
    return n;
  });
  const infoOf = (i: number): ValueInfo => {
    const t = sg.tensors[i];
    const dtype = dtypeOfTensorType(t.type) ?? 'float32';
    const meta = quantMetadata(t.quantization);
    return { name: names[i], type: { kind: 'tensor', dtype, shape: (t.shape_signature ?? t.shape).map((d) => (d < 0 ? null : d)) }, ...(meta ? { metadata: meta } : {}) };
  };
  for (const [i, t] of sg.tensors.entries()) {
    const data = t.buffer > 0 ? tfl.buffers[t.buffer]?.data : undefined;
    const dtype = dtypeOfTensorType(t.type);
    if (data && data.length > 0 && dtype) {
      const strings = dtype === 'string' ? decodeStringBuffer(data) : undefined;
      const tensorData: Tensor['data'] = Array.isArray(strings) ? { kind: 'strings', values: strings } : { kind: 'bytes', bytes: data };
      const tensor: Tensor = { name: names[i], dtype, dims: [...t.shape], data: tensorData };
      if (t.quantization?.scale?.length) tensor.extra = { tfliteQuantization: t.quantization };
      graph.initializers.set(names[i], tensor);
    } else graph.valueInfo.set(names[i], infoOf(i));
  }
  graph.inputs = sg.inputs.map(infoOf);
  graph.outputs = sg.outputs.map(infoOf);
  for (const i of sg.inputs) graph.valueInfo.delete(names[i]);
  for (const i of sg.outputs) graph.valueInfo.delete(names[i]);
  graph.nodes = sg.operators.map((op, k): Node => {
    const code = tfl.operator_codes[op.opcode_index];
    const builtin = Math.max(code.builtin_code ?? 0, code.deprecated_builtin_code ?? 0);
    const opName = code.custom_code ? code.custom_code : builtinName(builtin);
    return {
      op: opName, domain: TFLITE_DOMAIN, name: `${opName.toLowerCase()}_${k}`,
      inputs: op.inputs.map((i) => (i < 0 ? '' : names[i])), outputs: op.outputs.map((i) => names[i]),
      attributes: optionAttributes(op),
    };
  });
  return {
    graph, opsets: [{ domain: TFLITE_DOMAIN, version: tfl.version }], irVersion: 0, producerName: 'tflite',
    ...(tfl.description ? { docString: tfl.description } : {}),
    metadata: (tfl.metadata ?? []).map((m) => [m.name, new TextDecoder().decode(tfl.buffers[m.buffer]?.data ?? new Uint8Array())]),
    functions: [], extra: { tflite: tfl },
  };
}
