// Float islands in an int8 draft: ops marked `float` keep float32 tensors, reading int8 data through DEQUANTIZE and handing
// results back through QUANTIZE (LayerNormalization and off-axis Softmax decompositions, whose intermediates have no calibrated range).
import type { TflQuantization } from '../../formats/tflite/schema/types.ts';
import type { DraftGraph, DraftOp } from './draft.ts';

/** Tensors produced by float-island ops (they stay float32). */
export function floatIslandOutputs(g: DraftGraph): Set<number> {
  return new Set(g.ops.filter((o) => o.float).flatMap((o) => o.outputs));
}

/** Model inputs read only by float-island ops (they stay float32: no QUANTIZE/DEQUANTIZE round trip). */
export function floatIslandInputs(g: DraftGraph): Set<number> {
  return new Set(g.inputs.filter((i) => {
    const readers = g.ops.filter((o) => o.inputs.includes(i));
    return readers.length > 0 && readers.every((o) => o.float);
  }));
}

/** Float constants read only by float-island ops (they stay float32). */
export function floatIslandConstants(g: DraftGraph): Set<number> {
  const readers = new Map<number, DraftOp[]>();
  for (const o of g.ops) for (const i of o.inputs) readers.set(i, [...(readers.get(i) ?? []), o]);
  return new Set([...readers].filter(([i, rs]) => g.tensors[i].data && rs.every((o) => o.float)).map(([i]) => i));
}

/**
 * Rewires an int8 draft around its float islands: an int8 tensor an island reads gets one DEQUANTIZE to a float32 copy;
 * an island result read by an int8 op (or a model output) gets a QUANTIZE with `params(result)` into a new int8 tensor.
 */
export function bridgeFloatIslands(g: DraftGraph, params: (tensor: number) => TflQuantization): void {
  if (!g.ops.some((o) => o.float)) return;
  const ops: DraftOp[] = [];
  const dequantized = new Map<number, number>();
  const requantized = new Map<number, number>();
  const add = (t: Omit<DraftGraph['tensors'][number], 'name'> & { name: string }) => g.tensors.push(t) - 1;
  for (const op of g.ops) {
    if (!op.float) {
      op.inputs = op.inputs.map((i) => requantized.get(i) ?? i);
      ops.push(op);
      continue;
    }
    op.inputs = op.inputs.map((i) => {
      const t = g.tensors[i];
      if (t.dtype !== 'int8' || t.data) return i;
      let f = dequantized.get(i);
      if (f === undefined) {
        f = add({ name: `${t.name}/float`, shape: [...t.shape], dtype: 'float32' });
        ops.push({ op: 'DEQUANTIZE', inputs: [i], outputs: [f], node: op.node });
        dequantized.set(i, f);
      }
      return f;
    });
    ops.push(op);
    for (const o of op.outputs) {
      const t = g.tensors[o];
      if (!t.range) continue;
      const q = add({ name: `${t.name}/int8`, shape: [...t.shape], dtype: 'int8', quantization: params(o) });
      ops.push({ op: 'QUANTIZE', inputs: [o], outputs: [q], node: op.node });
      requantized.set(o, q);
    }
  }
  g.ops = ops;
  // A model output computed by an island stays float32 (no QUANTIZE/DEQUANTIZE round trip; the float I/O stage leaves it).
  // Unused QUANTIZE ops (island temporaries nobody int8 reads) are dropped.
  const read = new Set([...g.ops.flatMap((o) => o.inputs), ...g.outputs]);
  g.ops = g.ops.filter((o) => o.op !== 'QUANTIZE' || read.has(o.outputs[0]));
}
