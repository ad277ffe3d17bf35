// fp16 output: float constants stored as float16 and turned back into float32 by DEQUANTIZE ops at the start of the graph.
import { toFloat16 } from '../../ir/half.ts';
import type { DraftGraph, DraftOp } from './draft.ts';

/** Converts every float32 constant of the draft to float16 + DEQUANTIZE; I/O and activations stay float32. Returns the count. */
export function toFloat16Weights(g: DraftGraph): number {
  const prologue: DraftOp[] = [];
  const count = g.tensors.length;
  for (let i = 0; i < count; i++) {
    const t = g.tensors[i];
    if (!(t.data instanceof Float32Array) || t.dtype !== 'float32') continue;
    const half = g.tensors.push({ name: `${t.name}/fp16`, shape: [...t.shape], dtype: 'float16', data: toFloat16(t.data).bits, ...(t.role ? { role: t.role } : {}) }) - 1;
    delete t.data;
    prologue.push({ op: 'DEQUANTIZE', inputs: [half], outputs: [i], node: '' });
  }
  g.ops.unshift(...prologue);
  return prologue.length;
}
