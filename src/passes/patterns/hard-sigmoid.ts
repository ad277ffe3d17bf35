// Rule set: hard-sigmoid spellings, relu6(x + 3)/6 and clip(a·x + b, 0, 1) → HardSigmoid(alpha, beta).
import type { RuleSet } from './matcher.ts';
import { P } from './pattern.ts';
import { clamp, relu6, scalarWhere } from './spellings.ts';

const x = P.any('x');
const finite = (v: number) => Number.isFinite(v);

/** Hard-sigmoid spellings → HardSigmoid. */
export const hardSigmoidRules: RuleSet = {
  name: 'hard-sigmoid',
  produces: ['HardSigmoid'],
  rules: [
    {
      name: 'relu6-sixth',
      pattern: P.product([relu6(P.op('Add', [x, P.scalar(3)])), P.scalar(1 / 6)]),
      rewrite: (m, ctx) => ctx.node('HardSigmoid', [m.value('x')], { alpha: { type: 'float', value: 1 / 6 }, beta: { type: 'float', value: 0.5 } }),
    },
    {
      name: 'clip-affine',
      pattern: clamp(P.op('Add', [P.product([x, scalarWhere('a', finite)]), scalarWhere('b', finite)]), 0, 1),
      rewrite: (m, ctx) => ctx.node('HardSigmoid', [m.value('x')], { alpha: { type: 'float', value: m.scalar('a') }, beta: { type: 'float', value: m.scalar('b') } }),
    },
  ],
};
