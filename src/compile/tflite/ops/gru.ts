// ONNX GRU → an unrolled TFLite graph (TFLite has no GRU builtin): per step FULLY_CONNECTED, SPLIT, LOGISTIC/TANH, MUL/ADD/SUB.
import { attrInt, type Node } from '../../../ir/graph.ts';
import type { EmitContext } from '../context.ts';
import { defineSequence, defineState, dense, denseWeights, initialStates, recurrence, slab, split, step, stepInputs, sum, timeOrder } from './recurrent.ts';

/**
 * Emits GRU (forward, reverse or bidirectional; layout 0; default activations; gates z, r, h) unrolled over its static
 * sequence length, for both linear_before_reset forms: n = tanh(x·Whᵀ + Wbh + r⊙(h·Rhᵀ + Rbh)) when 1,
 * n = tanh(x·Whᵀ + Wbh + (r⊙h)·Rhᵀ + Rbh) when 0; then h = n + z⊙(h − n), i.e. (1 − z)⊙n + z⊙h.
 */
export function emitGru(node: Node, ctx: EmitContext): void {
  // A float island in int8 output: the per-step intermediates are no IR values, so calibration has no range for them.
  ctx.draft.floatIsland(() => emitUnrolled(node, ctx));
}

function emitUnrolled(node: Node, ctx: EmitContext): void {
  const r = recurrence(node, ctx, 3, ['Sigmoid', 'Tanh']);
  const { B, H, I } = r;
  const [, wName, rName, bName, , h0Name] = node.inputs;
  const linearBeforeReset = attrInt(node, 'linear_before_reset', 0) !== 0;
  const W = ctx.constFloats(wName, 'W');
  const R = ctx.constFloats(rName, 'R');
  const bias = bName ? ctx.constFloats(bName, 'B') : new Float32Array(r.directions.length * 6 * H);
  const h0 = initialStates(ctx, r, h0Name ?? '', 'h0_');
  const steps: number[][] = [];
  const finals: number[] = [];
  r.directions.forEach((dir, d) => {
    const tag = `d${d}`;
    const wb = slab(bias, d, 6 * H, 1, 0, 3 * H);
    const rb = slab(bias, d, 6 * H, 1, 3 * H, 6 * H);
    // z and r take both biases up front; the candidate's recurrent bias stays inside r⊙(…) when linear_before_reset.
    const inBias = sum(wb, linearBeforeReset ? Float32Array.from(rb, (v, i) => (i < 2 * H ? v : 0)) : rb);
    const xs = stepInputs(ctx, r, slab(W, d, 3 * H, I, 0, 3 * H), inBias, tag);
    const rAll = slab(R, d, 3 * H, H, 0, 3 * H);
    // linear_before_reset: one FULLY_CONNECTED gives all three h·Rᵀ parts (+ Rbh); else z/r parts, then (r⊙h)·Rhᵀ apart.
    const rGates = linearBeforeReset
      ? denseWeights(ctx, r, rAll, Float32Array.from(rb, (v, i) => (i < 2 * H ? 0 : v)), `${tag}/h`)
      : denseWeights(ctx, r, rAll.slice(0, 2 * H * H), new Float32Array(2 * H), `${tag}/h`);
    const rCandidate = linearBeforeReset ? undefined : denseWeights(ctx, r, rAll.slice(2 * H * H), new Float32Array(H), `${tag}/rh`);
    let h = h0[d];
    const ys: number[] = [];
    for (const t of timeOrder(r, dir)) {
      const k = `${tag}/t${t}`;
      const [xz, xr, xh] = split(ctx, r, xs[t], 3, 1, `${k}/x`);
      let n: number;
      let z: number;
      if (linearBeforeReset) {
        const [hz, hr, hh] = split(ctx, r, dense(ctx, r, h, rGates, `${k}/h`), 3, 1, `${k}/hg`);
        z = step(ctx, r, 'LOGISTIC', [step(ctx, r, 'ADD', [xz, hz], [B, H], `${k}/z_in`)], [B, H], `${k}/z`);
        const reset = step(ctx, r, 'LOGISTIC', [step(ctx, r, 'ADD', [xr, hr], [B, H], `${k}/r_in`)], [B, H], `${k}/r`);
        n = step(ctx, r, 'TANH', [step(ctx, r, 'ADD', [xh, step(ctx, r, 'MUL', [reset, hh], [B, H], `${k}/r_hh`)], [B, H], `${k}/n_in`)], [B, H], `${k}/n`);
      } else {
        const [hz, hr] = split(ctx, r, dense(ctx, r, h, rGates, `${k}/h`), 2, 1, `${k}/hg`);
        z = step(ctx, r, 'LOGISTIC', [step(ctx, r, 'ADD', [xz, hz], [B, H], `${k}/z_in`)], [B, H], `${k}/z`);
        const reset = step(ctx, r, 'LOGISTIC', [step(ctx, r, 'ADD', [xr, hr], [B, H], `${k}/r_in`)], [B, H], `${k}/r`);
        const hh = dense(ctx, r, step(ctx, r, 'MUL', [reset, h], [B, H], `${k}/r_h`), rCandidate!, `${k}/rh`);
        n = step(ctx, r, 'TANH', [step(ctx, r, 'ADD', [xh, hh], [B, H], `${k}/n_in`)], [B, H], `${k}/n`);
      }
      const delta = step(ctx, r, 'MUL', [z, step(ctx, r, 'SUB', [h, n], [B, H], `${k}/h_n`)], [B, H], `${k}/z_hn`);
      h = step(ctx, r, 'ADD', [n, delta], [B, H], `${k}/h`);
      ys[t] = h;
    }
    steps.push(ys);
    finals.push(h);
  });
  defineSequence(ctx, r, node.outputs[0] ?? '', steps);
  defineState(ctx, r, node.outputs[1] ?? '', finals);
}
