// Walks the IR in execution order and emits the draft TFLite graph: boundary layouts, per-op emitters, failures collected.
import { attrInts, type Model, type Node, type ValueType } from '../../ir/graph.ts';
import { consumers, toposort } from '../../ir/toposort.ts';
import { EmitContext, Unmappable, type EmitOptions } from './context.ts';
import type { DraftGraph } from './draft.ts';
import { UnmappableOpsError, type UnmappedOp } from '../unmappable.ts';
import { fusableActivations } from './fusion.ts';
import { channelsLast, identity, isIdentity } from './layout.ts';
import { EMITTERS } from './ops/index.ts';

/** Ops whose rank-4 input is best read in IR (NCHW) order; any other reader makes the input go channels-last at once. */
const ORDER_READERS = new Set(['Reshape', 'Flatten', 'Gemm', 'MatMul', 'Einsum', 'Shape']);

/** NHWC → NCHW: stored as it comes, data read through this Transpose is already channels-last for its readers. */
const TO_NCHW = [0, 3, 1, 2];

/**
 * True when some reader of `value` wants channels-last data (a Transpose is a relabelling: its readers decide). Data
 * that an NHWC→NCHW Transpose reads (an NHWC model input lifted from TF.js or .tflite) is channels-last as stored.
 */
function wantsChannelsLast(value: string, readers: Map<string, Node[]>): boolean {
  return (readers.get(value) ?? []).some((n) => {
    if (n.op !== 'Transpose') return !ORDER_READERS.has(n.op);
    const perm = attrInts(n, 'perm', []);
    return !(perm.length === 4 && perm.every((p, i) => p === TO_NCHW[i])) && wantsChannelsLast(n.outputs[0], readers);
  });
}

/**
 * Emits the draft graph of a model whose shapes are static. Rank-4 float inputs are transposed to
 * NHWC once at the boundary (or declared NHWC with `nhwcIo`); outputs are transposed back to their
 * IR layout unless `nhwcIo`. Throws UnmappableOpsError listing every node that cannot be mapped.
 */
export function emitGraph(model: Model, types: Map<string, ValueType>, options: EmitOptions): DraftGraph {
  const ctx = new EmitContext(model, types, options, fusableActivations(model));
  const g = model.graph;
  const failures: UnmappedOp[] = [];
  const cascaded: UnmappedOp[] = [];
  const readers = consumers(g);
  for (const vi of g.inputs) {
    if (g.initializers.has(vi.name)) continue;
    let rank: number;
    try {
      rank = ctx.shape(vi.name).length;
    } catch (e) {
      failures.push({ node: `input ${vi.name}`, op: 'input', why: (e as Error).message });
      continue;
    }
    const spatial = rank === 4 && ctx.dtype(vi.name) === 'float32';
    if (spatial && options.nhwcIo) {
      ctx.draft.graph.inputs.push(ctx.define(vi.name, channelsLast(4)));
      continue;
    }
    const raw = ctx.define(vi.name, identity(rank));
    ctx.draft.graph.inputs.push(raw);
    if (spatial && wantsChannelsLast(vi.name, readers)) {
      const nhwc = ctx.input(vi.name, channelsLast(4));
      ctx.alias(vi.name, { index: nhwc, perm: channelsLast(4) });
      ctx.cacheLayout(vi.name, identity(4), raw);
    }
  }
  for (const node of toposort(g)) {
    if (ctx.absorbed.has(node)) continue;
    const emitter = EMITTERS.get(node.domain === '' || node.domain === 'ai.onnx' ? node.op : `${node.domain}/${node.op}`);
    try {
      if (!emitter) throw new Unmappable(`no TFLite mapping for ${node.domain ? `${node.domain}.` : ''}${node.op}`);
      emitter(node, ctx);
    } catch (e) {
      if (!(e instanceof Unmappable)) throw e;
      // A node downstream of one that failed fails too: those are listed only when nothing else explains the gap.
      (/was not produced by a mapped op/.test(e.message) ? cascaded : failures).push({ node: node.name, op: node.op, why: e.message });
    }
  }
  for (const vo of g.outputs) {
    if (ctx.isConst(vo.name)) failures.push({ node: `output ${vo.name}`, op: 'output', why: 'is a constant (folded at compile time); a TFLite output must be computed by an op' });
  }
  if (!failures.length) failures.push(...cascaded);
  if (failures.length) throw new UnmappableOpsError('tflite', failures);
  for (const vo of g.outputs) {
    const e = ctx.emitted(vo.name);
    const keep = options.nhwcIo || isIdentity(e.perm);
    const index = keep ? e.index : ctx.input(vo.name, identity(e.perm.length));
    if (!keep) {
      ctx.draft.graph.tensors[e.index].name = `${vo.name}/stored`;
      ctx.draft.graph.tensors[index].name = vo.name;
    }
    ctx.draft.graph.outputs.push(index);
  }
  return ctx.draft.graph;
}
