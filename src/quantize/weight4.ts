// The w4 scheme: weight-only 4-bit blocks for MatMul/Gemm as com.microsoft MatMulNBits (onnxruntime node and web run it).
import type { Graph, Model, Node } from '../ir/graph.ts';
import { attrFloat } from '../ir/graph.ts';
import { makeTensor, tensorFloats } from '../ir/tensor.ts';
import { constantOf, nameAllocator } from '../passes/graph-edit.ts';
import type { ExcludeList } from './exclude.ts';
import { applyReplacements, matMulWeight, rewriteFloatNodes } from './weight-nodes.ts';
import { quantizeBlocks4 } from './params.ts';
import type { QuantizeReport } from './report.ts';
import type { ResolvedOptions } from './schemes.ts';
import { ensureOpset } from './static.ts';

/** Replaces MatMul/Gemm with constant weights by MatMulNBits in place; fills the report. */
export async function quantizeWeight4(model: Model, options: ResolvedOptions, exclude: ExcludeList, report: QuantizeReport): Promise<Model> {
  const fresh = nameAllocator(model.graph);
  const detail = `4-bit weights, blocks of ${options.blockSize}, ${options.symmetric ? 'symmetric' : 'asymmetric'}`;
  const replaced = rewriteFloatNodes(model, exclude, report, detail, (node, graph) => {
    const isDefault = node.domain === '' || node.domain === 'ai.onnx';
    return isDefault && (node.op === 'MatMul' || node.op === 'Gemm') ? toMatMulNBits(graph, node, options, fresh)
      : isDefault && node.op === 'Gather' ? 'w4 does not quantize Gather (embeddings) yet'
      : 'w4 quantizes only MatMul and Gemm weights';
  });
  applyReplacements(model, replaced);
  if (replaced.size) ensureOpset(model, 'com.microsoft', 1);
  return model;
}

/** MatMul (B [K, N]) or Gemm (B [K, N] or transposed [N, K]) with a constant B → MatMulNBits. */
function toMatMulNBits(graph: Graph, node: Node, options: ResolvedOptions, fresh: (b: string) => string): Node | string {
  const gemm = node.op === 'Gemm';
  const [a, b, c] = node.inputs;
  const mw = matMulWeight(graph, node);
  if (typeof mw === 'string') return mw;
  const { weight, transB, k, n } = mw;
  const w = tensorFloats(weight);
  const read = transB ? (col: number, i: number) => w[col * k + i] : (col: number, i: number) => w[i * n + col];
  const bs = options.blockSize;
  const blocks = Math.ceil(k / bs);
  const q = quantizeBlocks4(read, n, k, bs, options.symmetric);
  const alpha = gemm ? attrFloat(node, 'alpha', 1) : 1;
  const base = node.name || b;
  const init = (name: string, dtype: 'uint8' | 'float32', dims: number[], values: Uint8Array | Float32Array) => {
    graph.initializers.set(name, makeTensor(name, dtype, dims, values));
    return name;
  };
  const inputs = [
    a,
    init(fresh(`${b}_q4`), 'uint8', [n, blocks, bs / 2], q.packed),
    init(fresh(`${b}_scales`), 'float32', [n * blocks], alpha === 1 ? q.scales : Float32Array.from(q.scales, (s) => s * alpha)),
    options.symmetric ? '' : init(fresh(`${b}_zero_points`), 'uint8', [n * Math.ceil(blocks / 2)], packZeroPoints(q.zeroPoints, n, blocks)),
  ];
  if (gemm && c) {
    const t = constantOf(graph, c);
    if (!t || t.dtype !== 'float32' || t.dims.reduce((x, y) => x * y, 1) !== n || (t.dims.length === 2 && t.dims[0] !== 1)) return 'Gemm bias is not a [N] float32 constant';
    const beta = attrFloat(node, 'beta', 1);
    inputs.push('', init(fresh(`${base}_bias`), 'float32', [n], Float32Array.from(tensorFloats(t), (v) => v * beta)));
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const attributes = new Map([
    ['K', { type: 'int' as const, value: k }], ['N', { type: 'int' as const, value: n }],
    ['bits', { type: 'int' as const, value: 4 }], ['block_size', { type: 'int' as const, value: bs }],
  ]);
  return { op: 'MatMulNBits', domain: 'com.microsoft', name: fresh(`${base}_MatMulNBits`), inputs, outputs: [...node.outputs], attributes };
}

/** Zero points of `rows` rows of `blocks` blocks, packed two per byte per row (low nibble first). */
function packZeroPoints(zp: Uint8Array, rows: number, blocks: number): Uint8Array {
  const perRow = Math.ceil(blocks / 2);
  const out = new Uint8Array(rows * perRow);
  for (let r = 0; r < rows; r++) for (let b = 0; b < blocks; b++) out[r * perRow + (b >> 1)] |= zp[r * blocks + b] << ((b & 1) * 4);
  return out;
}
