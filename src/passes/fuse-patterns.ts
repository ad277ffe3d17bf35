// Pass: rewrites the op spellings exporters decompose (hard-swish, hard-sigmoid, GELU, LayerNorm, L2 norm) into single ops.
import type { Pass } from './pass.ts';
import { fusePatterns } from './patterns/index.ts';

/**
 * Runs every rule set of `patterns/` (see {@link RULE_SETS}) and logs how many of each it fused. The ops it writes are
 * the ones onnxruntime loads at the model's opset (com.microsoft Gelu/FastGelu below opset 20, HardSwish only from 14).
 */
export const fusePatternsPass: Pass = {
  name: 'fuse-patterns',
  description: 'fuses decomposed hard-swish, hard-sigmoid, GELU, LayerNorm and L2-normalisation into single ops',
  run(model, ctx) {
    const counts = fusePatterns(model);
    const fused = Object.entries(counts).filter(([, n]) => n > 0);
    if (fused.length) ctx.log(`fused ${fused.map(([k, n]) => `${n} ${k}`).join(', ')}`);
    return model;
  },
};
