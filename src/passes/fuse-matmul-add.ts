// Pass: rewrites MatMul (2-D input, constant 2-D weight) followed by Add (constant bias) into one Gemm.
import type { Model, Node } from '../ir/graph.ts';
import { producers as producersOf } from '../ir/toposort.ts';
import type { Pass } from './pass.ts';
import { constantOf, graphOutputNames, opsetOf, removeNodes, shapeResolver, usesOf } from './graph-edit.ts';

const GEMM_TYPES = new Set(['float32', 'float64', 'float16']);

/**
 * Replaces MatMul(A, W) + Add(·, b) by Gemm(A, W, b) when A is known to be 2-D, W is a constant
 * 2-D float tensor, b is a constant of the same dtype that broadcasts to [M, N], and the MatMul
 * result has no other reader. Needs opset ≥ 7 (Gemm's broadcasting C). Returns the fusions made.
 */
export function fuseMatMulAdd(model: Model): number {
  const graph = model.graph;
  if ((opsetOf(model.opsets) ?? 1) < 7) return 0;
  const shapeOf = shapeResolver(model);
  const outputs = graphOutputNames(graph);
  const uses = usesOf(graph);
  const producers = producersOf(graph);
  const doomed = new Set<Node>();
  let fused = 0;
  for (const add of graph.nodes) {
    if (add.op !== 'Add' || add.domain !== '' || add.inputs.length !== 2) continue;
    const side = add.inputs.findIndex((name) => producers.get(name)?.op === 'MatMul');
    if (side < 0) continue;
    const y = add.inputs[side];
    const matmul = producers.get(y)!;
    if (matmul.domain !== '' || doomed.has(matmul) || outputs.has(y) || uses.get(y)?.length !== 1) continue;
    const w = constantOf(graph, matmul.inputs[1]);
    const b = constantOf(graph, add.inputs[1 - side]);
    const a = shapeOf(matmul.inputs[0]);
    if (!w || !b || !a || a.length !== 2 || w.dims.length !== 2 || !GEMM_TYPES.has(w.dtype) || b.dtype !== w.dtype) continue;
    const [m, n] = [a[0], w.dims[1]];
    const bd = b.dims;
    if (bd.length > 2 || (bd.length >= 1 && bd[bd.length - 1] !== 1 && bd[bd.length - 1] !== n)) continue;
    if (bd.length === 2 && bd[0] !== 1 && bd[0] !== m) continue;
    add.op = 'Gemm';
    add.inputs = [matmul.inputs[0], matmul.inputs[1], add.inputs[1 - side]];
    add.name = add.name || matmul.name;
    add.attributes = new Map();
    graph.valueInfo.delete(y);
    doomed.add(matmul);
    fused++;
  }
  removeNodes(graph, doomed);
  return fused;
}

/** The fuse-matmul-add pass. */
export const fuseMatMulAddPass: Pass = {
  name: 'fuse-matmul-add',
  description: 'Turn MatMul with a constant 2-D weight followed by a constant-bias Add into Gemm.',
  run(model: Model, ctx) {
    const n = fuseMatMulAdd(model);
    if (n) ctx.log(`fuse-matmul-add: made ${n} Gemm node(s)`);
    return model;
  },
};
