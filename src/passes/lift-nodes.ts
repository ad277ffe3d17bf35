// The node walk both lifts (TFLite, TF.js) share: each foreign node through its lifter, refusals collected, partial output rolled back.
import type { Graph, Node } from '../ir/graph.ts';
import { toposort } from '../ir/toposort.ts';
import { LiftRefusal } from './lift-tflite/context.ts';

/** A node a lift could not express in ONNX, and why. */
export interface Unliftable {
  node: string;
  op: string;
  why: string;
}

/** What the walk needs of a lift's context: the nodes emitted so far, and optionally a step after each node. */
export interface LiftNodesContext {
  readonly nodes: Node[];
  /** Called after a node was kept or lifted (the TF.js lift infers the new nodes' shapes here). */
  sync?(): void;
  /** Forgets nodes emitted after `mark` (default: truncate `nodes`). */
  rollback?(mark: number): void;
}

/**
 * Walks `graph` in execution order. `lifterOf` gives a node's lifter, a string saying why it has none, or undefined for a
 * node that is not foreign (kept as it is). A lifter that throws has its partial output rolled back and is reported with
 * its message (a LiftRefusal's own, anything else as "cannot be lifted (…)"). Returns every node not lifted.
 */
export function liftNodes<C extends LiftNodesContext>(graph: Graph, ctx: C, lifterOf: (node: Node) => ((node: Node, ctx: C) => void) | string | undefined): Unliftable[] {
  const unliftable: Unliftable[] = [];
  for (const node of toposort(graph)) {
    const lifter = lifterOf(node);
    if (lifter === undefined) {
      ctx.nodes.push(node);
      ctx.sync?.();
      continue;
    }
    if (typeof lifter === 'string') {
      unliftable.push({ node: node.name, op: node.op, why: lifter });
      continue;
    }
    const mark = ctx.nodes.length;
    try {
      lifter(node, ctx);
      ctx.sync?.();
    } catch (e) {
      // A refusal says why; anything else a lifter meets (a malformed constant, a shape it cannot use) is reported the same way.
      if (!(e instanceof Error)) throw e;
      if (ctx.rollback) ctx.rollback(mark);
      else ctx.nodes.length = mark;
      unliftable.push({ node: node.name, op: node.op, why: e instanceof LiftRefusal ? e.message : `cannot be lifted (${e.message})` });
    }
  }
  return unliftable;
}
