// int8-dynamic for recurrent ops: LSTM → com.microsoft DynamicQuantizeLSTM; GRU/RNN → int8 W/R behind DequantizeLinear.
import type { Graph, Node } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { constantOf } from '../passes/graph-edit.ts';
import { quantizeWeight } from './params.ts';
import type { ResolvedOptions } from './schemes.ts';

type Fresh = (base: string) => string;

/** A recurrent weight W/R [directions, rows, cols] as a float32 constant, or why not. */
function recurrentWeight(graph: Graph, name: string): { values: Float32Array; dims: number[] } | string {
  const t = constantOf(graph, name);
  if (!t || t.dtype !== 'float32' || t.dims.length !== 3) return 'W or R is not a 3-D float32 constant';
  return { values: tensorFloats(t), dims: [...t.dims] };
}

/**
 * LSTM → DynamicQuantizeLSTM (as onnxruntime's quantizer makes it): W [D, 4H, I] and R [D, 4H, H] quantized to int8
 * with a scale per gate unit (per direction without per-channel), stored transposed ([D, I, 4H], [D, H, 4H]), scales and
 * zero points [D, 4H] (or [D]). The kernel quantizes X and h to uint8 at run time; gates and the state stay float.
 */
export function dynamicLstm(graph: Graph, node: Node, options: ResolvedOptions, fresh: Fresh): Node[] | string {
  const layout = node.attributes.get('layout');
  if (layout?.type === 'int' && layout.value !== 0) return 'DynamicQuantizeLSTM has no batch-major layout';
  const inputs = [...node.inputs];
  while (inputs.length < 8) inputs.push('');
  const quantized: string[] = [];
  for (const slot of [1, 2]) {
    const w = recurrentWeight(graph, inputs[slot]);
    if (typeof w === 'string') return w;
    const [d, rows, cols] = w.dims;
    // Per gate unit: the [D·4H, cols] rows; per direction: the D blocks.
    const q = options.perChannel
      ? quantizeWeight(w.values, [d * rows, cols], 'int8', options.symmetric, 0)
      : quantizeWeight(w.values, [d, rows * cols], 'int8', options.symmetric, 0);
    const transposed = new Int8Array(w.values.length);
    for (let k = 0; k < d; k++) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) transposed[k * rows * cols + c * rows + r] = q.values[k * rows * cols + r * cols + c];
    const shape = options.perChannel ? [d, rows] : [d];
    const base = inputs[slot];
    quantized.push(
      add(graph, fresh(`${base}_quantized`), 'int8', [d, cols, rows], transposed),
      add(graph, fresh(`${base}_scale`), 'float32', shape, Float32Array.from(q.params, (p) => p.scale)),
      add(graph, fresh(`${base}_zero_point`), 'int8', shape, Int8Array.from(q.params, (p) => p.zeroPoint)),
    );
  }
  const [wq, ws, wz, rq, rs, rz] = quantized;
  const attributes = new Map([...node.attributes].filter(([k]) => k !== 'layout'));
  return [{
    op: 'DynamicQuantizeLSTM', domain: 'com.microsoft', name: fresh(`${node.name || 'LSTM'}_dynamic`),
    inputs: [inputs[0], wq, rq, inputs[3], inputs[4], inputs[5], inputs[6], inputs[7], ws, wz, rs, rz],
    outputs: [...node.outputs], attributes,
  }];
}

/**
 * GRU/RNN (no integer kernel in onnxruntime): W and R stored int8 (symmetric per row of [D, gates·H, ·] with per-channel,
 * else per tensor) and dequantized on load by DequantizeLinear; the node itself is unchanged and runs in float.
 */
export function dequantizedRecurrentWeights(graph: Graph, node: Node, options: ResolvedOptions, fresh: Fresh, domain: '' | 'com.microsoft'): Node[] | string {
  const out: Node[] = [];
  const inputs = [...node.inputs];
  for (const slot of [1, 2]) {
    const w = recurrentWeight(graph, inputs[slot]);
    if (typeof w === 'string') return w;
    const q = quantizeWeight(w.values, w.dims, 'int8', options.symmetric, options.perChannel ? 1 : undefined);
    const base = inputs[slot];
    const shape = q.params.length > 1 ? [q.params.length] : [];
    const dqInputs = [
      add(graph, fresh(`${base}_quantized`), 'int8', w.dims, Int8Array.from(q.values)),
      add(graph, fresh(`${base}_scale`), 'float32', shape, Float32Array.from(q.params, (p) => p.scale)),
      add(graph, fresh(`${base}_zero_point`), 'int8', shape, Int8Array.from(q.params, (p) => p.zeroPoint)),
    ];
    const dq: Node = { op: 'DequantizeLinear', domain, name: fresh(`${base}_DequantizeLinear`), inputs: dqInputs, outputs: [fresh(`${base}_dequantized`)], attributes: new Map() };
    if (q.params.length > 1) dq.attributes.set('axis', { type: 'int', value: 1 });
    out.push(dq);
    inputs[slot] = dq.outputs[0];
  }
  return [...out, { ...node, inputs }];
}

function add(graph: Graph, name: string, dtype: 'float32' | 'int8', dims: number[], values: Float32Array | Int8Array): string {
  graph.initializers.set(name, makeTensor(name, dtype, dims, values));
  return name;
}
