// Rule sets: GELU as exporters spell it — 0.5·x·(1 + erf(x/√2)) and the tanh approximation
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) — → Gelu (ai.onnx opset 20; com.microsoft Gelu/FastGelu below that).
import type { RewriteContext, RuleSet } from './matcher.ts';
import { P, type PatternView } from './pattern.ts';
import { targetOpset } from './spellings.ts';

const x = P.any('x');
const onePlus = (inner: ReturnType<typeof P.op>) => P.op('Add', [inner, P.scalar(1)]);

/**
 * A Gelu node in the spelling the target loads: the standard op from opset 20 (or when standard ops are asked for),
 * else onnxruntime's contrib Gelu (exact) or FastGelu (tanh) in the com.microsoft domain.
 */
export function geluNode(ctx: RewriteContext, input: string, approximate: 'none' | 'tanh'): string {
  if (targetOpset(ctx) >= 20) return ctx.node('Gelu', [input], { approximate });
  ctx.useOpset('com.microsoft', 1);
  return ctx.node(approximate === 'tanh' ? 'FastGelu' : 'Gelu', [input], {}, 'com.microsoft');
}

const erfGelu = (m: PatternView, ctx: RewriteContext) => geluNode(ctx, m.value('x'), 'none');
const tanhGelu = (m: PatternView, ctx: RewriteContext) => geluNode(ctx, m.value('x'), 'tanh');

/** erf(x/√2), with x/√2 spelled as a Div by √2 or a Mul by 1/√2. */
const erfPart = onePlus(P.op('Erf', [P.product([x, P.scalar(Math.SQRT1_2)])]));

/** x³ as Pow(x, 3) or x·x·x. */
const cube = P.oneOf(P.op('Pow', [x, P.scalar(3)]), P.product([x, x, x]));
const tanhPart = onePlus(P.op('Tanh', [P.product([P.scalar(Math.sqrt(2 / Math.PI)), P.op('Add', [x, P.product([P.scalar(0.044715), cube])])])]));

/** Exact (erf) GELU spellings → Gelu. */
export const erfGeluRules: RuleSet = {
  name: 'gelu',
  produces: ['Gelu'],
  rules: [{ name: 'erf', pattern: P.product([x, P.scalar(0.5), erfPart]), rewrite: erfGelu }],
};

/** Tanh-approximation GELU spellings → Gelu(approximate='tanh'). */
export const tanhGeluRules: RuleSet = {
  name: 'gelu-tanh',
  produces: ['Gelu'],
  rules: [{ name: 'tanh', pattern: P.product([x, P.scalar(0.5), tanhPart]), rewrite: tanhGelu }],
};
