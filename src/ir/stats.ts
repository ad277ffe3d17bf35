// Model statistics for `ondevice inspect`: op histogram, parameter count, bytes by dtype.
import type { DType } from './dtype.ts';
import { subgraphsOf, type Graph, type Model } from './graph.ts';
import { constantNodeTensor } from './ops/index.ts';
import { elementCount, tensorByteLength, type Tensor } from './tensor.ts';

/** Totals for the tensors of one dtype. */
export interface DTypeTotals {
  tensors: number;
  elements: number;
  bytes: number;
}

/** What `inspect` shows about a model. */
export interface ModelStats {
  /** Nodes in the main graph and all subgraphs. */
  nodes: number;
  /** [op, count] sorted by count (descending), then name; ops outside the ONNX domain as `domain.op`. */
  opHistogram: [string, number][];
  /** Elements held by initializers (main graph and subgraphs): the parameter count. */
  parameters: number;
  /** Elements held by Constant nodes (small constants, sometimes weights in exported models). */
  constantElements: number;
  initializers: number;
  /** Initializer + Constant-node payload bytes by dtype (external data counted without loading it). */
  bytesByDType: Partial<Record<DType, DTypeTotals>>;
  totalBytes: number;
  /** Payload bytes kept in external-data files. */
  externalBytes: number;
  subgraphs: number;
}

/** Computes {@link ModelStats} without loading external tensor data. */
export function modelStats(model: Model): ModelStats {
  const histogram = new Map<string, number>();
  const stats: ModelStats = {
    nodes: 0, opHistogram: [], parameters: 0, constantElements: 0, initializers: 0,
    bytesByDType: {}, totalBytes: 0, externalBytes: 0, subgraphs: 0,
  };
  const count = (t: Tensor) => {
    const bytes = tensorByteLength(t);
    const totals = (stats.bytesByDType[t.dtype] ??= { tensors: 0, elements: 0, bytes: 0 });
    totals.tensors++;
    totals.elements += elementCount(t.dims);
    totals.bytes += bytes;
    stats.totalBytes += bytes;
    if (t.data.kind === 'external') stats.externalBytes += bytes;
  };
  const visit = (graph: Graph) => {
    for (const t of graph.initializers.values()) {
      stats.initializers++;
      stats.parameters += elementCount(t.dims);
      count(t);
    }
    for (const node of graph.nodes) {
      stats.nodes++;
      const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op}` : node.op;
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
      if (node.op === 'Constant' && !key.includes('.')) {
        const t = constantNodeTensor(node);
        if (t) {
          stats.constantElements += elementCount(t.dims);
          count(t);
        }
      }
      for (const g of subgraphsOf(node)) {
        stats.subgraphs++;
        visit(g);
      }
    }
  };
  visit(model.graph);
  stats.opHistogram = [...histogram].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return stats;
}
