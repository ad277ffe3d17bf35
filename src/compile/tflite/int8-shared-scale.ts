// Int8 ops whose kernels need every input on the output's scale and zero point (CONCATENATION, PACK, MAXIMUM, MINIMUM, PADV2's pad value): retunes or requantizes their inputs.
import type { TflQuantization } from '../../formats/tflite/schema/types.ts';
import { quantizeValue } from '../../quantize/params.ts';
import type { DraftGraph, DraftOp } from './draft.ts';

/**
 * Ops whose int8 TFLite kernels need inputs quantized like the output: CONCATENATION and PACK refuse
 * to prepare otherwise (LiteRT.js then runs nothing and returns stale memory); MAXIMUM and MINIMUM
 * compare the raw int8 values, so mixed scales give silently wrong results. Each output's own
 * calibrated range covers what its inputs can contribute (values below a MAXIMUM's output range
 * cannot win, so saturating them there is exact). PADV2's pad value must be quantized like its input (the kernel
 * fails to invoke otherwise); its output already shares the input's parameters, so only the constant changes.
 */
export const SHARED_SCALE_INPUTS = new Set(['CONCATENATION', 'PACK', 'MAXIMUM', 'MINIMUM', 'PADV2']);

function sameParams(a: TflQuantization | undefined, b: TflQuantization): boolean {
  return a?.scale?.[0] === b.scale![0] && a?.zero_point?.[0] === b.zero_point![0];
}

/**
 * Gives every activation input of a {@link SHARED_SCALE_INPUTS} op the op's output quantization: an
 * input that only this op reads, produced by an op free to pick its output parameters, is simply
 * retuned; any other (model input, output of a same-scale or fixed-scale op or of another such op, a
 * tensor read elsewhere) gets an int8→int8 QUANTIZE in front of the op. Float constant inputs are
 * quantized with the output's parameters. Run after output parameters are final, before constants are quantized.
 * @param pinned ops whose output parameters are tied to their input or fixed by the spec (not retunable).
 */
export function shareOutputScale(g: DraftGraph, pinned: (op: DraftOp) => boolean): void {
  const producer = new Map<number, DraftOp>();
  const reads = new Map<number, number>();
  for (const op of g.ops) {
    for (const o of op.outputs) producer.set(o, op);
    for (const i of op.inputs) reads.set(i, (reads.get(i) ?? 0) + 1);
  }
  const outputs = new Set(g.outputs);
  const ops: DraftOp[] = [];
  for (const op of g.ops) {
    if (SHARED_SCALE_INPUTS.has(op.op) && !op.float && g.tensors[op.outputs[0]].dtype === 'int8') {
      const shared = g.tensors[op.outputs[0]].quantization!;
      op.inputs = op.inputs.map((i) => {
        const t = g.tensors[i];
        if (t.data instanceof Float32Array && t.dtype === 'float32') {
          t.dtype = 'int8';
          t.data = Int8Array.from(t.data, (v) => quantizeValue(v, { scale: shared.scale![0], zeroPoint: shared.zero_point![0] }, 'int8'));
          t.quantization = { ...shared };
          return i;
        }
        if (t.dtype !== 'int8' || t.data || sameParams(t.quantization, shared)) return i;
        const from = producer.get(i);
        const retunable = from && !from.float && !pinned(from) && !SHARED_SCALE_INPUTS.has(from.op) && reads.get(i) === 1 && !outputs.has(i);
        if (retunable) {
          t.quantization = { ...shared };
          return i;
        }
        const r = g.tensors.push({ name: `${t.name}/requantized`, shape: [...t.shape], dtype: 'int8', quantization: { ...shared } }) - 1;
        ops.push({ op: 'QUANTIZE', inputs: [i], outputs: [r], node: op.node });
        return r;
      });
    }
    ops.push(op);
  }
  g.ops = ops;
}
