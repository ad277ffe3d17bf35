// ONNX LSTM → an unrolled TFLite graph: per step FULLY_CONNECTED + ADD, SPLIT into gates, LOGISTIC/TANH, MUL/ADD (every output kept).
import type { Node } from '../../../ir/graph.ts';
import { Unmappable, type EmitContext } from '../context.ts';
import { defineSequence, defineState, dense, denseWeights, initialStates, recurrence, slab, split, step, stepInputs, sum, timeOrder } from './recurrent.ts';

/**
 * Emits LSTM (forward, reverse or bidirectional; layout 0; default activations; gates i, o, f, c) unrolled over its
 * static sequence length. The input projections of all steps are one FULLY_CONNECTED; each step adds h·Rᵀ and updates
 * c = f⊙c + i⊙g, h = o⊙tanh(c). Y, Y_h and Y_c are all produced (UNIDIRECTIONAL_SEQUENCE_LSTM has no state outputs).
 */
export function emitLstm(node: Node, ctx: EmitContext): void {
  // A float island in int8 output: the per-step intermediates are no IR values, so calibration has no range for them.
  ctx.draft.floatIsland(() => emitUnrolled(node, ctx));
}

function emitUnrolled(node: Node, ctx: EmitContext): void {
  const r = recurrence(node, ctx, 4, ['Sigmoid', 'Tanh', 'Tanh']);
  const { B, H, I } = r;
  const [, wName, rName, bName, , h0Name, c0Name, pName] = node.inputs;
  if (pName && ctx.constFloats(pName, 'peepholes').some((v) => v !== 0)) throw new Unmappable('peephole connections (P) are not mapped');
  const W = ctx.constFloats(wName, 'W');
  const R = ctx.constFloats(rName, 'R');
  const bias = bName ? ctx.constFloats(bName, 'B') : new Float32Array(r.directions.length * 8 * H);
  const h0 = initialStates(ctx, r, h0Name ?? '', 'h0_');
  const c0 = initialStates(ctx, r, c0Name ?? '', 'c0_');
  const steps: number[][] = [];
  const finalH: number[] = [];
  const finalC: number[] = [];
  r.directions.forEach((dir, d) => {
    const tag = `d${d}`;
    const xs = stepInputs(ctx, r, slab(W, d, 4 * H, I, 0, 4 * H), sum(slab(bias, d, 8 * H, 1, 0, 4 * H), slab(bias, d, 8 * H, 1, 4 * H, 8 * H)), tag);
    const rWeights = denseWeights(ctx, r, slab(R, d, 4 * H, H, 0, 4 * H), new Float32Array(4 * H), `${tag}/h`);
    let h = h0[d];
    let c = c0[d];
    const ys: number[] = [];
    for (const t of timeOrder(r, dir)) {
      const k = `${tag}/t${t}`;
      const gates = step(ctx, r, 'ADD', [xs[t], dense(ctx, r, h, rWeights, `${k}/h`)], [B, 4 * H], `${k}/gates`);
      const [gi, go, gf, gc] = split(ctx, r, gates, 4, 1, `${k}/gate`);
      const i = step(ctx, r, 'LOGISTIC', [gi], [B, H], `${k}/i`);
      const o = step(ctx, r, 'LOGISTIC', [go], [B, H], `${k}/o`);
      const f = step(ctx, r, 'LOGISTIC', [gf], [B, H], `${k}/f`);
      const g = step(ctx, r, 'TANH', [gc], [B, H], `${k}/g`);
      c = step(ctx, r, 'ADD', [step(ctx, r, 'MUL', [f, c], [B, H], `${k}/fc`), step(ctx, r, 'MUL', [i, g], [B, H], `${k}/ig`)], [B, H], `${k}/c`);
      h = step(ctx, r, 'MUL', [o, step(ctx, r, 'TANH', [c], [B, H], `${k}/tanh_c`)], [B, H], `${k}/h`);
      ys[t] = h;
    }
    steps.push(ys);
    finalH.push(h);
    finalC.push(c);
  });
  defineSequence(ctx, r, node.outputs[0] ?? '', steps);
  defineState(ctx, r, node.outputs[1] ?? '', finalH);
  defineState(ctx, r, node.outputs[2] ?? '', finalC);
}
