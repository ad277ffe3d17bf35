// Runs an ordered list of passes, optionally verifying the graph after each, and reports what each changed.
import type { Model } from '../ir/graph.ts';
import { verifyGraph, type Issue, type VerifyOptions } from '../ir/verify.ts';
import { GraphError } from '../errors.ts';
import type { Pass, PassContext } from './pass.ts';

/** What one pass changed. */
export interface PassStats {
  name: string;
  nodesBefore: number;
  nodesAfter: number;
  initializersBefore: number;
  initializersAfter: number;
  /** Change in node count per op type (negative = removed), only ops that changed. */
  opDelta: Record<string, number>;
  milliseconds: number;
}

/** Options for {@link runPasses}. */
export interface RunPassesOptions {
  /** Verify the graph after every pass (true, or verifier options); a pass that adds errors is named in a GraphError. */
  verify?: boolean | VerifyOptions;
  /** Called after each pass with its statistics. */
  onPass?(name: string, stats: PassStats): void;
  /** Receives the passes' log messages (default: dropped). */
  log?(message: string): void;
}

/** The rewritten model and per-pass statistics, in run order. */
export interface PipelineResult {
  model: Model;
  stats: PassStats[];
}

function opCounts(model: Model): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of model.graph.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return counts;
}

const errorKey = (i: Issue) => `${i.code}|${i.node ?? ''}|${i.value ?? ''}|${i.message}`;

function verifierErrors(model: Model, options: VerifyOptions): Issue[] {
  return verifyGraph(model, options).filter((i) => i.severity === 'error');
}

/**
 * Runs `passes` in order on `model`. With `verify`, the model is checked before the first pass
 * and after each one; errors already present in the input are tolerated, and the first pass that
 * introduces a new one stops the run with a GraphError naming the node and the pass.
 */
export async function runPasses(model: Model, passes: readonly Pass[], options: RunPassesOptions = {}): Promise<PipelineResult> {
  const verifyOptions = options.verify === true ? {} : options.verify || undefined;
  const baseline = verifyOptions ? new Set(verifierErrors(model, verifyOptions).map(errorKey)) : undefined;
  const ctx: PassContext = { log: options.log ?? (() => {}) };
  const stats: PassStats[] = [];
  let current = model;
  for (const pass of passes) {
    const before = opCounts(current);
    const nodesBefore = current.graph.nodes.length;
    const initializersBefore = current.graph.initializers.size;
    const start = performance.now();
    current = await pass.run(current, ctx);
    const milliseconds = performance.now() - start;
    if (verifyOptions && baseline) {
      const fresh = verifierErrors(current, verifyOptions).find((i) => !baseline.has(errorKey(i)));
      if (fresh) {
        const prefix = fresh.node ? `node '${fresh.node}': ` : '';
        const message = fresh.message.startsWith(prefix) ? fresh.message.slice(prefix.length) : fresh.message;
        throw new GraphError(`${message} (graph broken by pass '${pass.name}')`, { node: fresh.node });
      }
    }
    const after = opCounts(current);
    const opDelta: Record<string, number> = {};
    for (const op of new Set([...before.keys(), ...after.keys()])) {
      const d = (after.get(op) ?? 0) - (before.get(op) ?? 0);
      if (d) opDelta[op] = d;
    }
    const s: PassStats = {
      name: pass.name, nodesBefore, nodesAfter: current.graph.nodes.length,
      initializersBefore, initializersAfter: current.graph.initializers.size, opDelta, milliseconds,
    };
    stats.push(s);
    options.onPass?.(pass.name, s);
  }
  return { model: current, stats };
}
