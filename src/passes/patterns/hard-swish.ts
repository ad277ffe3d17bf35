// Rule set: hard-swish, x·relu6(x + 3)/6 in its spellings (Clip or Min/Max, Div by 6 or Mul by 1/6 anywhere in the
// product) and x·HardSigmoid(x) with alpha 1/6, beta 0.5 → HardSwish (ai.onnx since opset 14).
import { attrFloat } from '../../ir/graph.ts';
import type { RewriteContext, RuleSet } from './matcher.ts';
import { P, type PatternView } from './pattern.ts';
import { relu6, targetOpset } from './spellings.ts';

const x = P.any('x');

function hardSwish(m: PatternView, ctx: RewriteContext): string | undefined {
  return targetOpset(ctx) >= 14 ? ctx.node('HardSwish', [m.value('x')]) : undefined;
}

/** x·HardSigmoid(x) is hard-swish only for HardSigmoid's hard-swish constants (the default alpha is 0.2). */
const hardSigmoidOfX = P.op('HardSigmoid', [x], {
  where: (n) => Math.abs(attrFloat(n, 'alpha', 0.2) - 1 / 6) < 1e-6 && Math.abs(attrFloat(n, 'beta', 0.5) - 0.5) < 1e-6,
});

/** Hard-swish spellings → HardSwish. */
export const hardSwishRules: RuleSet = {
  name: 'hard-swish',
  produces: ['HardSwish'],
  rules: [
    { name: 'relu6-sixth', pattern: P.product([x, relu6(P.op('Add', [x, P.scalar(3)])), P.scalar(1 / 6)]), rewrite: hardSwish },
    { name: 'hard-sigmoid', pattern: P.product([x, hardSigmoidOfX]), rewrite: hardSwish },
  ],
};
