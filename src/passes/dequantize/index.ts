// The dequantize pass: a pre-quantized ONNX model (dynamic int8, QLinear ops, QDQ, MatMulNBits) back to float ops and float32 weights.
import { subgraphsOf, type Graph, type Model, type Node } from '../../ir/graph.ts';
import { eliminateDeadCode } from '../dead-code.ts';
import { eliminateIdentity } from '../eliminate-identity.ts';
import type { Pass } from '../pass.ts';
import { DequantizeContext, type DequantizeCounts } from './context.ts';
import { rewriteDynamicMatMuls } from './dynamic-matmul.ts';
import { foldConstantDequantize, foldConstantQuantize } from './fold-weights.ts';
import { hoistDequantizeOverMovers } from './hoist-movers.ts';
import { rewriteIntegerOps } from './integer-ops.ts';
import { rewriteMatMulNBits } from './matmul-nbits.ts';
import { expandQLinearOps, qlinearSpecOf } from './qlinear.ts';
import { removeQdqPairs } from './remove-pairs.ts';

/** Ops that mark a model as pre-quantized (default domain, or com.microsoft for the contrib ones). */
const QUANTIZED_OPS: ReadonlySet<string> = new Set([
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'ConvInteger', 'MatMulInteger',
  'DynamicQuantizeMatMul', 'MatMulIntegerToFloat', 'MatMulNBits',
]);

/** Whether a node is a quantization op (Q/DQ, integer or QLinear kernels, 4-bit MatMul). */
export function isQuantizedOp(node: Node): boolean {
  const known = node.domain === '' || node.domain === 'ai.onnx' || node.domain === 'com.microsoft';
  return known && (QUANTIZED_OPS.has(node.op) || !!qlinearSpecOf(node) || node.op.startsWith('QLinear') || node.op === 'QGemm');
}

/**
 * The quantization ops of a model (control-flow bodies included) and their counts, most frequent first (empty for a
 * float model).
 */
export function preQuantizedOps(model: Model): [string, number][] {
  const counts = new Map<string, number>();
  const visit = (graph: Graph) => {
    for (const n of graph.nodes) {
      if (isQuantizedOp(n)) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
      subgraphsOf(n).forEach(visit);
    }
  };
  visit(model.graph);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** What {@link dequantizeModel} did. */
export interface DequantizeOutcome {
  /** The quantization ops found before, by op. */
  found: [string, number][];
  /** Rewrites by pattern (op rewritten, constants folded, Q→DQ pairs removed, clamps kept, DQs moved before movers). */
  counts: DequantizeCounts;
  /** Quantization ops still in the model afterwards, by op (e.g. a QuantizeLinear on a graph output). */
  left: [string, number][];
  /** Nodes a rewrite could not handle, and why. */
  skipped: { node: string; op: string; reason: string }[];
}

/**
 * Turns a pre-quantized model back into float: `DynamicQuantizeLinear` + `ConvInteger`/`MatMulInteger` chains and
 * com.microsoft `DynamicQuantizeMatMul`/`MatMulIntegerToFloat` → float Conv/MatMul; `QLinear*`/`QGemm` →
 * DQ → float op → Q; `MatMulNBits` → MatMul; DQ of constants → float32 constants; activation Q→DQ pairs → the float
 * value. The model is rewritten in place; what could not be rewritten stays and is listed (quantization ops inside
 * control-flow bodies are listed, not rewritten).
 */
export function dequantizeModel(model: Model): DequantizeOutcome {
  const found = preQuantizedOps(model);
  const ctx = new DequantizeContext(model);
  if (found.length) {
    rewriteIntegerOps(ctx);
    rewriteDynamicMatMuls(ctx);
    rewriteMatMulNBits(ctx);
    expandQLinearOps(ctx);
    ctx.count('DequantizeLinear moved before a value-moving op', hoistDequantizeOverMovers(ctx));
    foldConstantQuantize(ctx);
    removeQdqPairs(ctx);
    foldConstantDequantize(ctx);
    eliminateIdentity(ctx.graph);
    eliminateDeadCode(ctx.graph);
  }
  return { found, counts: ctx.counts, left: preQuantizedOps(model), skipped: ctx.skipped };
}

/** `N Op, M Op2, …` for a list of op counts. */
export function describeOpCounts(counts: readonly [string, number][]): string {
  return counts.map(([op, n]) => `${n} ${op}`).join(', ');
}

/** One line saying what {@link dequantizeModel} did. */
export function describeDequantize(outcome: DequantizeOutcome): string {
  const done = Object.entries(outcome.counts).map(([k, n]) => `${k} ×${n}`).join(', ');
  const left = outcome.left.length ? `; left: ${describeOpCounts(outcome.left)}${outcome.skipped[0] ? ` (${outcome.skipped[0].op} '${outcome.skipped[0].node}': ${outcome.skipped[0].reason})` : ''}` : '';
  return `dequantize: ${done || 'nothing to do'}${left}`;
}

/** The dequantize pass. */
export const dequantizePass: Pass = {
  name: 'dequantize',
  description: 'Turn a pre-quantized model (ConvInteger/MatMulInteger, QLinear ops, QDQ, MatMulNBits) back into float ops with float32 weights.',
  run(model, ctx) {
    const outcome = dequantizeModel(model);
    if (outcome.found.length) ctx.log(describeDequantize(outcome));
    return model;
  },
};

export type { DequantizeCounts } from './context.ts';
export { dequantizeValues, integerValues, type QuantLayout } from './values.ts';
