// Rule set: x / ‖x‖₂ along one axis, with the norm as ReduceL2 or √ReduceSum(x²) → LpNormalization(p = 2).
import { attrInt, attrInts, type Node } from '../../ir/graph.ts';
import type { RewriteContext, RuleSet } from './matcher.ts';
import { P, type Pattern, type PatternView } from './pattern.ts';

const x = P.any('x');

/** The single axis of a keepdims reduction (attribute, or constant input from opset 18), else undefined. */
function singleAxis(node: Node, m: PatternView): number | undefined {
  if (attrInt(node, 'keepdims', 1) !== 1) return undefined;
  const axes = attrInts(node, 'axes') ?? (node.inputs[1] ? m.constantOf(node.inputs[1])?.values() : undefined);
  return axes && axes.length === 1 ? axes[0] : undefined;
}

const reduce = (op: string, input: Pattern = x) => P.op(op, [input], { name: 'reduce', where: (n, m) => singleAxis(n, m) !== undefined });
const norm = P.oneOf(
  reduce('ReduceL2'),
  P.op('Sqrt', [reduce('ReduceSum', P.oneOf(P.op('Pow', [x, P.scalar(2)]), P.op('Mul', [x, x])))]),
  P.op('Sqrt', [reduce('ReduceSumSquare')]),
);

function lpNorm(m: PatternView, ctx: RewriteContext): string | undefined {
  const axis = singleAxis(m.node('reduce'), m)!;
  const rank = ctx.shape(m.value('x'))?.length;
  if (axis >= 0 && rank === undefined) return undefined;
  return ctx.node('LpNormalization', [m.value('x')], { axis: axis >= 0 && rank !== undefined ? axis - rank : axis, p: 2 });
}

/** L2-normalisation spellings → LpNormalization. */
export const lpNormRules: RuleSet = {
  name: 'lp-norm',
  produces: ['LpNormalization'],
  rules: [{ name: 'div-norm', pattern: P.op('Div', [x, norm]), rewrite: lpNorm }],
};
