// Aggregates a runtime profiler's per-kernel events into time per node and per op type.
import type { ProfileEvent } from '../runtimes/runtime.ts';

/** Time of one node per inference (median over the profiled runs), in microseconds. */
export interface NodeTime {
  node: string;
  op: string;
  us: number;
  /** Share of the summed per-inference kernel time, 0–1. */
  share: number;
}

/** Time of one op type per inference (sum of its nodes' medians), in microseconds. */
export interface OpTime {
  op: string;
  nodes: number;
  us: number;
  share: number;
}

/** Per-op timing from the runtime's own profiler. */
export interface OpTimes {
  /** Inferences the profiler observed. */
  runs: number;
  /** Sum over nodes of their median kernel time per inference, µs. */
  totalUs: number;
  byOp: OpTime[];
  /** The slowest nodes, at most `top`. */
  topNodes: NodeTime[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Groups kernel events by node (a node fires once per inference; its median is robust to the
 * first, cold run) and sums those medians by op type. Sorted slowest first.
 */
export function aggregateOpTimes(events: readonly ProfileEvent[], top = 10): OpTimes {
  const perNode = new Map<string, { op: string; durations: number[] }>();
  for (const e of events) {
    const entry = perNode.get(e.name) ?? { op: e.op ?? '?', durations: [] };
    entry.durations.push(e.durationUs);
    perNode.set(e.name, entry);
  }
  const nodes = [...perNode].map(([node, { op, durations }]) => ({ node, op, us: median(durations), share: 0 }));
  const totalUs = nodes.reduce((s, n) => s + n.us, 0);
  for (const n of nodes) n.share = totalUs ? n.us / totalUs : 0;
  const ops = new Map<string, OpTime>();
  for (const n of nodes) {
    const o = ops.get(n.op) ?? { op: n.op, nodes: 0, us: 0, share: 0 };
    o.nodes++;
    o.us += n.us;
    ops.set(n.op, o);
  }
  for (const o of ops.values()) o.share = totalUs ? o.us / totalUs : 0;
  const runs = Math.max(0, ...[...perNode.values()].map((n) => n.durations.length));
  return {
    runs,
    totalUs,
    byOp: [...ops.values()].sort((a, b) => b.us - a.us),
    topNodes: nodes.sort((a, b) => b.us - a.us).slice(0, top),
  };
}
