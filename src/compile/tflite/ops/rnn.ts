// ONNX RNN (Elman, tanh) → an unrolled TFLite graph: per step FULLY_CONNECTED + ADD + TANH.
import type { Node } from '../../../ir/graph.ts';
import type { EmitContext } from '../context.ts';
import { defineSequence, defineState, dense, denseWeights, initialStates, recurrence, slab, step, stepInputs, sum, timeOrder } from './recurrent.ts';

/** Emits RNN (forward, reverse or bidirectional; layout 0; the default Tanh) unrolled: h = tanh(x·Wᵀ + Wb + h·Rᵀ + Rb). */
export function emitRnn(node: Node, ctx: EmitContext): void {
  // A float island in int8 output: the per-step intermediates are no IR values, so calibration has no range for them.
  ctx.draft.floatIsland(() => emitUnrolled(node, ctx));
}

function emitUnrolled(node: Node, ctx: EmitContext): void {
  const r = recurrence(node, ctx, 1, ['Tanh']);
  const { B, H, I } = r;
  const [, wName, rName, bName, , h0Name] = node.inputs;
  const W = ctx.constFloats(wName, 'W');
  const R = ctx.constFloats(rName, 'R');
  const bias = bName ? ctx.constFloats(bName, 'B') : new Float32Array(r.directions.length * 2 * H);
  const h0 = initialStates(ctx, r, h0Name ?? '', 'h0_');
  const steps: number[][] = [];
  const finals: number[] = [];
  r.directions.forEach((dir, d) => {
    const tag = `d${d}`;
    const xs = stepInputs(ctx, r, slab(W, d, H, I, 0, H), sum(slab(bias, d, 2 * H, 1, 0, H), slab(bias, d, 2 * H, 1, H, 2 * H)), tag);
    const rWeights = denseWeights(ctx, r, slab(R, d, H, H, 0, H), new Float32Array(H), `${tag}/h`);
    let h = h0[d];
    const ys: number[] = [];
    for (const t of timeOrder(r, dir)) {
      const k = `${tag}/t${t}`;
      h = step(ctx, r, 'TANH', [step(ctx, r, 'ADD', [xs[t], dense(ctx, r, h, rWeights, `${k}/h`)], [B, H], `${k}/in`)], [B, H], `${k}/h`);
      ys[t] = h;
    }
    steps.push(ys);
    finals.push(h);
  });
  defineSequence(ctx, r, node.outputs[0] ?? '', steps);
  defineState(ctx, r, node.outputs[1] ?? '', finals);
}
