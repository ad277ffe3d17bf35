// Quantizing models with If/Loop/Scan: the preparation every scheme shares, and the per-body summary of the report.
import type { Graph, Model } from '../ir/graph.ts';
import { constantOf } from '../passes/graph-edit.ts';
import type { QuantizeReport, SubgraphSummary } from './report.ts';
import type { ResolvedOptions } from './schemes.ts';
import { prepareSubgraphConstants } from './subgraph-constants.ts';
import { scopedGraphs } from './subgraphs.ts';

/** Moves outer-scope weights into the bodies that use them (and folds constants there when passes run); logs what it did. */
export async function prepareControlFlow(model: Model, options: ResolvedOptions, report: QuantizeReport): Promise<void> {
  const { moved, folded } = await prepareSubgraphConstants(model, options.runPasses);
  if (moved || folded) report.passLog.push(`subgraph-constants: moved ${moved} outer-scope constant(s) into the If/Loop/Scan bodies that read them, folded ${folded} node(s) inside bodies`);
}

/** Integer weights of a graph: constant inputs of DequantizeLinear, and the int8 weights of onnxruntime's dynamic ops. */
function integerWeights(graph: Graph): number {
  const integer = (name: string) => {
    const t = constantOf(graph, name);
    return !!t && ['int8', 'uint8', 'int4', 'uint4', 'int16', 'uint16'].includes(t.dtype) && t.dims.reduce((a, b) => a * b, 1) > 1;
  };
  let n = 0;
  for (const node of graph.nodes) {
    if (node.op === 'DequantizeLinear' && integer(node.inputs[0])) n++;
    else if (node.op === 'DynamicQuantizeMatMul' || node.op === 'MatMulNBits' || node.op === 'ConvInteger') n += integer(node.inputs[1]) ? 1 : 0;
    else if (node.op === 'DynamicQuantizeLSTM') n += [1, 2].filter((i) => integer(node.inputs[i])).length;
  }
  return n;
}

/** What happened inside each If/Loop/Scan body, from the report's decisions and the quantized graph. */
export function summarizeSubgraphs(model: Model, report: QuantizeReport): SubgraphSummary[] {
  return scopedGraphs(model).filter((s) => s.owner).map(({ graph, scope }) => {
    const quantized = report.quantized.filter((d) => d.scope === scope);
    const float = report.float.filter((d) => d.scope === scope);
    const ops: Record<string, number> = {};
    for (const d of quantized) ops[d.op] = (ops[d.op] ?? 0) + 1;
    return {
      scope,
      quantized: quantized.length,
      quantizedOps: ops,
      float: float.length,
      integerWeights: integerWeights(graph),
      float16Constants: [...graph.initializers.values()].filter((t) => t.dtype === 'float16').length,
      dequantizeLinear: graph.nodes.filter((n) => n.op === 'DequantizeLinear').length,
    };
  });
}
